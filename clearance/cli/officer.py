"""``customs officer``: the work queue, claims, decisions and the history of officer work.

The acting officer is named with ``--officer ID`` where an action is theirs; the command runs
as the local operator under that name (who may also act as a supervisor).
"""

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
    officer,
    officer_requests,
    officer_work,
)
from clearance.app.documents import Document
from clearance.app.typed_inputs import typed_input
from clearance.cli.arguments import positive


def register(sub: Any, groups: dict[str, Any]) -> None:
    """Add the commands of this group to the ``customs`` parser."""
    off = sub.add_parser("officer", help="the officers' queue and decisions").add_subparsers(
        metavar="ACTION"
    )
    _queue_parser(off)
    d = off.add_parser("decide", help="release, reject or inspect a declaration")
    d.add_argument("number")
    what = d.add_mutually_exclusive_group(required=True)
    for action in get_args(officer.Action):
        what.add_argument(f"--{action}", dest="action", action="store_const", const=action)
    d.add_argument("--reason", required=True)
    d.add_argument("--officer", required=True, metavar="ID")
    d.add_argument("--version", type=int, help="the version the officer saw (checked)")
    d.set_defaults(handler=_decide)
    c = off.add_parser("claim", help="take a flagged declaration into one's own work")
    c.add_argument("number")
    c.add_argument("--officer", required=True, metavar="ID")
    c.add_argument("--json", action="store_true")
    c.set_defaults(handler=_claim)
    u = off.add_parser("unclaim", help="give a claimed declaration back to the queue")
    u.add_argument("number")
    u.add_argument("--officer", required=True, metavar="ID")
    u.add_argument("--reason")
    u.add_argument("--json", action="store_true")
    u.set_defaults(handler=_unclaim)
    r = off.add_parser("reassign", help="give a declaration to another officer (supervisor)")
    r.add_argument("number")
    r.add_argument("--to", required=True, metavar="ID", help="the officer who holds it next")
    r.add_argument("--reason", required=True)
    r.add_argument("--officer", required=True, metavar="ID", help="the supervisor acting")
    r.add_argument("--json", action="store_true")
    r.set_defaults(handler=_reassign)
    _request_parsers(off, groups["declarations"])
    h = off.add_parser("history", help="every officer action on a declaration")
    h.add_argument("number")
    h.add_argument("--json", action="store_true")
    h.set_defaults(handler=_history)


def _request_parsers(off: Any, declarations: Any) -> None:
    rd = off.add_parser("request-documents", help="ask the trader for documents")
    rd.add_argument("number")
    rd.add_argument("--document", action="append", required=True, metavar="NAME")
    rd.add_argument("--reason", required=True)
    rd.add_argument("--due", required=True, type=date.fromisoformat, metavar="YYYY-MM-DD")
    rd.add_argument("--officer", required=True, metavar="ID")
    rd.add_argument("--version", type=int, help="the version the officer saw (checked)")
    rd.add_argument("--json", action="store_true")
    rd.set_defaults(handler=_request_documents)
    ex = off.add_parser("examine", help="record an examination's result")
    ex.add_argument("number")
    ex.add_argument("--kind", required=True, choices=("physical", "documentary"))
    ex.add_argument("--outcome", required=True, choices=("conform", "discrepancy", "not_presented"))
    ex.add_argument("--findings", required=True)
    ex.add_argument("--container", action="append", default=[], metavar="ISO6346")
    ex.add_argument("--seal", action="append", default=[])
    ex.add_argument("--officer", required=True, metavar="ID")
    ex.add_argument("--version", type=int, help="the version the officer saw (checked)")
    ex.add_argument("--json", action="store_true")
    ex.set_defaults(handler=_examine)
    ar = declarations.add_parser("answer-request", help="present documents an officer asked for")
    ar.add_argument("number")
    ar.add_argument("--request", required=True, type=int, metavar="ID")
    ar.add_argument("files", nargs="+", type=Path, metavar="FILE")
    ar.add_argument("--json", action="store_true")
    ar.set_defaults(handler=_answer_request)


def _queue_parser(off: Any) -> None:
    q = off.add_parser("queue", help="declarations waiting for an officer")
    q.add_argument("--office", action="append", default=[], metavar="CODE")
    q.add_argument("--lane", action="append", default=[], choices=get_args(officer_work.Lane))
    q.add_argument("--status", action="append", default=[], choices=get_args(officer_work.Status))
    who = q.add_mutually_exclusive_group()
    who.add_argument("--claimed-by", metavar="ID")
    who.add_argument("--unclaimed", action="store_true")
    q.add_argument("--min-age", type=int, metavar="HOURS", help="registered at least … ago")
    q.add_argument("--max-age", type=int, metavar="HOURS", help="registered at most … ago")
    q.add_argument("--sort", choices=("oldest", "newest", "lane", "number"), default="oldest")
    q.add_argument("--limit", type=positive, default=100)
    q.add_argument("--offset", type=int, default=0)
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=_queue)


