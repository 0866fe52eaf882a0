"""Read-side queries for the CLI (and, later, the HTTP API)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clearance.store.tables import (
    Declaration,
    DeclarationVersion,
    Event,
    InboundMessage,
    OutboundMessage,
)
from clearance.store.tariff_tables import DeclarationAssessmentRow
from core.clock import as_utc


def list_messages(session: Session, *, limit: int = 100) -> list[dict[str, Any]]:
    """The newest inbound messages first, without their raw bytes."""
    answers = (
        select(OutboundMessage.inbound_message_id, func.count().label("n"))
        .group_by(OutboundMessage.inbound_message_id)
        .subquery()
    )
    rows = session.execute(
        select(InboundMessage, answers.c.n)
        .outerjoin(answers, answers.c.inbound_message_id == InboundMessage.id)
        .order_by(InboundMessage.id.desc())
        .limit(limit)
    ).all()
    return [
        {
            "message_id": m.id,
            "received_at": as_utc(m.received_at).isoformat(),
            "sender": m.sender,
            "channel": m.channel,
            "filename": m.filename,
            "format": m.format,
            "message_type": m.message_type,
            "control_reference": m.control_reference,
            "size": m.size,
            "sha256": m.sha256,
            "status": m.status,
            "error": m.error,
            "duplicate_of": m.duplicate_of,
            "answers": n or 0,
        }
        for m, n in rows
    ]


def list_declarations(session: Session, *, limit: int = 100) -> list[dict[str, Any]]:
    """The newest declarations first."""
    rows = session.scalars(select(Declaration).order_by(Declaration.id.desc()).limit(limit))
    return [_summary(row) for row in rows]


def show_declaration(session: Session, number: str) -> dict[str, Any] | None:
    """Everything stored about one declaration: content, versions, answers and events."""
    row = session.scalars(select(Declaration).where(Declaration.number == number)).one_or_none()
    if row is None:
        return None
    versions = session.scalars(
        select(DeclarationVersion)
        .where(DeclarationVersion.declaration_id == row.id)
        .order_by(DeclarationVersion.version)
    )
    answers = session.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.declaration_id == row.id)
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
    return {
        **_summary(row),
        "declaration": json.loads(row.canonical),
        "assessment": None if assessment is None else json.loads(assessment.result),
        "versions": [
            {
                "version": v.version,
                "function": v.function,
                "message_id": v.inbound_message_id,
                "created_at": as_utc(v.created_at).isoformat(),
            }
            for v in versions
        ],
        "responses": [
            {
                "message_type": a.message_type,
                "created_at": as_utc(a.created_at).isoformat(),
                "control_reference": a.control_reference,
                "text": a.content,
            }
            for a in answers
        ],
        "events": [
            {
                "id": e.id,
                "kind": e.kind,
                "occurred_at": as_utc(e.occurred_at).isoformat(),
                "data": json.loads(e.data),
            }
            for e in events
        ],
    }


def _summary(row: Declaration) -> dict[str, Any]:
    return {
        "number": row.number,
        "direction": row.direction,
        "office": row.office,
        "status": row.status,
        "lane": row.lane,
        "decision": row.decision,
        "sender": row.sender,
        "sender_reference": row.sender_reference,
        "message_reference": row.message_reference,
        "message_id": row.inbound_message_id,
        "accepted_on": row.accepted_on.isoformat(),
        "version": row.version,
        "registered_at": as_utc(row.registered_at).isoformat(),
    }
