"""The append-only lifecycle event log."""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from clearance.store.tables import Event


class EventKind(StrEnum):
    """The catalogue of lifecycle events (docs/events.md)."""

    RECEIVED = "received"
    DUPLICATE = "duplicate"
    SYNTAX_ACCEPTED = "syntax_accepted"
    SYNTAX_REJECTED = "syntax_rejected"
    REGISTERED = "registered"
    REJECTED = "rejected"
    AMENDED = "amended"
    INVALIDATED = "invalidated"
    FAILED = "failed"


def append_event(
    session: Session,
    kind: EventKind,
    at: datetime,
    *,
    inbound_message_id: int | None = None,
    declaration_number: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Add one event to the caller's transaction (it lands when the caller commits)."""
    batch = EventBatch(at, inbound_message_id)
    batch.add(kind, declaration_number=declaration_number, data=data)
    batch.write(session)


class EventBatch:
    """Events of one unit of work, written with one multi-row INSERT in the order added."""

    def __init__(self, at: datetime, inbound_message_id: int | None) -> None:
        self._at = at
        self._inbound_message_id = inbound_message_id
        self._rows: list[dict[str, Any]] = []

    def add(
        self,
        kind: EventKind,
        *,
        declaration_number: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        """Queue one event."""
        self._rows.append(
            {
                "occurred_at": self._at,
                "kind": kind.value,
                "inbound_message_id": self._inbound_message_id,
                "declaration_number": declaration_number,
                "data": json.dumps(data or {}, ensure_ascii=False, sort_keys=True),
            }
        )

    def write(self, session: Session) -> None:
        """Insert the queued events (ids follow the order they were added in)."""
        if self._rows:
            session.execute(insert(Event), self._rows)
            self._rows = []
