"""Putting jobs on the queue and reading its state, on the store's own engine.

Jobs are deferred on a connection of the store's engine (procrastinate's ``connection=``), so
a front door needs no second connection pool. Messages are queued with a queueing lock per
message (never two waiting jobs for one message) and a lock per sender (one sender's messages
run one at a time, in the order they were queued: an amendment never overtakes its original).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued
from sqlalchemy import Connection, Engine, text

from clearance.queueing.engine import SEARCH_PATH
from clearance.store.queue_schema import QUEUE_SCHEMA

#: Task names (a contract between the deferring side and the workers).
PROCESS_MESSAGE = "process_message"
#: The queue that carries inbound messages.
INTAKE_QUEUE = "intake"
#: The queue that carries scheduled work (mailbox, outbox, sweeps).
SCHEDULED_QUEUE = "scheduled"
_JOBS = f"{QUEUE_SCHEMA}.procrastinate_jobs"


def defer(
    engine: Engine,
    app: procrastinate.App,
    task: str,
    arguments: dict[str, Any],
    *,
    queue: str,
    lock: str | None = None,
    queueing_lock: str | None = None,
) -> int | None:
    """Queue one job; its id, or None when a job with ``queueing_lock`` is already waiting."""
    try:
        with engine.begin() as connection:
            driver: Any = connection.connection.driver_connection
            driver.execute(f"SET LOCAL search_path TO {SEARCH_PATH}")
            deferrer = app.configure_task(
                task, queue=queue, lock=lock, queueing_lock=queueing_lock, connection=driver
            )
            job_id: int = deferrer.defer(**arguments)
            return job_id
    except AlreadyEnqueued:
        return None


def defer_message(
    engine: Engine, app: procrastinate.App, message_id: int, lock: str | None
) -> int | None:
    """Queue the processing of stored message ``message_id`` (None: already waiting)."""
    return defer(
        engine,
        app,
        PROCESS_MESSAGE,
        {"message_id": message_id},
        queue=INTAKE_QUEUE,
        lock=lock,
        queueing_lock=f"message:{message_id}",
    )


def pending_message_ids(connection: Connection) -> set[int]:
    """Messages with a job waiting or running (not yet done, not given up)."""
    rows = connection.execute(
        text(
            f"SELECT (args->>'message_id')::bigint FROM {_JOBS} "
            "WHERE task_name = :task AND status IN ('todo', 'doing')"
        ),
        {"task": PROCESS_MESSAGE},
    )
    return {int(row[0]) for row in rows}


def orphaned_message_ids(connection: Connection, older_than_seconds: float) -> list[int]:
    """``received`` messages older than the given age with no job waiting or running.

    A submitter that died between storing the bytes and queueing the job (or a ``customs
    submit`` killed mid-message) leaves such a message; the worker's sweep queues it again.
    """
    rows = connection.execute(
        text(
            "SELECT m.id FROM inbound_messages m WHERE m.status = 'received' "
            "AND m.received_at < now() - make_interval(secs => :age) "
            f"AND NOT EXISTS (SELECT 1 FROM {_JOBS} j WHERE j.task_name = :task "
            "AND j.status IN ('todo', 'doing') "
            "AND (j.args->>'message_id')::bigint = m.id) ORDER BY m.id LIMIT 1000"
        ),
        {"age": older_than_seconds, "task": PROCESS_MESSAGE},
    )
    return [int(row[0]) for row in rows]


@dataclass(frozen=True, slots=True)
class QueueState:
    """Jobs of one queue in one status, and how long the oldest has waited."""

    queue: str
    status: str
    jobs: int
    oldest_seconds: float


def queue_states(connection: Connection) -> list[QueueState]:
    """Jobs per queue and status with the age of the oldest (for metrics and ``customs jobs``)."""
    rows = connection.execute(
        text(
            "SELECT j.queue_name, j.status::text, count(*), "
            "COALESCE(EXTRACT(EPOCH FROM now() - min(e.at)), 0) "
            f"FROM {_JOBS} j LEFT JOIN LATERAL (SELECT min(at) AS at FROM "
            f"{QUEUE_SCHEMA}.procrastinate_events e WHERE e.job_id = j.id) e ON true "
            "WHERE j.status IN ('todo', 'doing') GROUP BY 1, 2 ORDER BY 1, 2"
        )
    )
    return [QueueState(str(q), str(s), int(n), float(age)) for q, s, n, age in rows]
