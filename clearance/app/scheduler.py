"""The scheduler: one process at a time runs APScheduler, whose jobs only claim slots.

``customs scheduler`` (any number of them; one leads) waits for the leader lock
(:mod:`clearance.scheduling.leader`); the leader runs APScheduler 3 with an in-memory job
store (never shared: APScheduler's stores are not made for two schedulers). Each firing
claims the job's time slot in ``job_slots`` and, in the same transaction, queues one
``run_scheduled`` job for a worker (PostgreSQL); on SQLite the body runs at once in the
scheduler. A slot claimed once is never run again, whoever leads.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from clearance.app import mailbox, outbox, webhook_delivery
from clearance.app.access import Permission, require
from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.errors import NotFoundError
from clearance.app.monitoring import LEADER, SCHEDULED_RUNS
from clearance.app.queueing import deferring_app
from clearance.queueing.engine import uses_queue
from clearance.queueing.jobs import RUN_SCHEDULED, SCHEDULED_QUEUE, defer_on
from clearance.scheduling import slots
from clearance.scheduling.leader import LeaderLock, leader_lock
from core.logs import bound, get_logger

log = get_logger("clearance.scheduler")
#: Who runs scheduled work.
SCHEDULER = Actor.local("scheduler")


@dataclass(frozen=True, slots=True)
class ScheduledJob:
    """A job of the schedule: its name, how often, and what it does (a use case)."""

    name: str
    every: Callable[[Application], float]
    body: Callable[[Application, Actor], object]
    description: str


SCHEDULE: tuple[ScheduledJob, ...] = (
    ScheduledJob(
        "mailbox_intake",
        lambda app: app.settings.schedule_mailbox_seconds,
        mailbox.scan,
        "take files from the partners' inbound folders (one job per sender)",
    ),
    ScheduledJob(
        "outbox_delivery",
        lambda app: app.settings.schedule_outbox_seconds,
        outbox.deliver,
        "deliver answers to the partners' outbound folders, retrying failures",
    ),
    ScheduledJob(
        "webhook_delivery",
        lambda app: app.settings.schedule_webhook_seconds,
        webhook_delivery.deliver,
        "fan new events out to webhook endpoints and post the due deliveries, signed",
    ),
)


def scheduled_job(name: str) -> ScheduledJob:
    """The job of the schedule called ``name``."""
    for job in SCHEDULE:
        if job.name == name:
            return job
    raise NotFoundError(f"no scheduled job {name}")


def fire(app: Application, job: ScheduledJob, by: str) -> int | None:
    """Claim the current slot of ``job`` and queue (or, on SQLite, run) its work.

    Returns the claimed slot's id, or None when the slot was claimed already.
    """
    queued = uses_queue(app.engine)
    with app.unit() as session:
        now = app.clock.now()
        slot = slots.slot_of(now, job.every(app))
        row = slots.claim(session, job.name, slot, by, now)
        if row is None:
            return None
        if queued:
            row.queue_job_id = defer_on(
                session.connection(),
                deferring_app(app),
                RUN_SCHEDULED,
                {"job": job.name, "slot_id": row.id},
                queue=SCHEDULED_QUEUE,
                lock=f"scheduled:{job.name}",  # one run of a job at a time
                queueing_lock=f"{job.name}:{slot.isoformat()}",
            )
        slot_id = row.id
    log.info("slot claimed", job=job.name, slot=slot.isoformat(), slot_id=slot_id)
    if not queued:
        run_scheduled(app, job.name, slot_id)
    return slot_id


def run_scheduled(app: Application, name: str, slot_id: int) -> None:
    """The task body of a claimed slot: run the job, record how it ended."""
    job = scheduled_job(name)
    with bound(job=name, slot_id=slot_id):
        try:
            job.body(app, SCHEDULER)
        except Exception as exc:
            SCHEDULED_RUNS.labels(name, "failed").inc()
            log.exception("scheduled job failed")
            with app.unit() as session:
                slots.finish(session, slot_id, app.clock.now(), f"{type(exc).__name__}: {exc}")
            raise
        SCHEDULED_RUNS.labels(name, "done").inc()
        with app.unit() as session:
            slots.finish(session, slot_id, app.clock.now())


@dataclass(frozen=True, slots=True)
class JobStatus:
    """What ``customs jobs`` shows of one scheduled job."""

    job: str
    description: str
    every_seconds: float
    last_slot: datetime | None
    last_status: str | None
    last_error: str | None
    next_run: datetime
    runs: int
    failures: int


def job_statuses(app: Application, actor: Actor) -> list[JobStatus]:
    """The schedule: each job, how often, its last run and result, its next run, failures."""
    require(actor, Permission.READ)
    with app.read() as session:
        now = app.clock.now()
        result = []
        for job in SCHEDULE:
            seen = slots.history(session, job.name)
            every = job.every(app)
            result.append(
                JobStatus(
                    job=job.name,
                    description=job.description,
                    every_seconds=every,
                    last_slot=seen.last_slot,
                    last_status=seen.last_status,
                    last_error=seen.last_error,
                    next_run=slots.next_slot(seen.last_slot, every, now),
                    runs=seen.runs,
                    failures=seen.failures,
                )
            )
        return result


def run(
    app: Application,
    actor: Actor,
    stop: threading.Event,
    on_leading: Callable[[bool], None] | None = None,
) -> None:
    """Compete for the leader lock until ``stop`` is set; schedule while leading."""
    require(actor, Permission.SUBMIT)
    me = f"{socket.gethostname()}:{os.getpid()}"
    lock = leader_lock(app.engine)
    poll = app.settings.scheduler_poll_seconds
    try:
        while not stop.is_set():
            if _try(lock.try_acquire):
                log.info("leading", scheduler=me)
                _lead(app, lock, stop, me, poll, on_leading)
                log.warning("no longer leading", scheduler=me)
            stop.wait(poll)
    finally:
        lock.release()


def _lead(
    app: Application,
    lock: LeaderLock,
    stop: threading.Event,
    me: str,
    poll: float,
    on_leading: Callable[[bool], None] | None,
) -> None:
    scheduler = BackgroundScheduler(timezone="UTC")
    for job in SCHEDULE:
        scheduler.add_job(
            _fire_logged,
            IntervalTrigger(seconds=job.every(app)),
            args=(app, job, me),
            id=job.name,
            max_instances=1,
            coalesce=True,
            next_run_time=app.clock.now(),  # the current slot at once (claimed once anyway)
        )
    scheduler.start()
    LEADER.set(1)
    if on_leading is not None:
        on_leading(True)
    try:
        while not stop.wait(poll) and _try(lock.still_held):
            pass
    finally:
        scheduler.shutdown(wait=True)
        LEADER.set(0)
        if on_leading is not None:
            on_leading(False)


def _fire_logged(app: Application, job: ScheduledJob, me: str) -> None:
    try:
        fire(app, job, me)
    except Exception:  # the next slot tries again; the failure is in the log and metrics
        SCHEDULED_RUNS.labels(job.name, "unqueued").inc()
        log.exception("could not claim a slot", job=job.name)


def _try(check: Callable[[], bool]) -> bool:
    try:
        return check()
    except Exception:  # the database is away: not leading, try again later
        log.warning("leader lock unavailable", exc_info=True)
        return False
