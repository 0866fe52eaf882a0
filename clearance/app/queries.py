"""The read side: lists and details, always through the actor's filters (:mod:`.access`)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from clearance.app import disclosure
from clearance.app.access import (
    answers_about_visible,
    declarations_visible,
    events_visible,
    messages_visible,
    visible_declaration,
)
from clearance.app.actor import Actor
from clearance.app.views import (
    DeclarationDetail,
    DeclarationSummary,
    EventView,
    LogEvent,
    MessageSummary,
    ResponseView,
    VersionView,
)
from clearance.store.tables import (
    Declaration,
    DeclarationVersion,
    Event,
    InboundMessage,
    OutboundMessage,
)
from clearance.store.tariff_tables import DeclarationAssessmentRow
from core.clock import as_utc


def list_messages(
    session: Session,
    actor: Actor,
    *,
    limit: int = 100,
    stuck_before: datetime | None = None,
) -> list[MessageSummary]:
    """The newest inbound messages ``actor`` may see first, without their raw bytes.

    With ``stuck_before``: only those still ``received`` that arrived before it (stuck).
    """
    # Counted per listed message (by the indexed foreign key), not grouped over every answer
    # ever sent: the list's cost must not grow with the store's history.
    answers = (
        select(func.count())
        .where(OutboundMessage.inbound_message_id == InboundMessage.id)
        .scalar_subquery()
    )
    rows = session.execute(
        select(InboundMessage, answers)
        .where(messages_visible(actor), *_stuck(stuck_before))
        .order_by(InboundMessage.id.desc())
        .limit(limit)
    ).all()
    return [
        MessageSummary(
            message_id=m.id,
            received_at=as_utc(m.received_at).isoformat(),
            sender=m.sender,
            channel=m.channel,
            filename=m.filename,
            format=m.format,
            message_type=m.message_type,
            control_reference=m.control_reference,
            size=m.size,
            sha256=m.sha256,
            status=m.status,
            error=m.error,
            duplicate_of=m.duplicate_of,
            answers=n or 0,
        )
        for m, n in rows
    ]


def list_declarations(
    session: Session, actor: Actor, *, limit: int = 100
) -> list[DeclarationSummary]:
    """The newest declarations ``actor`` may see first."""
    rows = session.scalars(
        select(Declaration)
        .where(declarations_visible(actor))
        .order_by(Declaration.id.desc())
        .limit(limit)
    )
    return [summary(row) for row in rows]


def show_declaration(session: Session, actor: Actor, number: str) -> DeclarationDetail:
    """Everything stored about one declaration: content, versions, answers and events."""
    return DeclarationDetail(
        **declaration_detail(session, visible_declaration(session, actor, number), actor)
    )


def declaration_detail(session: Session, row: Declaration, actor: Actor) -> dict[str, Any]:
    """The fields of :class:`DeclarationDetail` for a declaration ``actor`` may see, its events
    as ``actor`` may read them (:mod:`.disclosure`)."""
    number = row.number
    versions = session.scalars(
        select(DeclarationVersion)
        .where(DeclarationVersion.declaration_id == row.id)
        .order_by(DeclarationVersion.version)
    )
    answers = session.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.declaration_id == row.id, answers_about_visible(actor, row))
        .order_by(OutboundMessage.id)
    )
    events = session.scalars(
        select(Event).where(Event.declaration_number == number).order_by(Event.id)
    )
    assessment = session.scalars(
        select(DeclarationAssessmentRow)
        .where(DeclarationAssessmentRow.declaration_id == row.id)
        .order_by(DeclarationAssessmentRow.id.desc())
    ).first()
    return dict(
        **summary(row).model_dump(),
        declaration=json.loads(row.canonical),
        assessment=None if assessment is None else json.loads(assessment.result),
        versions=[
            VersionView(
                version=v.version,
                function=v.function,
                message_id=v.inbound_message_id,
                created_at=as_utc(v.created_at).isoformat(),
            )
            for v in versions
        ],
        responses=[
            ResponseView(
                message_type=a.message_type,
                created_at=as_utc(a.created_at).isoformat(),
                control_reference=a.control_reference,
                text=a.content,
            )
            for a in answers
        ],
        events=[
            EventView(
                id=e.id,
                kind=e.kind,
                occurred_at=as_utc(e.occurred_at).isoformat(),
                data=disclosure.event_data(actor, e.kind, json.loads(e.data)),
            )
            for e in events
        ],
    )


def events_after(session: Session, actor: Actor, cursor: int, limit: int) -> list[LogEvent]:
    """Events after ``cursor`` that ``actor`` may see, oldest first."""
    rows = session.scalars(
        select(Event)
        .where(Event.id > cursor, events_visible(actor))
        .order_by(Event.id)
        .limit(limit)
    )
    return [
        LogEvent(
            id=e.id,
            occurred_at=as_utc(e.occurred_at).isoformat(),
            kind=e.kind,
            message_id=e.inbound_message_id,
            declaration_number=e.declaration_number,
            data=disclosure.event_data(actor, e.kind, json.loads(e.data)),
        )
        for e in rows
    ]


def summary(row: Declaration) -> DeclarationSummary:
    """The list form of a stored declaration."""
    return DeclarationSummary(
        number=row.number,
        direction=row.direction,
        office=row.office,
        status=row.status,
        lane=row.lane,
        decision=row.decision,
        sender=row.sender,
        sender_reference=row.sender_reference,
        message_reference=row.message_reference,
        message_id=row.inbound_message_id,
        accepted_on=row.accepted_on.isoformat(),
        version=row.version,
        registered_at=as_utc(row.registered_at).isoformat(),
    )


def _stuck(before: datetime | None) -> list[ColumnElement[bool]]:
    if before is None:
        return []
    return [InboundMessage.status == "received", InboundMessage.received_at < before]
