"""``customs fx``: bank feeds, indicators, classification and one trader's FX record."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

from clearance.app import LOCAL_OPERATOR, Application
from clearance.app import fx as fx_cases
from clearance.cli import printing
from clearance.cli.files import read_documents


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
