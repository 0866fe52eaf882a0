"""``customs worker``, ``customs submit --queue`` and the dead letters (``customs messages``)."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from clearance.app import LOCAL_OPERATOR, Application, ProcessingError, RefusedError
from clearance.app import queueing as queue_cases
from clearance.app import scheduler as scheduler_cases
from clearance.app import worker as worker_cases
from clearance.app.messages import Interchange
from clearance.cli import printing
from clearance.cli.arguments import port, positive
from clearance.cli.health_server import serve_health
from core.logs import configure_logging
from core.runtime import settle_heap


def register(sub: Any, groups: dict[str, Any]) -> None:
    """Add ``worker`` and the dead-letter actions of ``messages`` to the ``customs`` parser."""
    worker = sub.add_parser("worker", help="process queued jobs (PostgreSQL store)")
    worker.add_argument("--concurrency", type=positive, default=1, help="jobs at once (threads)")
    worker.add_argument(
        "--drain", action="store_true", help="stop once the queue is empty instead of waiting"
    )
    worker.add_argument("--name", help="worker name in logs and the queue's worker table")
    add_health_options(worker)
    worker.set_defaults(handler=_worker)
    scheduler = sub.add_parser("scheduler", help="run the schedule (one leader at a time)")
    add_health_options(scheduler)
    scheduler.set_defaults(handler=_scheduler)
    jobs = sub.add_parser("jobs", help="the schedule: last and next runs, failures; the queue")
    jobs.add_argument("--json", action="store_true")
    jobs.add_argument(
        "--run", metavar="JOB", help="claim JOB's current slot and run it (queue it on PostgreSQL)"
    )
    jobs.set_defaults(handler=_jobs)
    messages = groups.get("messages")
    if messages is None:
        return
    dead = messages.add_parser("dead", help="failed messages nothing will try again")
    dead.add_argument("--json", action="store_true")
    dead.add_argument("--limit", type=positive, default=100)
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


def add_health_options(parser: Any) -> None:
    """``--health-port`` and ``--health-host`` of a long-running process."""
    parser.add_argument(
        "--health-port", type=port, help="serve /livez, /readyz and /metrics on this port"
    )
    parser.add_argument("--health-host", default="127.0.0.1", help="(default 127.0.0.1)")


@contextmanager
def health(args: argparse.Namespace, app: Application, alive: threading.Event) -> Iterator[None]:
    """The health server for the block's duration, when ``--health-port`` asks for one."""
    if args.health_port is None:
        yield
        return
    try:
        server = serve_health(app, args.health_port, host=args.health_host, alive=alive.is_set)
    except OSError as exc:  # in use, not ours to bind, an unknown host: said before any work
        where = f"{args.health_host}:{args.health_port}"
        raise RefusedError(f"cannot serve health checks on {where}: {exc.strerror or exc}") from exc
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


def _worker(args: argparse.Namespace, app: Application) -> int:
    configure_logging(app.settings.log_level, as_json=app.settings.log_json)
    settle_heap(app.settings)  # once, before it takes work (core/runtime.py)
    request = worker_cases.WorkerRequest(
        concurrency=args.concurrency, drain=args.drain, name=args.name
    )
    alive = threading.Event()
    with health(args, app, alive):
        worker_cases.run(app, LOCAL_OPERATOR, request, on_started=alive.set)
    alive.clear()
    return 0


def _scheduler(args: argparse.Namespace, app: Application) -> int:
    configure_logging(app.settings.log_level, as_json=app.settings.log_json)
    settle_heap(app.settings)  # once, before it takes work (core/runtime.py)
    stop, alive = threading.Event(), threading.Event()
    alive.set()  # a waiting scheduler is alive too; /metrics tells whether it leads
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    with health(args, app, alive):
        scheduler_cases.run(app, LOCAL_OPERATOR, stop)
    return 0


def _jobs(args: argparse.Namespace, app: Application) -> int:
    if args.run:
        return _run_job(args.run, app, as_json=args.json)
    statuses = scheduler_cases.job_statuses(app, LOCAL_OPERATOR)
    queue = queue_cases.queue_summary(app, LOCAL_OPERATOR)
    if args.json:
        for s in statuses:
            print(json.dumps(_status_json(s)))
        for q in queue:
            print(
                json.dumps(
                    {
                        "queue": q.queue,
                        "status": q.status,
                        "jobs": q.jobs,
                        "oldest_seconds": round(q.oldest_seconds, 3),
                    }
                )
            )
        return 0
    print(
        f"{'job':<18} {'cadence':<26} {'last slot':<26} {'last':<7} {'next run':<26} runs  failed"
    )
    for s in statuses:
        last = s.last_slot.isoformat() if s.last_slot else "-"
        print(
            f"{s.job:<18} {s.cadence:<26} {last:<26} {s.last_status or '-':<7} "
            f"{s.next_run.isoformat():<26} {s.runs:>4}  {s.failures:>6}"
            + (f"  ({s.last_error})" if s.last_error else "")
        )
    for q in queue:
        print(f"queue {q.queue}: {q.jobs} {q.status}, oldest {q.oldest_seconds:.1f} s")
    return 0


def _status_json(s: scheduler_cases.JobStatus) -> dict[str, Any]:
    return {
        "job": s.job,
        "description": s.description,
        "every_seconds": s.every_seconds,
        "cadence": s.cadence,
        "last_slot": s.last_slot.isoformat() if s.last_slot else None,
        "last_status": s.last_status,
        "last_error": s.last_error,
        "next_run": s.next_run.isoformat(),
        "runs": s.runs,
        "failures": s.failures,
    }


def _run_job(name: str, app: Application, *, as_json: bool) -> int:
    slot_id = scheduler_cases.fire_by_hand(app, LOCAL_OPERATOR, name)
    if as_json:
        print(json.dumps({"job": name, "slot_id": slot_id, "claimed": slot_id is not None}))
    elif slot_id is None:
        print(f"{name}: its current slot ran already; see `customs jobs` for the next run")
    else:
        print(f"{name}: slot {slot_id} claimed (run here on SQLite, queued on PostgreSQL)")
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
