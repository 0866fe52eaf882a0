"""``customs stats``: refresh the facts, tables with disclosure control (CSV, JSON, SDMX-CSV)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from clearance.app import LOCAL_OPERATOR, Application
from clearance.app import statistics as stats
from clearance.app import statistics_charts as charting
from clearance.app import statistics_confidentiality as confidentiality
from clearance.cli.identity import acting

FORMATS = ("text", "csv", "json", "sdmx-csv", "parquet")


def register(sub: Any, groups: dict[str, Any]) -> None:
    """Add the ``stats`` commands to the ``customs`` parser."""
    st = sub.add_parser("stats", help="trade statistics").add_subparsers(metavar="ACTION")
    ref = st.add_parser("refresh", help="count released items from the event log since last time")
    ref.add_argument("--json", action="store_true")
    ref.set_defaults(handler=_refresh)
    tab = st.add_parser("table", help="a one- or two-way table with disclosure control")
    tab.add_argument("--rows", required=True, choices=stats.AXES, metavar="AXIS")
    tab.add_argument("--columns", choices=stats.AXES, metavar="AXIS")
    tab.add_argument("--flow", choices=("M", "X"), help="M imports, X exports (default both)")
    tab.add_argument("--from", dest="period_from", metavar="YYYY-MM")
    tab.add_argument("--to", dest="period_to", metavar="YYYY-MM")
    tab.add_argument(
        "--filter",
        action="append",
        default=[],
        metavar="DIM=CODE[,CODE]",
        help="keep only these codes (hs matches by prefix); repeatable",
    )
    tab.add_argument("--format", choices=FORMATS, default="text")
    tab.add_argument("--unprotected", action="store_true", help="before protection (clearance)")
    tab.add_argument("--out", type=Path, help="write to this file instead of standard output")
    tab.add_argument("--subtotals", action="store_true", help="HS rows: parent levels too")
    tab.add_argument("--growth", action="store_true", help="growth on the same period last year")
    tab.add_argument("--balance", action="store_true", help="with --columns flow: X minus M")
    tab.add_argument(
        "--publish",
        action="store_true",
        help="record the protected table as published: later linked tables keep its pattern",
    )
    tab.set_defaults(handler=_table)
    gen = st.add_parser("generate", help="write synthetic but realistic facts (SYN… numbers)")
    gen.add_argument("--items", type=int, default=100_000)
    gen.add_argument("--seed", type=int, default=14)
    gen.add_argument("--from", dest="first_period", default="2025-01", metavar="YYYY-MM")
    gen.add_argument("--months", type=int, default=24)
    gen.set_defaults(handler=_generate)
    pub = st.add_parser("publish", help="record a period's figures as published")
    pub.add_argument("period", metavar="YYYY-MM")
    pub.add_argument("--final", action="store_true", help="no longer provisional")
    pub.set_defaults(handler=_publish)
    _register_confidentiality(st)
    chart = st.add_parser("chart", help="a chart of the protected figures as SVG")
    chart.add_argument("kind", choices=charting.KINDS)
    chart.add_argument("--flow", choices=("M", "X"), help="bars: imports or exports only")
    chart.add_argument("--from", dest="period_from", metavar="YYYY-MM")
    chart.add_argument("--to", dest="period_to", metavar="YYYY-MM")
    chart.add_argument("--top", type=int, default=10, help="bars shown (top partners/chapters)")
    chart.add_argument("--format", choices=("svg", "json"), default="svg")
    chart.add_argument("--out", type=Path, help="write to this file instead of standard output")
    chart.set_defaults(handler=_chart)


def _chart(args: argparse.Namespace, app: Application) -> int:
    view = charting.chart(
        app,
        LOCAL_OPERATOR,
        args.kind,
        flow=args.flow,
        period_from=args.period_from,
        period_to=args.period_to,
        top=args.top,
    )
    if args.format == "json":
        body = json.dumps(view.as_json(), ensure_ascii=False, indent=2) + "\n"
    else:
        body = view.svg
    if args.out is not None:
        args.out.write_text(body, encoding="utf-8")
        print(f"{args.out}: {view.title} ({len(view.rows)} figures)", file=sys.stderr)
    else:
        sys.stdout.write(body)
    if view.confidential_hidden:
        print(f"{view.confidential_hidden} confidential figures not shown", file=sys.stderr)
    return 0


def _register_confidentiality(st: Any) -> None:
    """``customs stats confidentiality file|list|show|review``."""
    conf = st.add_parser(
        "confidentiality", help="traders' requests that their figures be confidential"
    ).add_subparsers(metavar="ACTION")
    as_help = "act as this subject (a trader files for itself; default: the operator)"
    filing = conf.add_parser("file", help="file a request for a party (a trader: its own)")
    filing.add_argument("--party", required=True, help="the trader's party id (USCC)")
    filing.add_argument("--reason", required=True)
    filing.add_argument("--as", dest="as_subject", metavar="SUBJECT", help=as_help)
    filing.add_argument("--json", action="store_true")
    filing.set_defaults(handler=_conf_file)
    listing = conf.add_parser("list", help="the requests one may see (a trader: its own)")
    listing.add_argument("--status", choices=confidentiality.STATUSES)
    listing.add_argument("--as", dest="as_subject", metavar="SUBJECT", help=as_help)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_conf_list)
    showing = conf.add_parser("show", help="one request")
    showing.add_argument("id", type=int)
    showing.add_argument("--as", dest="as_subject", metavar="SUBJECT", help=as_help)
    showing.add_argument("--json", action="store_true")
    showing.set_defaults(handler=_conf_show)
    review = conf.add_parser("review", help="accept or reject a pending request (manager)")
    review.add_argument("id", type=int)
    decision = review.add_mutually_exclusive_group(required=True)
    decision.add_argument("--accept", action="store_true")
    decision.add_argument("--reject", action="store_true")
    review.add_argument("--note", default="")
    review.add_argument("--as", dest="as_subject", metavar="SUBJECT", help=as_help)
    review.add_argument("--json", action="store_true")
    review.set_defaults(handler=_conf_review)


def _conf_print(view: confidentiality.RequestView, as_json: bool) -> None:
    if as_json:
        print(json.dumps(view.as_json(), ensure_ascii=False))
        return
    reviewed = f" by {view.reviewed_by}" if view.reviewed_by else ""
    print(f"#{view.id} {view.party} {view.status}{reviewed}: {view.reason}")


def _conf_file(args: argparse.Namespace, app: Application) -> int:
    new = confidentiality.NewRequest(party=args.party, reason=args.reason)
    _conf_print(confidentiality.file_request(app, acting(app, args.as_subject), new), args.json)
    return 0


def _conf_list(args: argparse.Namespace, app: Application) -> int:
    actor = acting(app, args.as_subject)
    for view in confidentiality.list_requests(app, actor, args.status):
        _conf_print(view, args.json)
    return 0


def _conf_show(args: argparse.Namespace, app: Application) -> int:
    actor = acting(app, args.as_subject)
    _conf_print(confidentiality.show_request(app, actor, args.id), args.json)
    return 0


def _conf_review(args: argparse.Namespace, app: Application) -> int:
    review = confidentiality.Review(accept=args.accept, note=args.note)
    actor = acting(app, args.as_subject)
    _conf_print(confidentiality.review_request(app, actor, args.id, review), args.json)
    return 0


def _refresh(args: argparse.Namespace, app: Application) -> int:
    done = stats.refresh(app, LOCAL_OPERATOR)
    if args.json:
        print(json.dumps(done.as_json(), indent=2))
        return 0
    print(
        f"events {done.cursor_before + 1}..{done.cursor}: {done.declarations} declarations, "
        f"{done.counted} facts counted, {done.revised} revised, {done.withdrawn} withdrawn"
        + (f", {done.without_usd} without a USD rate" if done.without_usd else "")
    )
    return 0


def _table(args: argparse.Namespace, app: Application) -> int:
    filters: dict[str, list[str]] = {}
    for text in args.filter:
        name, sep, codes = text.partition("=")
        if not sep or not codes:
            print(f"customs: --filter {text!r}: expected DIM=CODE[,CODE]", file=sys.stderr)
            return 2
        filters.setdefault(name, []).extend(c for c in codes.split(",") if c)
    request = stats.TableRequest(
        rows=args.rows,
        columns=args.columns,
        flow=args.flow,
        period_from=args.period_from,
        period_to=args.period_to,
        filters=filters,
        unprotected=args.unprotected,
        subtotals=args.subtotals,
        growth=args.growth,
        balance=args.balance,
    )
    if args.format == "parquet" and args.out is None:
        print("customs: --format parquet needs --out FILE", file=sys.stderr)
        return 2
    if args.publish:
        result = stats.publish_table(app, LOCAL_OPERATOR, request)
    else:
        result = stats.table(app, LOCAL_OPERATOR, request)
    if args.format == "parquet":
        args.out.write_bytes(stats.parquet(result))
        print(f"{args.out}: {len(result.cells)} cells", file=sys.stderr)
    elif args.out is not None:
        args.out.write_text(_render(result, args.format), encoding="utf-8")
        print(f"{args.out}: {len(result.cells)} cells", file=sys.stderr)
    else:
        sys.stdout.write(_render(result, args.format))
    audit = result.audit
    print(
        f"{len(result.cells)} cells, {audit.confidential_cells} confidential, "
        f"{audit.complementary_cells} complementary; audit "
        f"{'passed' if audit.passed else 'FAILED'} ({audit.linear_programs} LPs"
        + (f", with {audit.linked_tables} published linked tables" if audit.linked_tables else "")
        + "), "
        f"{result.seconds:.3f} s",
        file=sys.stderr,
    )
    return 0 if audit.passed else 1


def _render(result: stats.StatTableView, form: str) -> str:
    if form == "csv":
        return result.csv
    if form == "sdmx-csv":
        return result.sdmx_csv
    if form == "json":
        return json.dumps(result.as_json(), ensure_ascii=False, indent=2) + "\n"
    lines = []
    for cell in result.cells:
        value = "x" if cell["value_cny"] is None else cell["value_cny"]
        flags = ",".join(f[0].upper() for f in cell["flags"])
        lines.append(f"{cell['row']:<12} {cell['column']:<12} {value:>20} {flags}")
    header = f"{result.rows:<12} {result.columns or '':<12} {'CNY':>20} flags (C P R)"
    return "\n".join([header, *lines]) + "\n"


def _generate(args: argparse.Namespace, app: Application) -> int:
    done = stats.generate(
        app,
        LOCAL_OPERATOR,
        args.items,
        seed=args.seed,
        first_period=args.first_period,
        months=args.months,
        progress=_progress_bar,
    )
    print(
        f"{done.items} synthetic facts from {done.first_period} over {done.months} months, "
        f"{done.traders} traders (seed {done.seed})"
    )
    return 0


def _publish(args: argparse.Namespace, app: Application) -> int:
    done = stats.publish(app, LOCAL_OPERATOR, args.period, final=args.final)
    print(f"{done.period} published{' (final)' if done.final else ''} at fact sequence {done.seq}")
    return 0


def _progress_bar(done: int, total: int) -> None:
    """A progress bar on standard error, on a terminal only (scripts get clean output)."""
    if not sys.stderr.isatty():
        return
    width = 30
    filled = width * done // max(total, 1)
    end = "\n" if done >= total else ""
    bar = "#" * filled + "-" * (width - filled)
    print(f"\r[{bar}] {done:,}/{total:,}", end=end, file=sys.stderr, flush=True)
