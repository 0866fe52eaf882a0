"""``customs ledgers check``: every running balance against the sums of its entries."""

from __future__ import annotations

import argparse
import json
from typing import Any

from clearance.app import LOCAL_OPERATOR, Application, housekeeping


def register(sub: Any, groups: dict[str, Any]) -> None:
    """Add ``ledgers check`` to the ``customs`` parser."""
    ledgers = sub.add_parser("ledgers", help="ledger balances").add_subparsers(metavar="ACTION")
    check = ledgers.add_parser(
        "check", help="recompute every ledger's balance from its entries; report drift"
    )
    check.add_argument(
        "--repair", action="store_true", help="set drifted balances back to their entries"
    )
    check.add_argument("--json", action="store_true")
    check.set_defaults(handler=_check)


def _check(args: argparse.Namespace, app: Application) -> int:
    done = housekeeping.ledger_balances_check(app, LOCAL_OPERATOR, repair=args.repair)
    if args.json:
        print(json.dumps(done.as_json(), ensure_ascii=False, indent=2))
    else:
        for drift in done.drifted:
            stored = ", ".join(f"{k} {v}" for k, v in drift.stored.items())
            summed = ", ".join(f"{k} {v}" for k, v in drift.recomputed.items())
            print(f"{drift.key}: stored {stored}; entries sum to {summed}")
        state = "repaired" if done.repaired else "found"
        print(f"{len(done.drifted)} ledger(s) drifted from their entries ({state})")
    # Drift left in place is a failure a monitor can see; repaired, the store is consistent.
    return 1 if done.drifted and not done.repaired else 0
