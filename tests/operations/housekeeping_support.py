"""Shared parts of the scheduled housekeeping tests: an application on a movable clock, and
running one scheduled slot the way the scheduler and a worker would."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from clearance.app import Application
from clearance.app import scheduler as scheduler_cases
from clearance.store.tables import Event
from tests.operations.support import empty_queue


def run_slot(app: Application, name: str) -> int | None:
    """Fire job ``name`` for the clock's current slot; on PostgreSQL run the queued slot too.

    Returns the slot id, or None when the slot was claimed before (nothing ran).
    """
    job = scheduler_cases.scheduled_job(name)
    slot_id = scheduler_cases.fire(app, job, "test-scheduler")
    if slot_id is not None and app.engine.dialect.name == "postgresql":
        scheduler_cases.run_scheduled(app, name, slot_id)  # what a worker does
    return slot_id


def events(engine: Engine, kind: str) -> list[dict[str, Any]]:
    """The data of every event of ``kind``, in log order."""
    with Session(engine) as session:
        rows = session.scalars(select(Event.data).where(Event.kind == kind).order_by(Event.id))
        return [json.loads(r) for r in rows]


def clean_queue(engine: Engine) -> None:
    """An empty job queue on PostgreSQL (nothing to do on SQLite)."""
    if engine.dialect.name == "postgresql":
        empty_queue(engine)


class MovableClock:
    """A clock the test moves on (days pass between two scheduled runs)."""

    def __init__(self, instant: datetime) -> None:
        self._instant = instant

    def now(self) -> datetime:
        """The current instant."""
        return self._instant

    def advance(self, by: timedelta) -> None:
        """Move on by ``by``."""
        self._instant += by

    def set(self, instant: datetime) -> None:
        """Jump to ``instant``."""
        self._instant = instant
