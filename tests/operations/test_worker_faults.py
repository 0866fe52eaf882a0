"""Real ``customs worker`` processes on PostgreSQL: killed mid-message, failing for good,
several at once. Waits are on database state; nothing sleeps a guessed time."""

from __future__ import annotations

import os
import signal
import subprocess

import pytest
from sqlalchemy import Connection, Engine, text

from clearance.app import LOCAL_OPERATOR, Application
from clearance.app import queueing as queue_cases
from clearance.app.messages import Interchange
from core.clock import FixedClock
from core.settings import Settings
from tests.golden_support import SAMPLES
from tests.operations.support import (
    customs_process,
    empty_queue,
    failing_declarations,
    healed,
    postgres_only,
    scalar,
    wait_until,
)

pytestmark = [pytest.mark.db, pytest.mark.slow]

IMPORT = SAMPLES / "01-import-d96b.edi"


@pytest.fixture
def app(engine: Engine, clock: FixedClock) -> Application:
    postgres_only(engine)
    empty_queue(engine)
    return Application(engine, Settings(), clock)


def waiting_on_a_lock(engine: Engine) -> bool:
    """Whether another backend of this database waits for a lock we hold."""
    found = scalar(
        engine,
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
    )
    return bool(found)


def job_status(engine: Engine, job_id: int) -> str:
    """The queue's status of job ``job_id``."""
    return str(
        scalar(
            engine, "SELECT status FROM procrastinate.procrastinate_jobs WHERE id = :id", id=job_id
        )
    )


def test_a_worker_killed_mid_message_leaves_nothing_and_the_retry_registers_once(
    app: Application, engine: Engine
) -> None:
    queued = queue_cases.enqueue(app, LOCAL_OPERATOR, Interchange(IMPORT.read_bytes()))
    assert queued.job_id is not None
    job_id = queued.job_id
    # Hold the declarations table so the worker stops inside its unit of work, mid-message.
    blocker: Connection = engine.connect()
    transaction = blocker.begin()
    blocker.execute(text("LOCK TABLE declarations IN ACCESS EXCLUSIVE MODE"))
    try:
        with customs_process(engine, "worker", "--name", "doomed") as doomed:
            wait_until(
                lambda: waiting_on_a_lock(engine),
                "the worker to reach the declarations",
                process=doomed,
            )
            assert job_status(engine, job_id) == "doing"
            os.kill(doomed.pid, signal.SIGKILL)
            doomed.wait(30)
    finally:
        transaction.rollback()
        blocker.close()
    # Nothing of the killed attempt is visible: its transaction never committed.
    assert scalar(engine, "SELECT count(*) FROM declarations") == 0
    assert (
        scalar(engine, "SELECT status FROM inbound_messages WHERE id = :id", id=queued.message_id)
        == "received"
    )
    assert job_status(engine, job_id) == "doing"  # held by a dead worker

    with customs_process(engine, "worker", "--name", "heir") as heir:
        wait_until(
            lambda: job_status(engine, job_id) == "succeeded",
            "the stalled job to be taken over and finished",
            process=heir,
        )
    assert scalar(engine, "SELECT count(*) FROM declarations") == 1
    assert scalar(engine, "SELECT count(*) FROM events WHERE kind = 'registered'") == 1
    assert (
        scalar(engine, "SELECT status FROM inbound_messages WHERE id = :id", id=queued.message_id)
        == "accepted"
    )
    answers = scalar(
        engine,
        "SELECT count(*) FROM outbound_messages WHERE inbound_message_id = :id",
        id=queued.message_id,
    )
    assert answers == 2  # one CONTRL, one CUSRES: answered once


def test_a_message_failing_every_attempt_ends_a_dead_letter_and_can_be_requeued(
    app: Application, engine: Engine
) -> None:
    failing_declarations(engine)
    queued = queue_cases.enqueue(app, LOCAL_OPERATOR, Interchange(IMPORT.read_bytes()))
    assert queued.job_id is not None
    job_id = queued.job_id
    with customs_process(engine, "worker", CUSTOMS_QUEUE_RETRIES="1") as worker:
        wait_until(
            lambda: job_status(engine, job_id) == "failed",
            "the job to give up after its retry",
            process=worker,
        )
    attempts = scalar(
        engine,
        "SELECT attempts FROM procrastinate.procrastinate_jobs WHERE id = :id",
        id=job_id,
    )
    assert attempts == 2  # the first try and one retry
    dead = queue_cases.dead_letters(app, LOCAL_OPERATOR)
    assert [d.message_id for d in dead] == [queued.message_id]
    assert scalar(engine, "SELECT count(*) FROM declarations") == 0

    healed(engine)
    result = subprocess.run(
        [*_customs(), "messages", "requeue", str(queued.message_id)],
        env=_env(engine),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert "queued" in result.stdout
    drained = subprocess.run(
        [*_customs(), "worker", "--drain"], env=_env(engine), capture_output=True, timeout=120
    )
    assert drained.returncode == 0, drained.stderr
    assert queue_cases.dead_letters(app, LOCAL_OPERATOR) == []
    assert scalar(engine, "SELECT count(*) FROM declarations") == 1


def _customs() -> list[str]:
    import sys

    return [sys.executable, "-m", "clearance.cli"]


def _env(engine: Engine) -> dict[str, str]:
    from tests.operations.support import command_env

    return command_env(engine)
