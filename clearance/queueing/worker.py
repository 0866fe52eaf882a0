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
import signal
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

import procrastinate
from procrastinate import BaseRetryStrategy, RetryDecision, RetryStrategy
from procrastinate.jobs import Job
from sqlalchemy import Engine, text

from clearance.queueing.engine import queue_app
from clearance.queueing.jobs import defer_message, orphaned_message_ids
from clearance.queueing.sender_key import ordering_lock
from core.db import store_fault

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


#: A store fault (:func:`core.db.store_fault`) seen by the worker: its kind and the error.
StoreFaultHook = Callable[[BaseException, str], None]
#: The longest wait between two tries of a job, or of the worker's loop, while the store is away.
STORE_BACKOFF_MAX_SECONDS = 60


class PatientRetry(BaseRetryStrategy):
    """Retries for a job: the usual few for its own failures, without end for the store's.

    A job that failed because the store went away or its disk filled (:func:`store_fault`)
    did nothing (its unit of work rolled back) and will succeed once the store is back, so it
    is tried again with back-off (2, 4, 8 … s, at most :data:`STORE_BACKOFF_MAX_SECONDS`)
    however long that takes, and never becomes a dead letter for it. Any other failure takes
    ``retries`` more attempts with exponential back-off, then the job stays ``failed``.
    """

    def __init__(self, retries: int) -> None:
        self.usual = RetryStrategy(max_attempts=retries, exponential_wait=2)

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        """When to try ``job`` again after ``exception`` (None: give up)."""
        if store_fault(exception) is not None:
            wait = min(2 ** min(job.attempts + 1, 16), STORE_BACKOFF_MAX_SECONDS)
            return RetryDecision(retry_in={"seconds": wait})
        return self.usual.get_retry_decision(exception=exception, job=job)


def run_worker(
    url: str,
    engine: Engine,
    bodies: Mapping[str, TaskBody],
    options: WorkerOptions,
    on_started: Callable[[], None] | None = None,
    on_store_fault: StoreFaultHook | None = None,
) -> None:
    """Run a worker until it is stopped (SIGINT/SIGTERM), or until the queue is empty.

    When the database goes away (a restart, a fail-over) procrastinate's worker stops; this
    one waits with back-off and starts it again, so a worker outlives the store's restarts.
    """
    app = queue_app(url, min_size=1, max_size=options.concurrency + 3)
    retry = PatientRetry(options.retries)
    for name, body in bodies.items():
        app.task(name=name, retry=retry, pass_context=False)(body)
    asyncio.run(_main(app, url, engine, options, on_started, on_store_fault))


async def _main(
    app: procrastinate.App,
    url: str,
    engine: Engine,
    options: WorkerOptions,
    on_started: Callable[[], None] | None,
    on_store_fault: StoreFaultHook | None,
) -> None:
    stopping = asyncio.Event()
    running: list[asyncio.Task[None]] = []

    def stop() -> None:
        stopping.set()
        for task in running:
            task.cancel()  # procrastinate's worker stops gracefully when cancelled

    _on_signals(stop)
    backoff = 1.0
    started = [on_started] if on_started is not None else []
    while not stopping.is_set():
        error: BaseException | None = None
        try:
            task = asyncio.create_task(_one_run(app, url, engine, options, started, on_store_fault))
            running[:] = [task]
            await task
            if not options.wait:
                return  # drained
            # Stopped by itself: one of procrastinate's side tasks (heartbeat, listener)
            # failed, and every one of them is a conversation with the database.
        except asyncio.CancelledError:
            if stopping.is_set():
                return
            raise
        except Exception as exc:
            if store_fault(exc) is None:
                raise
            error = exc
        if stopping.is_set():
            return
        if on_store_fault is not None:
            on_store_fault(error or ConnectionError("the worker lost its database"), "worker")
        log.warning(
            "worker stopped: the database went away; starting again",
            extra={"retry_in_seconds": backoff, "error": str(error) if error else None},
        )
        with suppress(TimeoutError):  # waited the back-off out (or was stopped)
            await asyncio.wait_for(stopping.wait(), timeout=backoff)
        backoff = min(backoff * 2, STORE_BACKOFF_MAX_SECONDS)


def _on_signals(stop: Callable[[], None]) -> None:
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Not the main thread: whoever runs the worker there stops it.
        with suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, stop)


async def _one_run(
    app: procrastinate.App,
    url: str,
    engine: Engine,
    options: WorkerOptions,
    on_started: list[Callable[[], None]],
    on_store_fault: StoreFaultHook | None = None,
) -> None:
    """Open the queue, sweep, and run procrastinate's worker until it stops.

    ``on_started`` (emptied here) is called once the first run is under way.
    """
    deferring = queue_app(url)  # never opened: defers on the store's own connections
    async with app.open_async():
        await sweep(app, deferring, engine, options)
        sweeper = asyncio.create_task(
            _sweep_forever(app, deferring, engine, options, on_store_fault)
        )
        while on_started:
            on_started.pop()()
        settings: dict[str, Any] = {
            "concurrency": options.concurrency,
            "wait": options.wait,
            "update_heartbeat_interval": options.heartbeat_seconds,
            "stalled_worker_timeout": options.stalled_after_seconds,
            "install_signal_handlers": False,  # ours (above) stop every run, not just this one
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
    on_store_fault: StoreFaultHook | None = None,
) -> None:
    while True:
        await asyncio.sleep(options.heartbeat_seconds)
        try:
            await sweep(app, deferring, engine, options)
        except Exception as exc:  # the next round tries again; the worker keeps working
            if store_fault(exc) is None:
                log.exception("sweep failed")
            elif on_store_fault is not None:
                # The database is away: counted and logged once, without a traceback.
                on_store_fault(exc, "sweep")


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
