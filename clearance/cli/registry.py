"""``customs registry``: licences, certificates, memberships, traders, price ranges."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from clearance.app import (
    LOCAL_OPERATOR,
    Application,
    registries,
)
from clearance.cli.files import read_documents
from core.errors import CustomsError


def register(sub: Any, groups: dict[str, Any]) -> None:
    """Add the commands of this group to the ``customs`` parser."""
    registry = sub.add_parser("registry", help="licences, certificates, traders …").add_subparsers(
        metavar="ACTION"
    )
    load = registry.add_parser("load", help="load registry files together (docs/rules.md)")
    load.add_argument("files", nargs="+", type=Path, metavar="FILE")
    load.set_defaults(handler=_registry_load)


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
