"""``customs fx``: bank feeds, indicators, classification, one trader's FX record, and
objections to a class (filed by the trader, decided by the FX authority)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from clearance.app import LOCAL_OPERATOR, Application
from clearance.app import fx as fx_cases
from clearance.app import fx_objections as objection_cases
from clearance.app.fx_views import GoodsFeedView, NewObjection, ObjectionRuling, ObjectionView
from clearance.cli import printing
from clearance.cli.files import read_documents
from clearance.cli.identity import acting

AS_HELP = "act as this subject (a trader objects for itself; default: the operator)"


def month(text: str) -> date:
    """``YYYY-MM`` as the first day of that month."""
    return date.fromisoformat(f"{text}-01")


def register(sub: Any, groups: dict[str, Any]) -> None:
    """Add the commands of this group to the ``customs`` parser."""
    fx = sub.add_parser("fx", help="FX monitoring of traders").add_subparsers(metavar="ACTION")
    imp = fx.add_parser("import", help="import a bank receipt/payment feed (CSV)")
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(handler=_import)
    ind = fx.add_parser("indicators", help="indicators per trader over the rolling window")
    ind.add_argument("--month", type=month, help="last month of the window, YYYY-MM")
    ind.add_argument("--trader", help="one trader (USCC)")
    ind.add_argument("--json", action="store_true")
    ind.set_defaults(handler=_indicators)
    cls = fx.add_parser("classify", help="classify every trader (A/B/C) and record notices")
    cls.add_argument("--month", type=month, help="last month of the window, YYYY-MM")
    cls.add_argument("--json", action="store_true")
    cls.set_defaults(handler=_classify)
    show = fx.add_parser("show", help="one trader's class, history and indicators")
    show.add_argument("trader")
    show.add_argument("--month", type=month, help="last month of the window, YYYY-MM")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=_show)
    feed = fx.add_parser("feed", help="the goods feed for the FX authority: rows not sent yet")
    feed.add_argument("--out", type=Path, default=Path("."), help="directory for the files")
    feed.set_defaults(handler=_feed)
    again = fx.add_parser("feed-batch", help="a goods feed batch as sent; --out writes it again")
    again.add_argument("reference")
    again.add_argument("--out", type=Path, help="write FX….csv and FX….control.csv here")
    again.add_argument("--json", action="store_true")
    again.set_defaults(handler=_feed_batch)
    _register_objections(fx)


def _register_objections(fx: Any) -> None:
    """``customs fx object | objections | objection | decide``."""
    obj = fx.add_parser("object", help="object to a trader's B/C class within its deadline")
    obj.add_argument("trader", help="the trader (USCC) whose class in force is objected to")
    obj.add_argument("--grounds", required=True, help="why the class is wrong")
    obj.add_argument("--as", dest="as_subject", metavar="SUBJECT", help=AS_HELP)
    obj.add_argument("--json", action="store_true")
    obj.set_defaults(handler=_object)
    listing = fx.add_parser("objections", help="objections one may see, pending first")
    listing.add_argument("--status", choices=("pending", "upheld", "granted"))
    listing.add_argument("--trader", help="one trader (USCC)")
    listing.add_argument("--as", dest="as_subject", metavar="SUBJECT", help=AS_HELP)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_objections)
    one = fx.add_parser("objection", help="one objection and its ruling")
    one.add_argument("id", type=int, metavar="OBJECTION_ID")
    one.add_argument("--as", dest="as_subject", metavar="SUBJECT", help=AS_HELP)
    one.add_argument("--json", action="store_true")
    one.set_defaults(handler=_objection)
    decide = fx.add_parser("decide", help="rule on a pending objection (FX authority)")
    decide.add_argument("id", type=int, metavar="OBJECTION_ID")
    outcome = decide.add_mutually_exclusive_group(required=True)
    outcome.add_argument("--uphold", action="store_true", help="the class stands")
    outcome.add_argument(
        "--grant", choices=("A", "B"), metavar="GRADE", help="the grade it should have been"
    )
    decide.add_argument("--note", required=True, help="the ruling's reasons")
    decide.add_argument("--as", dest="as_subject", metavar="SUBJECT", help=AS_HELP)
    decide.add_argument("--json", action="store_true")
    decide.set_defaults(handler=_decide)


def _import(args: argparse.Namespace, app: Application) -> int:
    (document,) = read_documents([args.file])
    done = fx_cases.import_bank_feed(app, LOCAL_OPERATOR, document)
    if args.json:
        print(json.dumps(done.as_json(), ensure_ascii=False))
        return 0
    print(
        f"bank feed {done.feed_id} ({done.filename}): {done.rows} rows, {done.created} new "
        f"({done.receipts} receipts, {done.payments} payments), {done.unchanged} already held"
    )
    return 0


def _indicators(args: argparse.Namespace, app: Application) -> int:
    rows = fx_cases.indicators(app, LOCAL_OPERATOR, args.month, args.trader)
    if args.json:
        printing.print_json_lines([r.as_json() for r in rows])
        return 0
    print(
        f"{'trader':<18}  {'window':<15} {'exports USD':>14} {'imports USD':>14} "
        f"{'receipts USD':>14} {'payments USD':>14} {'gap ratio':>9} {'rcpt ratio':>10} flags"
    )
    for r in rows:
        i = r.indicators
        flags = [f for f in ("breach", "on_site_candidate") if i[f]]
        print(
            f"{r.trader:<18}  {i['period_from']}..{i['period_to']} {i['exports_usd']:>14} "
            f"{i['imports_usd']:>14} {i['receipts_usd']:>14} {i['payments_usd']:>14} "
            f"{i['gap_ratio'] or '-':>9} {i['receipt_ratio'] or '-':>10} {' '.join(flags)}"
        )
    return 0


def _classify(args: argparse.Namespace, app: Application) -> int:
    run = fx_cases.classify(app, LOCAL_OPERATOR, args.month)
    if args.json:
        print(json.dumps(run.as_json(), ensure_ascii=False, indent=2))
        return 0
    for t in run.traders:
        mark = "new notice" if t.changed else "unchanged"
        until = f" until {t.valid_until}" if t.valid_until else ""
        objection = f", objections by {t.objection_deadline}" if t.objection_deadline else ""
        print(f"{t.trader:<18}  {t.grade}{until} ({mark}{objection})")
        for reason in t.reasons:
            print(f"    {reason.code}: {reason.text}")
    if run.goods_unvalued:
        print(
            f"warning: {len(run.goods_unvalued)} released declaration(s) left out, no official "
            f"rate for their day: {', '.join(run.goods_unvalued[:10])}",
            file=sys.stderr,
        )
    counts = ", ".join(f"{g} {n}" for g, n in run.counts.items())
    print(
        f"window to {run.period_to}, notice date {run.as_of}, policy {run.policy_version}: "
        f"{counts}; {run.notices} new notice(s)"
    )
    return 0


def _show(args: argparse.Namespace, app: Application) -> int:
    view = fx_cases.show(app, LOCAL_OPERATOR, args.trader, args.month)
    if args.json:
        print(json.dumps(view.as_json(), ensure_ascii=False, indent=2))
        return 0
    current = view.current
    if current is None:
        print(f"{view.trader}: not classified yet")
    else:
        until = f" until {current.valid_until}" if current.valid_until else ""
        print(f"{view.trader}: class {current.grade} from {current.valid_from}{until}")
    for c in view.history:
        objection = f", objections by {c.objection_deadline}" if c.objection_deadline else ""
        codes = ", ".join(r.code for r in c.reasons)
        print(f"  {c.valid_from} {c.grade} ({codes}{objection}; {c.policy_version})")
    if view.indicators is not None:
        i = view.indicators.indicators
        print(
            f"  window {i['period_from']}..{i['period_to']}: gap USD {i['total_gap_usd']}, "
            f"gap ratio {i['gap_ratio']}, receipt ratio {i['receipt_ratio']}, "
            f"funds-to-goods {i['funds_to_goods']}, breaches in a row {i['consecutive_breaches']}"
        )
    return 0


def _feed(args: argparse.Namespace, app: Application) -> int:
    batch = fx_cases.export_goods_feed(app, LOCAL_OPERATOR)
    # The batch is committed (rows claimed, files kept): now write the files.
    paths = _write(batch, args.out)
    if paths is None:
        return 1
    print(
        f"goods feed {batch.reference}: {batch.records} rows ({batch.originals} original, "
        f"{batch.corrections} correction, {batch.cancellations} cancellation), "
        f"USD {batch.value_usd_total}; {', '.join(map(str, paths))}"
    )
    return 0


def _feed_batch(args: argparse.Namespace, app: Application) -> int:
    batch = fx_cases.goods_feed_batch(app, LOCAL_OPERATOR, args.reference)
    if args.out is not None:
        paths = _write(batch, args.out)
        if paths is None:
            return 1
        print(f"goods feed {batch.reference}: {', '.join(map(str, paths))}")
        return 0
    if args.json:
        print(json.dumps(batch.as_json(), ensure_ascii=False, indent=2))
        return 0
    print(
        f"goods feed {batch.reference} ({batch.created_at}): {batch.records} rows, "
        f"CNY {batch.value_cny_total}, USD {batch.value_usd_total}, sha256 {batch.data_sha256}"
    )
    return 0


def _write(batch: GoodsFeedView, directory: Path) -> list[Path] | None:
    """Write the batch's stored files into ``directory``; None (after saying why) on failure."""
    paths = []
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for file in batch.files:
            path = directory / file.name
            path.write_bytes(file.content.encode("utf-8"))
            paths.append(path)
    except OSError as exc:
        print(
            f"customs: cannot write the goods feed {batch.reference} into {directory}: "
            f"{exc.strerror}; the feed is stored, write it again with: "
            f"customs fx feed-batch {batch.reference} --out DIR",
            file=sys.stderr,
        )
        return None
    return paths


