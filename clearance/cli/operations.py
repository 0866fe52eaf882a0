"""``customs worker``, ``customs submit --queue`` and the dead letters (``customs messages``)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from clearance.app import LOCAL_OPERATOR, Application, ProcessingError
from clearance.app import queueing as queue_cases
from clearance.app import worker as worker_cases
from clearance.app.messages import Interchange
from clearance.cli import printing


def register(sub: Any, groups: dict[str, Any]) -> None:
    """Add ``worker`` and the dead-letter actions of ``messages`` to the ``customs`` parser."""
    worker = sub.add_parser("worker", help="process queued jobs (PostgreSQL store)")
    worker.add_argument("--concurrency", type=int, default=1, help="jobs at once (threads)")
    worker.add_argument(
        "--drain", action="store_true", help="stop once the queue is empty instead of waiting"
    )
    worker.add_argument("--name", help="worker name in logs and the queue's worker table")
    worker.set_defaults(handler=_worker)
    messages = groups.get("messages")
    if messages is None:
        return
    dead = messages.add_parser("dead", help="failed messages nothing will try again")
    dead.add_argument("--json", action="store_true")
    dead.add_argument("--limit", type=int, default=100)
    dead.set_defaults(handler=_dead)
    requeue = messages.add_parser("requeue", help="queue a failed message again")
    requeue.add_argument("message_id", type=int)
    requeue.add_argument("--json", action="store_true")
    requeue.set_defaults(handler=_requeue)


def submit_queued(args: argparse.Namespace, app: Application) -> int:
    """``customs submit --queue``: store each file and queue it (processed at once on SQLite)."""
    status = 0
    for path in args.files:
        path = Path(path)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            print(f"customs: cannot read {path}: {exc.strerror}", file=sys.stderr)
            status = 1
            continue
        interchange = Interchange(raw, filename=str(path), sender=args.sender)
        try:
            queued = queue_cases.enqueue(app, LOCAL_OPERATOR, interchange)
        except ProcessingError as exc:
            print(f"customs: {path}: {exc.message}", file=sys.stderr)
            status = 1
            continue
        _print_queued(queued, str(path), as_json=args.json)
    return status


def _print_queued(queued: queue_cases.Queued, name: str, *, as_json: bool) -> None:
    if queued.outcome is not None:
        printing.print_outcome(queued.outcome, as_json=as_json)
    elif as_json:
        data = {"file": name, "message_id": queued.message_id, "job_id": queued.job_id}
        print(json.dumps({**data, "status": "queued"}))
    else:
        job = f"job {queued.job_id}" if queued.job_id is not None else "already queued"
        print(f"{name}: queued (message {queued.message_id}, {job})")


def _worker(args: argparse.Namespace, app: Application) -> int:
    request = worker_cases.WorkerRequest(
        concurrency=args.concurrency, drain=args.drain, name=args.name
    )
    worker_cases.run(app, LOCAL_OPERATOR, request)
    return 0


def _dead(args: argparse.Namespace, app: Application) -> int:
    rows = queue_cases.dead_letters(app, LOCAL_OPERATOR, limit=args.limit)
    if args.json:
        printing.print_json_lines([r.as_json() for r in rows])
        return 0
    for r in rows:
        print(f"{r.message_id:>7}  {r.received_at:<25} {r.sender:<16} {r.error or '-'}")
    print(
        f"{len(rows)} dead letter(s); retry one with: customs messages requeue ID", file=sys.stderr
    )
    return 0


def _requeue(args: argparse.Namespace, app: Application) -> int:
    queued = queue_cases.requeue(app, LOCAL_OPERATOR, args.message_id)
    _print_queued(queued, f"message {queued.message_id}", as_json=args.json)
    return 0
