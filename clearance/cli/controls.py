"""``customs registry / officer / rebates / replay`` and ``declarations explain / reassess``."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from clearance.decisions import history, registry_store
from clearance.decisions.history import auto_decision
from clearance.decisions.records import reason_json
from clearance.officer import actions as officer
from clearance.rebates import records as rebates
from clearance.rebates.export import write_batch
from clearance.store.control_tables import DecisionRow
from clearance.store.migrate import upgrade
from clearance.store.tables import Declaration as DeclarationRow
from core.clock import SystemClock
from core.db import UnitOfWork, session_factory
from core.errors import CustomsError
from core.settings import Settings
from rules import Decision, DecisionKind, Lane, Reason, ReasonSource, explain
from rules.errors import RegistryLoadError


def register(sub: Any, groups: dict[str, Any]) -> None:
    """Add the controls commands to the ``customs`` parser."""
    registry = sub.add_parser("registry", help="licences, certificates, traders …").add_subparsers(
        metavar="ACTION"
    )
    load = registry.add_parser("load", help="load registry files together (docs/rules.md)")
    load.add_argument("files", nargs="+", type=Path, metavar="FILE")
    load.set_defaults(handler=_registry_load)

    decls = groups["declarations"]
    exp = decls.add_parser("explain", help="the decision of a declaration in plain words")
    exp.add_argument("number")
    exp.add_argument("--json", action="store_true")
    exp.set_defaults(handler=_explain)
    again = decls.add_parser("reassess", help="recompute a past decision exactly")
    again.add_argument("number")
    again.add_argument("--as-of", type=date.fromisoformat, required=True, metavar="DATE")
    again.set_defaults(handler=_reassess)

    off = sub.add_parser("officer", help="the officers' queue and decisions").add_subparsers(
        metavar="ACTION"
    )
    q = off.add_parser("queue", help="declarations waiting for an officer")
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=_queue)
    d = off.add_parser("decide", help="release, reject or inspect a declaration")
    d.add_argument("number")
    what = d.add_mutually_exclusive_group(required=True)
    for action in officer.ACTIONS:
        what.add_argument(f"--{action}", dest="action", action="store_const", const=action)
    d.add_argument("--reason", required=True)
    d.add_argument("--officer", required=True, metavar="ID")
    d.add_argument("--version", type=int, help="the version the officer saw (checked)")
    d.set_defaults(handler=_decide)

    reb = sub.add_parser("rebates", help="export-rebate records").add_subparsers(metavar="ACTION")
    ex = reb.add_parser("export", help="write a batch file for the tax authority")
    ex.add_argument("--from", dest="date_from", type=date.fromisoformat, required=True)
    ex.add_argument("--to", dest="date_to", type=date.fromisoformat, required=True)
    ex.add_argument("--out", type=Path, default=Path("."))
    ex.set_defaults(handler=_rebates_export)
    conf = reb.add_parser("confirm-exit", help="exit confirmed for a declaration's goods")
    conf.add_argument("number")
    conf.set_defaults(handler=_confirm_exit)

    rep = sub.add_parser("replay", help="what a candidate ruleset would change (read-only)")
    rep.add_argument("--ruleset", type=Path, required=True, metavar="FILE")
    rep.add_argument("--from", dest="date_from", type=date.fromisoformat, required=True)
    rep.add_argument("--to", dest="date_to", type=date.fromisoformat, required=True)
    rep.set_defaults(handler=_replay)


def _registry_load(args: argparse.Namespace, settings: Settings, engine: Engine) -> int:
    upgrade(engine)
    return load_registry_files(engine, args.files)


def load_registry_files(engine: Engine, paths: list[Path]) -> int:
    """Load registry files together as one snapshot; print what happened; exit status."""
    try:
        with UnitOfWork(session_factory(engine)) as uow:
            loaded = registry_store.load_files(uow.session, paths, SystemClock().now())
            uow.commit()
    except RegistryLoadError as exc:
        print(f"customs: {exc.message}", file=sys.stderr)
        return 1
    state = "loaded as" if loaded.created else "already loaded as"
    print(f"{loaded.record_count} records {state} load {loaded.id} ({loaded.content_hash[:12]})")
    return 0


def _latest(session: Session, number: str) -> DecisionRow:
    row = session.scalars(
        select(DecisionRow)
        .join(DeclarationRow, DeclarationRow.id == DecisionRow.declaration_id)
        .where(DeclarationRow.number == number)
        .order_by(DecisionRow.id.desc())
        .limit(1)
    ).first()
    if row is None:
        raise CustomsError(f"no decision for declaration {number}")
    return row


def decision_of(number: str, row: DecisionRow) -> Decision:
    """The :class:`rules.Decision` a stored row holds."""
    reasons = tuple(
        Reason(
            ReasonSource(r["source"]),
            r["rule_id"],
            r["rule_version"],
            r["weight"],
            r["message_en"],
            r["message_zh"],
            {k: tuple(v) if isinstance(v, list) else v for k, v in r["evidence"].items()},
            r["item_sequence"],
        )
        for r in json.loads(row.reasons)
    )
    return Decision(
        number,
        Lane(row.lane),
        DecisionKind(row.decision),
        row.auto_release,
        reasons,
        row.ruleset_id,
        row.ruleset_version,
        tuple(json.loads(row.fired_rules)),
        row.inputs_digest,
    )


def _explain(args: argparse.Namespace, settings: Settings, engine: Engine) -> int:
    upgrade(engine)
    with UnitOfWork(session_factory(engine)) as uow:
        row = _latest(uow.session, args.number)
        decision = decision_of(args.number, row)
        who, note, when = row.decided_by, row.note, row.decided_at
    if args.json:
        data = {
            "number": args.number,
            "lane": decision.lane.value,
            "decision": decision.decision.value,
            "auto_release": decision.auto_release,
            "ruleset": {"id": decision.ruleset_id, "version": decision.ruleset_version},
            "fired_rules": list(decision.fired_rules),
            "reasons": [reason_json(r) for r in decision.reasons],
            "inputs_digest": decision.inputs_digest,
            "decided_by": who,
            "note": note,
        }
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print(explain(decision))
    if who != "auto":
        print(f"Decided by officer {who} at {when:%Y-%m-%d %H:%M}: {note} / 关员决定")
    return 0


def _reassess(args: argparse.Namespace, settings: Settings, engine: Engine) -> int:
    upgrade(engine)
    with UnitOfWork(session_factory(engine)) as uow:
        result = history.reassess(uow.session, args.number, args.as_of)
        stored, again = result.stored, result.again.decision
        print(
            f"decision of {args.number} in force on {args.as_of}: version "
            f"{stored.declaration_version}, ruleset {stored.ruleset_version[:12]}"
        )
        print(f"stored:     {stored.lane} {stored.decision} digest {stored.inputs_digest[:16]}")
        print(
            f"recomputed: {again.lane.value} {again.decision.value} "
            f"digest {again.inputs_digest[:16]}"
        )
        identical = result.identical
    print("identical" if identical else "DIFFERENT")
    return 0 if identical else 1


def _queue(args: argparse.Namespace, settings: Settings, engine: Engine) -> int:
    upgrade(engine)
    with UnitOfWork(session_factory(engine)) as uow:
        rows = officer.queue(uow.session)
    for r in rows:
        if args.json:
            print(json.dumps(r, ensure_ascii=False))
        else:
            rules = ", ".join(r["fired_rules"])
            print(f"{r['number']}  v{r['version']} {r['status']:<18} {r['lane']:<6} {rules}")
    return 0


def _decide(args: argparse.Namespace, settings: Settings, engine: Engine) -> int:
    upgrade(engine)
    now = SystemClock().now()
    with UnitOfWork(session_factory(engine)) as uow:
        result = officer.decide(
            uow.session,
            settings,
            args.number,
            args.action,
            args.reason,
            args.officer,
            now,
            args.version,
        )
        uow.commit()
    print(f"{result['number']}: {result['status']} (ledgers: {result['ledgers'] or '-'})")
    return 0


def _rebates_export(args: argparse.Namespace, settings: Settings, engine: Engine) -> int:
    upgrade(engine)
    now = SystemClock().now()
    with UnitOfWork(session_factory(engine)) as uow:
        batch, records = rebates.export_batch(uow.session, args.date_from, args.date_to, now)
        paths = write_batch(args.out, batch, records)
        try:
            uow.commit()
        except Exception:
            for path in paths:  # the records stay untransmitted: no file may claim them
                path.unlink(missing_ok=True)
            raise
    print(f"batch {batch.reference}: {len(records)} records, {', '.join(map(str, paths))}")
    return 0


def _confirm_exit(args: argparse.Namespace, settings: Settings, engine: Engine) -> int:
    upgrade(engine)
    with UnitOfWork(session_factory(engine)) as uow:
        done = rebates.confirm_exit(uow.session, args.number, SystemClock().now())
        uow.commit()
    when = "" if done.confirmed_at is None else f" on {done.confirmed_at:%Y-%m-%d %H:%M} UTC"
    state = f"exit already confirmed{when}" if done.already else f"exit confirmed{when}"
    print(f"{args.number}: {state}; {done.records} rebate record(s) confirmed")
    return 0


def _replay(args: argparse.Namespace, settings: Settings, engine: Engine) -> int:
    upgrade(engine)
    with UnitOfWork(session_factory(engine)) as uow:  # never committed: read-only
        report = history.replay(uow.session, args.ruleset, args.date_from, args.date_to)
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


__all__ = ["auto_decision", "decision_of", "register"]
