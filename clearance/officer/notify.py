"""Tell the trader what an officer did, in the format its declaration came in.

The answers are those the intake already writes: a CUSRES for an EDIFACT sender (in its own
syntax and service characters), a RES-DMS notification for DEC-DMS, a DEC_RESULT receipt
(回执) for DecMessage, and the JSON channel's response document for a declaration last
changed over JSON. Each is stored as an outbound message in the caller's unit of work.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from clearance.answers import edifact as answers
from clearance.answers import xml as xml_answers
from clearance.flow.outcome import DeclarationOutcome, ErrorReport
from clearance.flow.steps import FlowContext
from clearance.lifecycle.numbering import reserve_control_references
from clearance.store.raw_archive import raw_content
from clearance.store.tables import Declaration as DeclarationRow
from clearance.store.tables import DeclarationVersion, InboundMessage, OutboundMessage
from core.settings import Settings
from edi.edifact.envelope import read_interchange
from edi.edifact.profile import load_profile
from edi.json_request import JsonAnswer, JsonReason, render_json_answer

#: The JSON channel's counter and answer type (clearance/intake/json_flow.py, docs/json-channel.md).
JSON_COUNTER = "json-out"
JSON_ANSWER_TYPE = "response"
#: The status a JSON answer announces a clearance (结关) with (docs/json-channel.md).
CLEARED = "cleared"


def tell_trader(
    session: Session,
    settings: Settings,
    row: DeclarationRow,
    status: str,
    reasons: Sequence[ErrorReport],
    now: datetime,
) -> str | None:
    """Render and store the answer announcing ``status`` with ``reasons``; its text, or None
    when the declaration's channel has no answer for it."""
    inbound = _inbound(session, row)
    if inbound is None:
        return None
    if inbound.format == "xml":  # RES-DMS or DEC_RESULT, in kind
        return xml_answers.answer_officer_decision(
            session, settings, row, inbound, status, "", now, reports=reasons
        )
    if inbound.format == "json":
        return _json(session, settings, row, inbound, status, reasons, now)
    if inbound.format == "edifact":
        return _cusres(session, settings, row, inbound, status, reasons, now)
    return None


def tell_cleared(
    session: Session, settings: Settings, row: DeclarationRow, now: datetime
) -> str | None:
    """Tell the declarant that export ``row`` is cleared (结关), where its channel has such a
    notice; the answer's text, or None.

    Only the JSON channel does: its response with status ``cleared`` (our own format). The
    others have no notice to send, and none is made up: UN/EDIFACT's processing indicator
    (UNCL 7365, GIS in CUSRES, D.96B and D.99B) has no code for a cleared declaration (4
    "goods released" is the release already announced); DEC_RESULT's CHANNEL code for 结关
    and RES-DMS's exit notification are not verified (docs/rebates.md).
    """
    inbound = _inbound(session, row)
    if inbound is None or inbound.format != "json":
        return None
    return _json(session, settings, row, inbound, CLEARED, (), now)


def _inbound(session: Session, row: DeclarationRow) -> InboundMessage | None:
    """The message that made the declaration's current version."""
    inbound_id = session.scalar(
        select(DeclarationVersion.inbound_message_id).where(
            DeclarationVersion.declaration_id == row.id, DeclarationVersion.version == row.version
        )
    )
    return None if inbound_id is None else session.get(InboundMessage, inbound_id)


def _cusres(
    session: Session,
    settings: Settings,
    row: DeclarationRow,
    inbound: InboundMessage,
    status: str,
    reasons: Sequence[ErrorReport],
    now: datetime,
) -> str | None:
    interchange = read_interchange(raw_content(session, inbound, settings.archive_root))
    message = next(
        (m for m in interchange.messages if m.reference == row.message_reference),
        interchange.messages[0] if interchange.messages else None,
    )
    if message is None or interchange.header is None:
        return None
    ctx = _flow_context(session, inbound, settings, now)
    outcome = DeclarationOutcome(
        message_reference=message.reference,
        sender_reference=row.sender_reference,
        number=row.number,
        direction=row.direction,
        status=status,
        reasons=list(reasons),
    )
    reference = reserve_control_references(session, answers.COUNTER, 1)[0]
    rendered = answers.cusres(ctx, interchange, message, outcome, reference)
    text = rendered.text
    _store(session, row, inbound, "edifact", "CUSRES", message.reference, reference, text, now)
    return text


def _json(
    session: Session,
    settings: Settings,
    row: DeclarationRow,
    inbound: InboundMessage,
    status: str,
    reasons: Sequence[ErrorReport],
    now: datetime,
) -> str:
    (reference,) = reserve_control_references(session, JSON_COUNTER, 1)
    answer = JsonAnswer(
        message_id=reference,
        issued_at=now.astimezone(ZoneInfo(settings.timezone)),
        in_reply_to=inbound.control_reference,
        request=inbound.message_type,
        status=status,
        number=row.number,
        version=row.version,
        reasons=tuple(JsonReason(r.code, r.text, r.segment, r.line, r.column) for r in reasons),
    )
    text = render_json_answer(answer)
    _store(
        session,
        row,
        inbound,
        "json",
        JSON_ANSWER_TYPE,
        inbound.control_reference,
        reference,
        text,
        now,
    )
    return text


def _store(
    session: Session,
    row: DeclarationRow,
    inbound: InboundMessage,
    format_: str,
    message_type: str,
    message_reference: str | None,
    control_reference: str,
    text: str,
    now: datetime,
) -> None:
    session.execute(
        insert(OutboundMessage).values(
            inbound_message_id=inbound.id,
            declaration_id=row.id,
            message_reference=message_reference,
            format=format_,
            message_type=message_type,
            recipient=inbound.sender,
            control_reference=control_reference,
            content=text,
            created_at=now,
        )
    )


def _flow_context(
    session: Session, inbound: InboundMessage, settings: Settings, now: datetime
) -> FlowContext:
    local = now.astimezone(ZoneInfo(settings.timezone))
    return FlowContext(
        session=session,
        inbound=inbound,
        sender_hint=None,
        filename=inbound.filename,
        now=now,
        local_now=local,
        accepted_on=local.date(),
        settings=settings,
        profile=load_profile(settings.edifact_profile),
        steps=(),
    )
