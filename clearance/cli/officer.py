"""``customs officer``: the queue of flagged declarations and the officers' decisions."""

from __future__ import annotations

import argparse
import json
from typing import Any, get_args

from clearance.app import (
    LOCAL_OPERATOR,
    Actor,
    Application,
    officer,
)


def register(sub: Any, groups: dict[str, Any]) -> None:
    """Add the commands of this group to the ``customs`` parser."""
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