def _object(args: argparse.Namespace, app: Application) -> int:
    try:
        new = NewObjection(grounds=args.grounds)
    except ValidationError as exc:
        return _invalid("--grounds", exc)
    view = objection_cases.file_objection(app, acting(app, args.as_subject), args.trader, new)
    _print_objection(view, args.json)
    return 0


def _objections(args: argparse.Namespace, app: Application) -> int:
    actor = acting(app, args.as_subject)
    rows = objection_cases.list_objections(app, actor, args.status, args.trader)
    if args.json:
        printing.print_json_lines([r.as_json() for r in rows])
        return 0
    for view in rows:
        _print_objection(view, False)
    return 0


def _objection(args: argparse.Namespace, app: Application) -> int:
    view = objection_cases.show_objection(app, acting(app, args.as_subject), args.id)
    _print_objection(view, args.json)
    return 0


def _decide(args: argparse.Namespace, app: Application) -> int:
    try:
        ruling = ObjectionRuling(
            outcome="upheld" if args.uphold else "granted", grade=args.grant, note=args.note
        )
    except ValidationError as exc:
        return _invalid("--note", exc)
    actor = acting(app, args.as_subject)
    _print_objection(objection_cases.decide_objection(app, actor, args.id, ruling), args.json)
    return 0


def _invalid(option: str, exc: ValidationError) -> int:
    print(f"customs: {option}: {exc.errors()[0]['msg']}", file=sys.stderr)
    return 2


def _print_objection(view: ObjectionView, as_json: bool) -> None:
    if as_json:
        print(json.dumps(view.as_json(), ensure_ascii=False))
        return
    notice = view.notice
    print(
        f"objection {view.id}: {view.trader} class {notice.grade} of {notice.valid_from} "
        f"(objections by {notice.objection_deadline}), {view.status}; filed by {view.filed_by} "
        f"{view.filed_at}: {view.grounds}"
    )
    if view.decided_by is not None:
        print(f"  decided by {view.decided_by} {view.decided_at}: {view.decision_note}")
    if view.result is not None:
        until = f" until {view.result.valid_until}" if view.result.valid_until else ""
        print(f"  new class {view.result.grade} from {view.result.valid_from}{until}")
