"""XML answers: a RES-DMS notification for DEC-DMS senders, a DEC_RESULT receipt (回执) for
DecMessage senders — for the automatic decision and for every later officer decision.

Every reason travels with its code and a pointer: a reason the reader found keeps its XML path;
a business reason about a goods item (a control, a tariff problem) points at that item
(``GovernmentAgencyGoodsItem`` with its sequence in RES-DMS, ``DecList`` in the receipt's note);
any other business reason points at the declaration. The receipt names the declaration's own
customs office (the one its number was drawn for), never merely the configured one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlalchemy.orm import Session

from clearance.flow.outcome import ErrorReport
from clearance.lifecycle.numbering import reserve_control_references
from clearance.store.tables import Declaration as DeclarationRow
from clearance.store.tables import InboundMessage, OutboundMessage
from core.clock import as_utc
from core.settings import Settings
from edi.xml import (
    DEC_DMS,
    AnswerReason,
    AnswerStatus,
    XmlAnswer,
    render_decmessage_receipt,
    render_dms_notification,
)

COUNTER = "xml-out"
DECMESSAGE = "decmessage"
#: The answer's message type for each XML kind we read.
ANSWER_TYPES = {DEC_DMS: "RES-DMS", DECMESSAGE: "DEC_RESULT"}
#: The kind of a stored inbound message, from its ``message_type``.
KIND_OF_MESSAGE_TYPE = {"DEC-DMS": DEC_DMS, "DecMessage": DECMESSAGE}
_STATUSES = {status.value: status for status in AnswerStatus}


def status_of(value: str) -> AnswerStatus:
    """The answer status for a stored declaration status (registered when in between)."""
    return _STATUSES.get(value, AnswerStatus.REGISTERED)


def reasons_for(kind: str | None, reports: Sequence[ErrorReport]) -> tuple[AnswerReason, ...]:
    """Reasons with their codes and pointers, in the sender's vocabulary of ``kind``."""
    return tuple(
        AnswerReason(r.text, _path(kind, r), r.line, r.column, r.code or None, r.text_zh)
        for r in reports
    )


def _path(kind: str | None, report: ErrorReport) -> str | None:
    if report.segment and report.segment.startswith("/"):  # the reader's own XML path
        return report.segment
    if kind == DEC_DMS:
        if report.item is not None:
            return f"/Declaration/GoodsShipment/GovernmentAgencyGoodsItem[{report.item}]"
        return "/Declaration"
    if report.item is not None:
        return f"/DecMessage/DecLists/DecList[{report.item}]"
    return None


def render(kind: str, answer: XmlAnswer) -> str:
    """The answer's text in the format of ``kind`` (``dec-dms`` or ``decmessage``)."""
    render_ = render_dms_notification if kind == DEC_DMS else render_decmessage_receipt
    return render_(answer).decode("utf-8")


def answer_officer_decision(
    session: Session,
    settings: Settings,
    row: DeclarationRow,
    inbound: InboundMessage,
    status: str,
    reason: str,
    now: datetime,
    *,
    reports: Sequence[ErrorReport] = (),
) -> str | None:
    """Render and record the XML answer to an officer's decision (None: not an XML sender).

    ``reports``, when given, are the reasons (code and text each, e.g. the documents an
    officer asks for) instead of ``reason``; they point at the declaration as a whole.
    """
    kind = KIND_OF_MESSAGE_TYPE.get(inbound.message_type or "")
    if kind is None:
        return None
    reasons = tuple(
        AnswerReason(r.text, "/Declaration", r.line, r.column, code=r.code) for r in reports
    ) or (AnswerReason(reason or "officer decision", "/Declaration", code="OFFICER"),)
    (control_reference,) = reserve_control_references(session, COUNTER, 1)
    zone = ZoneInfo(settings.timezone)
    answer = XmlAnswer(
        status=status_of(status),
        sender_reference=row.sender_reference or "-",
        issued_at=as_utc(now).astimezone(zone),
        registered_number=row.number,
        reasons=reasons,
        accepted_at=as_utc(row.registered_at).astimezone(zone),
        customs_office=row.office,
        message_id=control_reference,
    )
    text = render(kind, answer)
    session.execute(
        insert(OutboundMessage).values(
            inbound_message_id=inbound.id,
            declaration_id=row.id,
            message_reference=row.message_reference,
            format="xml",
            message_type=ANSWER_TYPES[kind],
            recipient=inbound.sender,
            control_reference=control_reference,
            content=text,
            created_at=now,
        )
    )
    return text


__all__ = [
    "ANSWER_TYPES",
    "COUNTER",
    "KIND_OF_MESSAGE_TYPE",
    "answer_officer_decision",
    "reasons_for",
    "render",
    "status_of",
]
