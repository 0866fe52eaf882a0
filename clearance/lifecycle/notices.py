"""Announcements made once: a notice row (unique kind and key) and its event, together.

A sweep that runs again (the same slot retried, the next day's slot, two processes at once)
finds the notice and announces nothing: the unique key decides, inside the caller's unit of
work, so the event and the notice commit together or not at all.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clearance.lifecycle.events import EventKind, append_event
from clearance.store.housekeeping_tables import HousekeepingNotice


def announced(session: Session, kind: str, key: str) -> bool:
    """Whether ``(kind, key)`` was announced already."""
    found = session.scalar(
        select(HousekeepingNotice.id).where(
            HousekeepingNotice.kind == kind, HousekeepingNotice.key == key
        )
    )
    return found is not None


def announce_once(
    session: Session, event: EventKind, key: str, data: dict[str, Any], now: datetime
) -> bool:
    """Record notice ``(event, key)`` and append ``event`` with ``data``, unless done before.

    Returns True when announced now. A concurrent sweep that inserted the same key first wins
    quietly (its transaction carries the event).
    """
    if not mark_once(session, event.value, key, data, now):
        return False
    append_event(session, event, now, data=data)
    return True


def mark_once(session: Session, kind: str, key: str, data: dict[str, Any], now: datetime) -> bool:
    """Record notice ``(kind, key)`` without an event (a step of a sweep); False if known."""
    if announced(session, kind, key):
        return False
    try:
        with session.begin_nested():
            session.execute(
                insert(HousekeepingNotice).values(
                    kind=kind,
                    key=key[:128],
                    data=json.dumps(data, ensure_ascii=False, sort_keys=True),
                    created_at=now,
                )
            )
    except IntegrityError:
        return False
    return True


def marked_without(session: Session, kind: str, missing: str) -> list[str]:
    """Keys marked ``kind`` that have no notice ``missing`` yet (steps left to finish)."""
    done = select(HousekeepingNotice.key).where(HousekeepingNotice.kind == missing)
    return list(
        session.scalars(
            select(HousekeepingNotice.key)
            .where(HousekeepingNotice.kind == kind, HousekeepingNotice.key.not_in(done))
            .order_by(HousekeepingNotice.id)
        )
    )
