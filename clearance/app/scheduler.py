"""The scheduler: one process at a time runs APScheduler, whose jobs only claim slots.

``customs scheduler`` (any number of them; one leads) waits for the leader lock
(:mod:`clearance.scheduling.leader`); the leader runs APScheduler 3 with an in-memory job
store (never shared: APScheduler's stores are not made for two schedulers). Each firing
claims the job's time slot in ``job_slots`` and, in the same transaction, queues one
``run_scheduled`` job for a worker (PostgreSQL); on SQLite the body runs at once in the
scheduler. A slot claimed once is never run again, whoever leads.

Two cadences: every N seconds (mailbox, outbox, statistics), or daily at a local time of day
in ``CUSTOMS_TIMEZONE`` (quota roll-over, expiry, rebate batch, FX, retention), whose slot is
the day's (:func:`clearance.scheduling.slots.daily_slot_of`). See ADR 0014.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from clearance.app import housekeeping, mailbox, outbox, webhook_delivery
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
from core.clock import as_utc
from core.logs import bound, get_logger

log = get_logger("clearance.scheduler")
#: Who runs scheduled work.
SCHEDULER = Actor.local("scheduler")


#: The nominal period of a daily job (what ``every`` answers for it).
DAY_SECONDS = 86_400.0


@dataclass(frozen=True, slots=True)
class ScheduledJob:
    """A job of the schedule: its name, how often, and what it does (a use case).

    ``daily_at`` (a setting's ``HH:MM``, local time in ``CUSTOMS_TIMEZONE``) makes it a daily
    job whose slot is the day's; without it the job runs every ``every`` seconds.
    """

    name: str
    every: Callable[[Application], float]
    body: Callable[[Application, Actor], object]
    description: str
    daily_at: Callable[[Application], str] | None = None


@dataclass(frozen=True, slots=True)
class Cadence:
    """When a job runs: every ``every_seconds``, or daily at ``at`` in ``zone``."""

    every_seconds: float
    at: time | None
    zone: ZoneInfo

    def slot(self, now: datetime) -> datetime:
        """The slot ``now`` falls in."""
        if self.at is None:
            return slots.slot_of(now, self.every_seconds)
        return slots.daily_slot_of(now, self.at, self.zone)

    def next_run(self, last: datetime | None, now: datetime) -> datetime:
        """When the job is due next, given its last claimed slot."""
        if self.at is None:
            return slots.next_slot(last, self.every_seconds, now)
        return slots.next_daily(last, self.at, self.zone, now)

    def trigger(self) -> BaseTrigger:
        """The APScheduler trigger that fires at the cadence."""
        if self.at is None:
            return IntervalTrigger(seconds=self.every_seconds)
        return CronTrigger(hour=self.at.hour, minute=self.at.minute, timezone=self.zone)

    def describe(self) -> str:
        """``every 10s`` or ``daily 00:05 Asia/Shanghai``."""
        if self.at is None:
            return f"every {self.every_seconds:g}s"
        return f"daily {self.at:%H:%M} {self.zone.key}"


def cadence_of(app: Application, job: ScheduledJob) -> Cadence:
    """The cadence of ``job`` under ``app``'s settings."""
    zone = ZoneInfo(app.settings.timezone)
    if job.daily_at is None:
        return Cadence(job.every(app), None, zone)
    return Cadence(DAY_SECONDS, time.fromisoformat(job.daily_at(app)), zone)


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
    ScheduledJob(
        "statistics_refresh",
        lambda app: app.settings.schedule_statistics_seconds,
        housekeeping.statistics_refresh,
        "bring released, amended and invalidated items into the statistics",
    ),
    ScheduledJob(
        "quota_rollover",
        lambda app: DAY_SECONDS,
        housekeeping.quota_rollover,
        "open the balance of tariff-quota periods that began, close those that ended",
        lambda app: app.settings.schedule_quota_rollover_at,
    ),
    ScheduledJob(
        "expiry_sweep",
        lambda app: DAY_SECONDS,
        housekeeping.expiry_sweep,
        "announce licences and certificates that expired or expire soon (once each)",
        lambda app: app.settings.schedule_expiry_sweep_at,
    ),
    ScheduledJob(
        "rebate_batch",
        lambda app: DAY_SECONDS,
        housekeeping.rebate_batch,
        "batch confirmed rebate records up to yesterday into CUSTOMS_REBATE_BATCH_DIR",
        lambda app: app.settings.schedule_rebate_batch_at,
    ),
    ScheduledJob(
        "fx_indicators",
        lambda app: DAY_SECONDS,
        housekeeping.fx_indicators,
        "recompute FX indicators and classes for the last complete month",
        lambda app: app.settings.schedule_fx_indicators_at,
    ),
    ScheduledJob(
        "raw_retention",
        lambda app: DAY_SECONDS,
        housekeeping.raw_retention,
        "move raw messages past CUSTOMS_RAW_RETENTION_YEARS into verified zip archives",
        lambda app: app.settings.schedule_raw_retention_at,
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
        slot = cadence_of(app, job).slot(now)
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


def fire_by_hand(app: Application, actor: Actor, name: str) -> int | None:
    """``customs jobs --run NAME``: claim the job's current slot and queue (or run) it now.

    The slot is the one the schedule would claim, so a run by hand never doubles a slot the
    scheduler ran (None: claimed already; the next slot is due at the job's next run).
    """
    require(actor, Permission.HOUSEKEEPING)
    job = scheduled_job(name)
    return fire(app, job, f"{actor.subject}@{socket.gethostname()}:{os.getpid()}")


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
    cadence: str = ""


def job_statuses(app: Application, actor: Actor) -> list[JobStatus]:
    """The schedule: each job, how often, its last run and result, its next run, failures."""
    require(actor, Permission.READ)
    with app.read() as session:
        now = app.clock.now()
        result = []
        for job in SCHEDULE:
            seen = slots.history(session, job.name)
            cadence = cadence_of(app, job)
            result.append(
                JobStatus(
                    job=job.name,
                    description=job.description,
                    every_seconds=cadence.every_seconds,
                    last_slot=as_utc(seen.last_slot) if seen.last_slot else None,
                    last_status=seen.last_status,
                    last_error=seen.last_error,
                    next_run=cadence.next_run(seen.last_slot, now),
                    runs=seen.runs,
                    failures=seen.failures,
                    cadence=cadence.describe(),
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
            cadence_of(app, job).trigger(),
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
