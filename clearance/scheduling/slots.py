"""Time slots of scheduled jobs, each claimed once in the store (``job_slots``).

A job that runs every N seconds stands for the slot ``floor(now / N) * N``; a daily job run
at a local time of day stands for the last such moment (one slot per local date, stored as
its UTC instant). The first scheduler to insert (job, slot) runs it, and the unique
constraint refuses everyone after, so a slot never runs twice, also across a change of
leader.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clearance.store.operations_tables import JobSlot
from core.clock import as_utc


def slot_of(now: datetime, every_seconds: float) -> datetime:
    """The start of the slot ``now`` falls in, for a job run every ``every_seconds``."""
    epoch = now.astimezone(UTC).timestamp()
    start = (epoch // every_seconds) * every_seconds
    return datetime.fromtimestamp(start, UTC)


def claim(session: Session, job: str, slot: datetime, by: str, now: datetime) -> JobSlot | None:
    """Insert (job, slot) as ``queued``; None when someone claimed it already."""
    row = JobSlot(job=job, slot=slot, claimed_at=now, claimed_by=by[:128], status="queued")
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return None
    return row


def finish(
    session: Session, slot_id: int, now: datetime, error: str | None = None
) -> JobSlot | None:
    """Record how the run of a claimed slot ended (``done``, or ``failed`` with the error)."""
    row = session.get(JobSlot, slot_id, with_for_update=True)
    if row is None:
        return None
    row.status = "failed" if error else "done"
    row.error = error[:2000] if error else None
    row.finished_at = now
    return row


@dataclass(frozen=True, slots=True)
class JobHistory:
    """What ``customs jobs`` shows of one scheduled job."""

    job: str
    last_slot: datetime | None
    last_status: str | None
    last_error: str | None
    runs: int
    failures: int


def history(session: Session, job: str) -> JobHistory:
    """The last run of ``job`` and its counts of runs and failures."""
    last = session.scalars(
        select(JobSlot).where(JobSlot.job == job).order_by(JobSlot.slot.desc()).limit(1)
    ).one_or_none()
    runs, failures = session.execute(
        select(func.count(), func.count().filter(JobSlot.status == "failed")).where(
            JobSlot.job == job
        )
    ).one()
    return JobHistory(
        job=job,
        last_slot=last.slot if last else None,
        last_status=last.status if last else None,
        last_error=last.error if last else None,
        runs=int(runs),
        failures=int(failures),
    )


def next_slot(last: datetime | None, every_seconds: float, now: datetime) -> datetime:
    """When the next run is due: the slot after the last one, or the current one."""
    current = slot_of(now, every_seconds)
    if last is None:
        return current
    following = last.astimezone(UTC) + timedelta(seconds=every_seconds)
    return max(following, current)


def daily_slot_of(now: datetime, at: time, zone: ZoneInfo) -> datetime:
    """The slot ``now`` falls in for a job run daily at local time ``at`` in ``zone``.

    That is the latest local ``at`` at or before ``now``, as a UTC instant: before the time
    of day it is yesterday's slot, so a scheduler started late still runs today's once.
    """
    local = now.astimezone(zone)
    today = _local_instant(local.date(), at, zone)
    if today <= now:
        return today
    return _local_instant(local.date() - timedelta(days=1), at, zone)


def next_daily(last: datetime | None, at: time, zone: ZoneInfo, now: datetime) -> datetime:
    """When a daily job is due next: the current slot if it has not run, else the next day's."""
    current = daily_slot_of(now, at, zone)
    if last is None or as_utc(last) < current:
        return current
    return _local_instant(current.astimezone(zone).date() + timedelta(days=1), at, zone)


def _local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    # A local time a clock change skips or repeats resolves as zoneinfo does (fold=0).
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
