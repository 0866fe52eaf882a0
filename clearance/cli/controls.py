"""``customs registry / officer / rebates / replay`` and ``declarations explain / reassess``."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any, get_args

from clearance.app import (
    LOCAL_OPERATOR,
    Actor,
    Application,
    analysis,
    declarations,
    officer,
    rebates,
    registries,
)
from clearance.cli.files import read_documents
from core.errors import CustomsError


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
    for action in get_args(officer.Action):
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


def _registry_load(args: argparse.Namespace, app: Application) -> int:
    return load_registry_files(app, args.files)


def load_registry_files(app: Application, paths: list[Path]) -> int:
    """Load registry files together as one snapshot; print what happened; exit status."""
    try:
        loaded = registries.load(app, LOCAL_OPERATOR, read_documents(paths))
    except CustomsError as exc:
        print(f"customs: {exc.message}", file=sys.stderr)
        return 1
    state = "loaded as" if loaded.created else "already loaded as"
    print(f"{loaded.record_count} records {state} load {loaded.id} ({loaded.content_hash[:12]})")
    return 0


def _explain(args: argparse.Namespace, app: Application) -> int:
    result = declarations.explain(app, LOCAL_OPERATOR, args.number)
    if args.json:
        data = result.as_json()
        del data["text"], data["decided_at"]  # the contract's fields (docs/cli.md)
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print(result.text)
    if result.decided_by != "auto":
        when = result.decided_at[:16].replace("T", " ")
        print(f"Decided by officer {result.decided_by} at {when}: {result.note} / 关员决定")
    return 0


def _reassess(args: argparse.Namespace, app: Application) -> int:
    result = declarations.reassess(app, LOCAL_OPERATOR, args.number, args.as_of)
    stored, again = result.stored, result.recomputed
    print(
        f"decision of {args.number} in force on {args.as_of}: version "
        f"{result.declaration_version}, ruleset {result.ruleset_version[:12]}"
    )
    print(f"stored:     {stored.lane} {stored.decision} digest {stored.inputs_digest[:16]}")
    print(f"recomputed: {again.lane} {again.decision} digest {again.inputs_digest[:16]}")
    print("identical" if result.identical else "DIFFERENT")
    return 0 if result.identical else 1


def _queue(args: argparse.Namespace, app: Application) -> int:
    for r in officer.queue(app, LOCAL_OPERATOR):
        if args.json:
            print(json.dumps(r.as_json(), ensure_ascii=False))
        else:
            rules = ", ".join(r.fired_rules)
            print(f"{r.number}  v{r.version} {r.status:<18} {r.lane:<6} {rules}")
    return 0


def _decide(args: argparse.Namespace, app: Application) -> int:
    command = officer.Decide(action=args.action, reason=args.reason, version=args.version)
    result = officer.decide(app, Actor.local(args.officer), args.number, command)
    print(f"{result.number}: {result.status} (ledgers: {result.ledgers or '-'})")
    return 0


def _rebates_export(args: argparse.Namespace, app: Application) -> int:
    batch = rebates.export_batch(app, LOCAL_OPERATOR, args.date_from, args.date_to, args.out)
    print(f"batch {batch.reference}: {batch.records} records, {', '.join(batch.files)}")
    return 0


def _confirm_exit(args: argparse.Namespace, app: Application) -> int:
    done = rebates.confirm_exit(app, LOCAL_OPERATOR, args.number)
    when = (
        "" if done.confirmed_at is None else f" on {done.confirmed_at[:16].replace('T', ' ')} UTC"
    )
    state = f"exit already confirmed{when}" if done.already else f"exit confirmed{when}"
    print(f"{args.number}: {state}; {done.records} rebate record(s) confirmed")
    return 0


def _replay(args: argparse.Namespace, app: Application) -> int:
    (document,) = read_documents([args.ruleset])
    report = analysis.replay(app, LOCAL_OPERATOR, document, args.date_from, args.date_to)
    print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    return 0
