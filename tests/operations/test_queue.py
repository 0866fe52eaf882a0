"""Asynchronous intake through the application layer: queued on PostgreSQL, in process on
SQLite; dead letters; the worker refused without a queue."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from clearance.app import LOCAL_OPERATOR, Actor, Application, NotPermittedError, Role
from clearance.app import queueing as queue_cases
from clearance.app import worker as worker_cases
from clearance.app.errors import NotFoundError, RefusedError
from clearance.app.messages import Interchange
from clearance.app.subjects import NewSubject, add_subject
from clearance.intake.pipeline import ProcessingError
from core.clock import FixedClock
from core.settings import Settings
from tests.golden_support import SAMPLES
from tests.operations.support import empty_queue, failing_declarations, healed, scalar

pytestmark = pytest.mark.db

IMPORT = SAMPLES / "01-import-d96b.edi"


@pytest.fixture
def app(engine: Engine, clock: FixedClock) -> Application:
    if engine.dialect.name == "postgresql":
        empty_queue(engine)
    return Application(engine, Settings(), clock)


def test_enqueue_stores_the_bytes_and_queues_one_job_or_processes_in_process(
    app: Application, engine: Engine
) -> None:
    queued = queue_cases.enqueue(app, LOCAL_OPERATOR, Interchange(IMPORT.read_bytes()))
    status = scalar(
        engine, "SELECT status FROM inbound_messages WHERE id = :id", id=queued.message_id
    )
    if engine.dialect.name == "sqlite":
        assert queued.outcome is not None and queued.job_id is None
        assert queued.outcome.status.value == "accepted"
        assert status == "accepted"
        return
    assert queued.outcome is None and queued.job_id is not None
    assert status == "received"  # kept, not processed: a worker will
    job = text(
        "SELECT task_name, queue_name, lock, queueing_lock, args->>'message_id' "
        "FROM procrastinate.procrastinate_jobs WHERE id = :id"
    )
    with engine.connect() as connection:
        row = connection.execute(job, {"id": queued.job_id}).one()
    assert tuple(row) == (
        "process_message",
        "intake",
        "sender:BROKER01",  # the UNB sender: one sender's messages in order
        f"message:{queued.message_id}",
        str(queued.message_id),
    )


def test_the_task_body_processes_a_message_once(app: Application, engine: Engine) -> None:
    queued = queue_cases.enqueue(app, LOCAL_OPERATOR, Interchange(IMPORT.read_bytes()))
    first = queue_cases.process_message(app, queued.message_id)
    again = queue_cases.process_message(app, queued.message_id)
    if engine.dialect.name == "postgresql":
        assert first is not None and first.status.value == "accepted"
    assert again is None  # a job run twice finds the work done
    assert scalar(engine, "SELECT count(*) FROM declarations") == 1
    assert scalar(engine, "SELECT count(*) FROM events WHERE kind = 'registered'") == 1


def test_a_failing_message_is_a_dead_letter_until_requeued(
    app: Application, engine: Engine
) -> None:
    failing_declarations(engine)
    message_id: int
    if engine.dialect.name == "sqlite":
        with pytest.raises(ProcessingError) as failed:
            queue_cases.enqueue(app, LOCAL_OPERATOR, Interchange(IMPORT.read_bytes()))
        message_id = failed.value.message_id
    else:
        message_id = queue_cases.enqueue(
            app, LOCAL_OPERATOR, Interchange(IMPORT.read_bytes())
        ).message_id
        with pytest.raises(ProcessingError):
            queue_cases.process_message(app, message_id)
        # Still queued (its job waits to be tried again): not dead yet.
        assert queue_cases.dead_letters(app, LOCAL_OPERATOR) == []
        empty_queue(engine)  # the job gave up
    dead = queue_cases.dead_letters(app, LOCAL_OPERATOR)
    assert [d.message_id for d in dead] == [message_id]
    assert "injected fault" in (dead[0].error or "")
    assert scalar(engine, "SELECT count(*) FROM declarations") == 0  # nothing half-written

    healed(engine)
    requeued = queue_cases.requeue(app, LOCAL_OPERATOR, message_id)
    if engine.dialect.name == "postgresql":
        assert requeued.job_id is not None
        queue_cases.process_message(app, message_id)
    assert queue_cases.dead_letters(app, LOCAL_OPERATOR) == []
    assert scalar(engine, "SELECT count(*) FROM declarations") == 1
    with pytest.raises(RefusedError):
        queue_cases.requeue(app, LOCAL_OPERATOR, message_id)  # accepted: nothing to retry


def test_tenancy_of_the_queue(app: Application, engine: Engine) -> None:
    other = Actor("trader-b", Role.TRADER, party_ids=frozenset({"OTHER"}))
    with pytest.raises(NotPermittedError):
        queue_cases.enqueue(app, other, Interchange(IMPORT.read_bytes(), sender="BROKER01"))
    failing_declarations(engine)  # healed by the fixture of support.py at the end
    # A stored subject: the worker checks the submitter's senders again when it processes.
    add_subject(
        app,
        LOCAL_OPERATOR,
        NewSubject("broker-1", "Broker 1", Role.BROKER, party_ids=["edi:BROKER01"]),
    )
    owner = Actor("broker-1", Role.BROKER, party_ids=frozenset({"BROKER01"}))
    try:
        queued = queue_cases.enqueue(
            app, owner, Interchange(IMPORT.read_bytes(), sender="BROKER01")
        )
        message_id = queued.message_id
        queue_cases.process_message(app, message_id)
    except ProcessingError as exc:
        message_id = exc.message_id
    if engine.dialect.name == "postgresql":
        empty_queue(engine)
    assert [d.message_id for d in queue_cases.dead_letters(app, owner)] == [message_id]
    assert queue_cases.dead_letters(app, other) == []  # another tenant's dead letter: unseen
    with pytest.raises(NotFoundError):
        queue_cases.requeue(app, other, message_id)


def test_a_worker_needs_the_postgresql_queue(app: Application, engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("on PostgreSQL the worker runs (tests/operations/test_worker_faults.py)")
    with pytest.raises(RefusedError, match="PostgreSQL"):
        worker_cases.run(app, LOCAL_OPERATOR, worker_cases.WorkerRequest(drain=True))
