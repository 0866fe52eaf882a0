"""The stored facts a listed case is decided on: direction, release time, exit confirmation."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clearance.lifecycle.events import EventKind, staged_times
from clearance.lifecycle.exits import exit_confirmation
from clearance.lifecycle.invalidation.judge import Facts
from clearance.store.tables import Event
from core.clock import as_utc


def released_at(session: Session, number: str) -> datetime | None:
    """When ``number`` was released: its ``released`` event (automatic or by an officer).

    A declaration is released at most once — nothing changes a released declaration but an
    invalidation — so the latest such event is the release.
    """
    at = session.scalar(
        select(func.max(Event.occurred_at)).where(
            Event.declaration_number == number, Event.kind == EventKind.RELEASED.value
        )
    )
    # A release in this very unit of work is still staged (PostgreSQL, ADR 0013).
    times = [as_utc(t) for t in (at, *staged_times(session, number, EventKind.RELEASED)) if t]
    return max(times) if times else None


def gather(session: Session, number: str, direction: str, zone: ZoneInfo) -> Facts:
    """The facts of released declaration ``number``, dates in the administration's ``zone``."""
    release = released_at(session, number)
    exit_ = exit_confirmation(session, number)
    return Facts(
        direction=direction,
        released_on=None if release is None else release.astimezone(zone).date(),
        exit_confirmed=exit_ is not None,
        exit_confirmed_on=None
        if exit_ is None or exit_.at is None
        else exit_.at.astimezone(zone).date(),
    )
