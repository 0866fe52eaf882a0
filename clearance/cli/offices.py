"""``customs offices``: the customs-offices registry (load from JSON lines, list)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from clearance.app import LOCAL_OPERATOR, Application, offices
from clearance.cli import printing
from clearance.cli.files import read_documents
from core.errors import CustomsError


def register(sub: Any, groups: dict[str, Any]) -> None:
    """Add the commands of this group to the ``customs`` parser."""
    group = sub.add_parser("offices", help="the customs-offices registry").add_subparsers(
        metavar="ACTION"
    )
    load = group.add_parser("load", help="add or replace offices by code (docs/cli.md)")
    load.add_argument("files", nargs="+", type=Path, metavar="FILE")
    load.set_defaults(handler=_load)
    listing = group.add_parser("list", help="every office of the registry, by code")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)


def _load(args: argparse.Namespace, app: Application) -> int:
    return load_office_files(app, args.files)


def load_office_files(app: Application, paths: list[Path]) -> int:
    """Load offices files in one transaction; print what happened; exit status."""
    try:
        loaded = offices.load(app, LOCAL_OPERATOR, read_documents(paths))
    except CustomsError as exc:
        print(f"customs: {exc.message}", file=sys.stderr)
        return 1
    print(
        f"{loaded.offices} offices loaded: {loaded.added} added, {loaded.changed} changed, "
        f"{loaded.unchanged} unchanged"
    )
    return 0


def _list(args: argparse.Namespace, app: Application) -> int:
    rows = offices.list_offices(app, LOCAL_OPERATOR)
    if args.json:
        printing.print_json_lines([row.as_json() for row in rows])
        return 0
    print(f"{'code':<9} {'country':<7} {'valid from':<10} {'valid to':<10} name")
    for row in rows:
        name = row.name + (f" ({row.name_zh})" if row.name_zh else "")
        print(
            f"{row.code:<9} {row.country:<7} {row.valid_from:<10} {row.valid_to or '-':<10} {name}"
        )
    return 0
