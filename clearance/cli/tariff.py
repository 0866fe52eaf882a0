"""``customs tariff``: load schedule versions, show the measures in force, quote a line."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from clearance.app import LOCAL_OPERATOR, Application
from clearance.app import tariffs as tariff_cases
from clearance.app.typed_inputs import typed_input
from clearance.cli.files import read_documents
from core.errors import CustomsError
from tariffs import render_assessment


def register(sub: Any, groups: dict[str, Any]) -> None:
    """Add the ``tariff`` command group to the ``customs`` parser."""
    tariff = sub.add_parser("tariff", help="tariff schedules: load, show, quote").add_subparsers(
        metavar="ACTION"
    )
    load = tariff.add_parser("load", help="load schedule files (docs/tariff-format.md)")
    load.add_argument("files", nargs="+", type=Path, metavar="FILE")
    load.set_defaults(handler=_load)

    listing = tariff.add_parser("versions", help="list the loaded schedule versions")
    listing.set_defaults(handler=_versions)

    show = tariff.add_parser("show", help="the measures in force for a commodity code")
    _common(show)
    show.set_defaults(handler=_show)

    ask = tariff.add_parser("quote", help="customs value, duties and taxes of one item")
    _common(ask)
    ask.add_argument("--value", nargs=2, required=True, metavar=("AMOUNT", "CURRENCY"))
    ask.add_argument("--quantity", nargs=2, action="append", default=[], metavar=("N", "UNIT"))
    ask.add_argument("--incoterm", default="CIF")
    ask.add_argument("--freight", help="an amount in the value currency, or a rate such as 2%%")
    ask.add_argument("--insurance", help="an amount, or a rate such as 0.3%%")
    ask.add_argument("--document", action="append", default=[], metavar="CODE[:AGREEMENT]")
    ask.add_argument("--preference", help="agreement claimed (e.g. ACFTA)")
    ask.add_argument("--direction", choices=("import", "export"), default="import")
    ask.set_defaults(handler=_quote)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("code", metavar="CODE")
    parser.add_argument("--origin", required=True, metavar="CC")
    parser.add_argument("--on", type=date.fromisoformat, required=True, metavar="YYYY-MM-DD")
    parser.add_argument("--regime", choices=("cn", "eu"), help="default: by configuration")
    parser.add_argument("--version", help="a loaded schedule version (default: the latest)")
    parser.add_argument("--json", action="store_true")


def _load(args: argparse.Namespace, app: Application) -> int:
    return load_files(app, args.files)


def load_files(app: Application, paths: list[Path]) -> int:
    """Load each schedule file in its own unit of work; print what happened; exit status."""
    status = 0
    for path in paths:
        try:
            (document,) = read_documents([path])
            loaded = tariff_cases.load_schedule(app, LOCAL_OPERATOR, document)
        except CustomsError as exc:
            print(f"customs: {exc.message}", file=sys.stderr)
            status = 1
            continue
        state = "loaded as new version" if loaded.created else "already loaded as version"
        print(f"{path}: {state} {loaded.version_id} ({loaded.schedule_name})")
    return status


def _versions(args: argparse.Namespace, app: Application) -> int:
    for row in tariff_cases.versions(app, LOCAL_OPERATOR):
        loaded = row.loaded_at[:16].replace("T", " ")
        print(
            f"{row.version_id:<24} {row.regime or '-':<4} published {row.published} "
            f"loaded {loaded} {row.content_hash[:12]}  {row.name}"
        )
    return 0


# A refused field is named as the option the user typed (``--origin: ...``), not as the model's
# field (most of the request's fields carry their option's name).
_OPTION = "--"


def _lookup(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "code": args.code,
        "origin": args.origin,
        "on": args.on,
        "regime": args.regime,
        "version": args.version,
    }


def _show(args: argparse.Namespace, app: Application) -> int:
    lookup = typed_input(tariff_cases.Lookup, _lookup(args), field_prefix=_OPTION)
    found = tariff_cases.measures(app, LOCAL_OPERATOR, lookup)
    if args.json:
        print(json.dumps(found.measures, ensure_ascii=False, indent=2))
    else:
        print(found.text)
    return 0


def _quote(args: argparse.Namespace, app: Application) -> int:
    amount, currency = args.value
    request = typed_input(
        tariff_cases.QuoteRequest,
        {
            **_lookup(args),
            "value": amount,
            "currency": currency,
            "quantities": [tuple(q) for q in args.quantity],
            "incoterm": args.incoterm,
            "freight": args.freight,
            "insurance": args.insurance,
            "documents": args.document,
            "preference": args.preference,
            "direction": args.direction,
        },
        field_prefix=_OPTION,
    )
    assessment = tariff_cases.quote(app, LOCAL_OPERATOR, request)
    if args.json:
        print(assessment.model_dump_json(indent=2))
    else:
        print(render_assessment(assessment))
    return 0
