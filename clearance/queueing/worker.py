"""A worker process: procrastinate's worker over the given task bodies, and a sweep.

Task bodies are plain synchronous functions (procrastinate runs them in a thread). Each is
registered with a retry strategy: a failing job is tried again with exponential back-off, and
after the last attempt it stays ``failed`` (a dead letter, docs/operations.md).

The sweep, run at start and then every heartbeat, puts back to work what a dead process left:
jobs still ``doing`` under a worker whose heartbeat stopped (a ``kill -9``, a lost machine),
and ``received`` messages that no job carries (a submitter that died before queueing).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import procrastinate
from procrastinate import RetryStrategy
from sqlalchemy import Engine, text

from clearance.queueing.engine import queue_app
from clearance.queueing.jobs import defer_message, orphaned_message_ids
from clearance.queueing.sender_key import ordering_lock

log = logging.getLogger("clearance.worker")

#: A task body: called with the job's arguments.
TaskBody = Callable[..., None]


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    """How one worker process runs."""

    concurrency: int = 1
    queues: tuple[str, ...] | None = None
    #: False: process what is queued, then stop (benchmarks, a drain).
    wait: bool = True
    heartbeat_seconds: float = 10.0
    #: A worker silent for this long is taken as dead and its jobs are queued again.
    stalled_after_seconds: float = 30.0
    #: A ``received`` message this old that no job carries is queued by the sweep.
    orphan_after_seconds: float = 600.0
    #: Further attempts after a job's first failure (exponential back-off, 2, 4, 8 … s).
    retries: int = 4
    name: str | None = None


def run_worker(
    url: str,
    engine: Engine,
    bodies: Mapping[str, TaskBody],
    options: WorkerOptions,
    on_started: Callable[[], None] | None = None,
) -> None:
    """Run a worker until it is stopped (SIGINT/SIGTERM), or until the queue is empty."""
    app = queue_app(url, min_size=1, max_size=options.concurrency + 3)
    retry = RetryStrategy(max_attempts=options.retries, exponential_wait=2)
    for name, body in bodies.items():
        app.task(name=name, retry=retry, pass_context=False)(body)
    asyncio.run(_main(app, url, engine, options, on_started))


async def _main(
    app: procrastinate.App,
    url: str,
    engine: Engine,
    options: WorkerOptions,
    on_started: Callable[[], None] | None,
) -> None:
    deferring = queue_app(url)  # never opened: defers on the store's own connections
    async with app.open_async():
        await sweep(app, deferring, engine, options)
        sweeper = asyncio.create_task(_sweep_forever(app, deferring, engine, options))
        if on_started is not None:
            on_started()
        settings: dict[str, Any] = {
            "concurrency": options.concurrency,
            "wait": options.wait,
            "update_heartbeat_interval": options.heartbeat_seconds,
            "stalled_worker_timeout": options.stalled_after_seconds,
        }
        if options.queues:
            settings["queues"] = list(options.queues)
        if options.name:
            settings["name"] = options.name
        try:
            await app.run_worker_async(**settings)
        finally:
            sweeper.cancel()


async def _sweep_forever(
    app: procrastinate.App,
    deferring: procrastinate.App,
    engine: Engine,
    options: WorkerOptions,
) -> None:
    while True:
        await asyncio.sleep(options.heartbeat_seconds)
        try:
            await sweep(app, deferring, engine, options)
        except Exception:  # the next round tries again; the worker keeps working
            log.exception("sweep failed")


async def sweep(
    app: procrastinate.App, deferring: procrastinate.App, engine: Engine, options: WorkerOptions
) -> int:
    """Queue again the jobs of dead workers and the messages no job carries; how many."""
    again = 0
    stalled = await app.job_manager.get_stalled_jobs(
        seconds_since_heartbeat=options.stalled_after_seconds
    )
    for job in stalled:
        await app.job_manager.retry_job(job)
        log.warning(
            "stalled job queued again",
            extra={"job_id": job.id, "task": job.task_name, "job_args": job.task_kwargs},
        )
        again += 1
    for message_id, sender, head in await asyncio.to_thread(
        _orphans, engine, options.orphan_after_seconds
    ):
        lock = ordering_lock(sender, head)
        if await asyncio.to_thread(defer_message, engine, deferring, message_id, lock):
            log.warning("unqueued message queued", extra={"message_id": message_id})
            again += 1
    return again


def _orphans(engine: Engine, older_than: float) -> list[tuple[int, str | None, bytes]]:
    with engine.connect() as connection:
        ids = orphaned_message_ids(connection, older_than)
        if not ids:
            return []
        rows = connection.execute(
            text(
                "SELECT id, sender, substring(raw from 1 for 1024) FROM inbound_messages "
                "WHERE id = ANY(:ids) ORDER BY id"
            ),
            {"ids": ids},
        )
        return [(int(i), _known(s), bytes(h)) for i, s, h in rows]


def _known(sender: Any) -> str | None:
    return None if sender in (None, "UNKNOWN") else str(sender)
