"""Scheduled slots are claimed once and queue their work; the schedule as ``customs jobs``
shows it; on PostgreSQL two ``customs scheduler`` processes elect one leader and the second
takes over when the leader is killed."""

from __future__ import annotations

import os
import signal
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, text

from clearance.app import LOCAL_OPERATOR, Application
from clearance.app import scheduler as scheduler_cases
from clearance.scheduling import slots
from clearance.scheduling.slots import next_slot, slot_of
from core.clock import FixedClock
from core.settings import Settings
from tests.operations.support import (
    customs_process,
    empty_queue,
    postgres_only,
    scalar,
    wait_until,
)

pytestmark = pytest.mark.db


@pytest.fixture
def app(engine: Engine, clock: FixedClock) -> Application:
    if engine.dialect.name == "postgresql":
        empty_queue(engine)
    return Application(engine, Settings(mailbox_root=None), clock)


def test_slots_are_the_intervals_of_the_clock() -> None:
    at = datetime(2026, 12, 5, 8, 0, 7, tzinfo=UTC)
    assert slot_of(at, 10) == datetime(2026, 12, 5, 8, 0, 0, tzinfo=UTC)
    assert slot_of(at, 5) == datetime(2026, 12, 5, 8, 0, 5, tzinfo=UTC)
    assert next_slot(None, 10, at) == datetime(2026, 12, 5, 8, 0, 0, tzinfo=UTC)
    last = datetime(2026, 12, 5, 8, 0, 0, tzinfo=UTC)
    assert next_slot(last, 10, at) == datetime(2026, 12, 5, 8, 0, 10, tzinfo=UTC)


def test_a_slot_is_claimed_once_and_its_work_queued_or_run(
    app: Application, engine: Engine
) -> None:
    job = scheduler_cases.scheduled_job("outbox_delivery")
    first = scheduler_cases.fire(app, job, "scheduler-a")
    second = scheduler_cases.fire(app, job, "scheduler-b")  # same slot, another leader
    assert first is not None and second is None
    assert scalar(engine, "SELECT count(*) FROM job_slots") == 1
    if engine.dialect.name == "postgresql":
        job_row = text(
            "SELECT j.task_name, j.args->>'job', (j.args->>'slot_id')::int, j.queueing_lock "
            "FROM procrastinate.procrastinate_jobs j JOIN job_slots s ON s.queue_job_id = j.id"
        )
        with engine.connect() as connection:
            row = connection.execute(job_row).one()
        slot = slot_of(app.clock.now(), job.every(app)).isoformat()
        assert tuple(row) == ("run_scheduled", "outbox_delivery", first, f"outbox_delivery:{slot}")
        assert scalar(engine, "SELECT status FROM job_slots") == "queued"
        scheduler_cases.run_scheduled(app, "outbox_delivery", first)  # what a worker does
    assert scalar(engine, "SELECT status FROM job_slots") == "done"
    statuses = {s.job: s for s in scheduler_cases.job_statuses(app, LOCAL_OPERATOR)}
    assert statuses["outbox_delivery"].runs == 1
    assert statuses["outbox_delivery"].last_status == "done"
    assert statuses["mailbox_intake"].runs == 0


def test_a_failing_scheduled_run_is_recorded(
    app: Application, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = scheduler_cases.scheduled_job("mailbox_intake")

    def broken(*_: object) -> None:
        raise OSError("the mailbox disk is gone")

    monkeypatch.setattr(
        scheduler_cases,
        "SCHEDULE",
        (scheduler_cases.ScheduledJob(job.name, job.every, broken, job.description),),
    )
    with app.unit() as session:
        row = slots.claim(session, job.name, slot_of(app.clock.now(), 10), "t", app.clock.now())
        assert row is not None
        slot_id = row.id
    with pytest.raises(OSError, match="disk is gone"):
        scheduler_cases.run_scheduled(app, job.name, slot_id)
    (status,) = scheduler_cases.job_statuses(app, LOCAL_OPERATOR)
    assert (status.last_status, status.failures) == ("failed", 1)
    assert "disk is gone" in (status.last_error or "")


def claimers(engine: Engine) -> list[str]:
    """Who claimed each slot, in slot order."""
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT claimed_by FROM job_slots ORDER BY slot, job"))
        return [str(r[0]) for r in rows]


@pytest.mark.slow
def test_one_leader_and_a_quick_take_over_when_it_is_killed(
    app: Application, engine: Engine
) -> None:
    postgres_only(engine)
    fast = {"CUSTOMS_SCHEDULE_MAILBOX_SECONDS": "1", "CUSTOMS_SCHEDULE_OUTBOX_SECONDS": "1"}
    fast["CUSTOMS_SCHEDULER_POLL_SECONDS"] = "0.5"
    with customs_process(engine, "scheduler", **fast) as first:
        wait_until(
            lambda: any(c.endswith(f":{first.pid}") for c in claimers(engine)),
            "the first scheduler to lead",
            process=first,
        )
        with customs_process(engine, "scheduler", **fast) as second:
            # The second waits: the leader keeps claiming while the second runs.
            seen = len(claimers(engine))
            wait_until(lambda: len(claimers(engine)) >= seen + 4, "more slots", process=second)
            assert not any(c.endswith(f":{second.pid}") for c in claimers(engine))
            os.kill(first.pid, signal.SIGKILL)
            first.wait(30)
            killed_at = datetime.now(UTC)
            wait_until(
                lambda: any(c.endswith(f":{second.pid}") for c in claimers(engine)),
                "the second scheduler to take over",
                deadline=30,
                process=second,
            )
            taken_over = datetime.now(UTC)
    # Within a poll (0.5 s) plus start-up on an idle machine; the bound leaves room for a
    # machine shared by many processes (the figure is in docs/operations.md).
    assert (taken_over - killed_at).total_seconds() < 30
    # Every (job, slot) at most once (the unique key), and no slot of the first after the kill.
    duplicates = scalar(
        engine,
        "SELECT count(*) FROM (SELECT job, slot FROM job_slots GROUP BY 1, 2 "
        "HAVING count(*) > 1) d",
    )
    assert duplicates == 0
    # In claim order (ids), not slot order: a job with a long interval (statistics, 30 s) has
    # slots that start before the first leader's last one-second slots.
    with engine.connect() as connection:
        order = [
            str(r[0])
            for r in connection.execute(text("SELECT claimed_by FROM job_slots ORDER BY id"))
        ]
    switch = next(i for i, c in enumerate(order) if c.endswith(f":{second.pid}"))
    assert all(c.endswith(f":{second.pid}") for c in order[switch:])
