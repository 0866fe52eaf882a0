"""The append-only lifecycle event log."""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from typing import Any

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
    """Add an event to the caller's transaction (it lands when the caller commits)."""
    session.add(
        Event(
            occurred_at=at,
            kind=kind.value,
            inbound_message_id=inbound_message_id,
            declaration_number=declaration_number,
            data=json.dumps(data or {}, ensure_ascii=False, sort_keys=True),
        )
    )
