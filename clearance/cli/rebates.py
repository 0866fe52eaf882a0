"""``customs rebates``: exit confirmation and the batches for the tax authority."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from clearance.app import (
    LOCAL_OPERATOR,
    Application,
    rebates,
)


def register(sub: Any, groups: dict[str, Any]) -> None:
    """Add the commands of this group to the ``customs`` parser."""
    reb = sub.add_parser("rebates", help="export-rebate records").add_subparsers(metavar="ACTION")
    ex = reb.add_parser("export", help="write a batch file for the tax authority")
    ex.add_argument("--from", dest="date_from", type=date.fromisoformat, required=True)
    ex.add_argument("--to", dest="date_to", type=date.fromisoformat, required=True)
    ex.add_argument("--out", type=Path, default=Path("."))
    ex.set_defaults(handler=_rebates_export)
    conf = reb.add_parser("confirm-exit", help="exit confirmed for a declaration's goods")
    conf.add_argument("number")
    conf.set_defaults(handler=_confirm_exit)


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