def _queue(args: argparse.Namespace, app: Application) -> int:
    query = officer_work.queue_filter(
        offices=args.office,
        lanes=args.lane,
        statuses=args.status,
        claimed_by=args.claimed_by,
        unclaimed=args.unclaimed,
        min_age_hours=args.min_age,
        max_age_hours=args.max_age,
        sort=args.sort,
        limit=args.limit,
        offset=args.offset,
    )
    result = officer_work.queue(app, LOCAL_OPERATOR, query)
    for r in result.entries:
        if args.json:
            print(json.dumps(r.as_json(), ensure_ascii=False))
        else:
            # A risk rule's version is its ruleset's sha256: 12 hex digits tell them apart,
            # as `declarations explain` prints them (--json keeps the whole).
            rules = ", ".join(
                f"{rule}@{version[:12]}" if version else rule
                for rule, _, version in (fired.partition("@") for fired in r.fired_rules)
            )
            print(
                f"{r.number}  v{r.version} {r.status:<18} {r.lane:<6} {r.office:<4} "
                f"{r.age_hours:>4}h {r.claimed_by or '-':<10} {rules}"
            )
    counts = result.counts
    print(
        f"{counts.total} waiting ({counts.claimed} claimed, {counts.unclaimed} unclaimed); "
        f"lanes {json.dumps(counts.by_lane)}; offices {json.dumps(counts.by_office)}; "
        f"officers {json.dumps(counts.by_officer)}",
        file=sys.stderr,
    )
    return 0


def _decide(args: argparse.Namespace, app: Application) -> int:
    command = officer.Decide(action=args.action, reason=args.reason, version=args.version)
    result = officer.decide(app, Actor.local(args.officer), args.number, command)
    print(f"{result.number}: {result.status} (ledgers: {result.ledgers or '-'})")
    return 0


def _print_claim(view: officer_work.ClaimView, as_json: bool) -> int:
    if as_json:
        print(json.dumps(view.as_json(), ensure_ascii=False))
    elif view.holder is None:
        print(f"{view.number}: not claimed")
    else:
        print(f"{view.number}: claimed by {view.holder} since {view.since}")
    return 0


def _claim(args: argparse.Namespace, app: Application) -> int:
    view = officer_work.claim(app, Actor.local(args.officer), args.number)
    return _print_claim(view, args.json)


def _unclaim(args: argparse.Namespace, app: Application) -> int:
    command = officer_work.Release(reason=args.reason)
    view = officer_work.unclaim(app, Actor.local(args.officer), args.number, command)
    return _print_claim(view, args.json)


def _reassign(args: argparse.Namespace, app: Application) -> int:
    command = officer_work.Reassign(to=args.to, reason=args.reason)
    view = officer_work.reassign(app, Actor.local(args.officer), args.number, command)
    return _print_claim(view, args.json)


def _history(args: argparse.Namespace, app: Application) -> int:
    for e in officer_work.history(app, LOCAL_OPERATOR, args.number):
        if args.json:
            print(json.dumps(e.as_json(), ensure_ascii=False))
        else:
            detail = json.dumps(e.data, ensure_ascii=False, sort_keys=True)
            print(f"{e.id:>7}  {e.occurred_at:<32} {e.kind:<22} {e.by or '-':<10} {detail}")
    return 0


def _request_documents(args: argparse.Namespace, app: Application) -> int:
    ask = typed_input(
        officer_requests.RequestDocuments,
        {
            "documents": args.document,
            "reason": args.reason,
            "due_on": args.due,
            "version": args.version,
        },
    )
    made = officer_requests.request_documents(app, Actor.local(args.officer), args.number, ask)
    if args.json:
        print(json.dumps(made.as_json(), ensure_ascii=False))
    else:
        print(f"{made.number}: {made.status} (request {made.request_id})")
        if made.response:
            print(made.response)
    return 0


def _examine(args: argparse.Namespace, app: Application) -> int:
    exam = typed_input(
        officer_requests.Examine,
        {
            "kind": args.kind,
            "outcome": args.outcome,
            "findings": args.findings,
            "containers": args.container,
            "seals": args.seal,
            "version": args.version,
        },
    )
    done = officer_requests.record_examination(app, Actor.local(args.officer), args.number, exam)
    if args.json:
        print(json.dumps(done.as_json(), ensure_ascii=False))
    else:
        containers = ", ".join(done.containers) or "no containers"
        print(f"{done.number}: examination {done.examination_id} recorded ({containers})")
    return 0


def _answer_request(args: argparse.Namespace, app: Application) -> int:
    try:
        files = [Document.read(path) for path in args.files]
    except OSError as exc:
        print(f"customs: cannot read {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 1
    kept = officer_requests.answer_request(app, LOCAL_OPERATOR, args.number, args.request, files)
    if args.json:
        print(json.dumps(kept.as_json(), ensure_ascii=False))
    else:
        for f in kept.files:
            print(
                f"{kept.number} request {kept.request_id}: {f.filename} {f.size} bytes {f.sha256}"
            )
    return 0
