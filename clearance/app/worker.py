"""The worker use case: run queued jobs in this process until stopped (``customs worker``).

The task bodies are the application's own use cases (:func:`clearance.app.queueing.
process_message` and the scheduled jobs), so a job does exactly what the same call from a
front door would do, in its unit of work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from clearance.app.access import Permission, require
from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.errors import RefusedError
from clearance.app.mailbox import MAILBOX, take_sender
from clearance.app.monitoring import store_fault_seen
from clearance.app.queueing import process_message
from clearance.app.scheduler import run_scheduled
from clearance.queueing.engine import uses_queue
from clearance.queueing.jobs import MAILBOX_SENDER, PROCESS_MESSAGE, RUN_SCHEDULED
from clearance.queueing.worker import TaskBody, WorkerOptions, run_worker


@dataclass(frozen=True, slots=True)
class WorkerRequest:
    """How the operator asked the worker to run."""

    concurrency: int = 1
    #: Stop once the queue is empty instead of waiting for more.
    drain: bool = False
    name: str | None = None


def task_bodies(app: Application) -> dict[str, TaskBody]:
    """Every task a worker runs, by name, bound to ``app``."""

    def process(message_id: int) -> None:
        process_message(app, message_id)

    def scheduled(job: str, slot_id: int) -> None:
        run_scheduled(app, job, slot_id)

    def mailbox_sender(sender: str) -> None:
        take_sender(app, MAILBOX, sender)

    return {PROCESS_MESSAGE: process, RUN_SCHEDULED: scheduled, MAILBOX_SENDER: mailbox_sender}


def run(
    app: Application,
    actor: Actor,
    request: WorkerRequest,
    on_started: Callable[[], None] | None = None,
) -> None:
    """Run a worker over the store's queue until SIGINT/SIGTERM (or, draining, until empty)."""
    require(actor, Permission.SUBMIT)
    if not uses_queue(app.engine):
        raise RefusedError(
            "workers need the PostgreSQL store (CUSTOMS_DATABASE_URL=postgresql+psycopg://…); "
            "on SQLite every submission is processed in the process that takes it"
        )
    settings = app.settings
    options = WorkerOptions(
        concurrency=request.concurrency,
        wait=not request.drain,
        heartbeat_seconds=settings.worker_heartbeat_seconds,
        stalled_after_seconds=settings.queue_stalled_after_seconds,
        orphan_after_seconds=settings.queue_orphan_after_seconds,
        retries=settings.queue_retries,
        name=request.name,
    )
    url = app.engine.url.render_as_string(hide_password=False)
    with app.guard():
        # A store fault seen by the worker's loop is counted and logged like any other.
        run_worker(url, app.engine, task_bodies(app), options, on_started, store_fault_seen)
