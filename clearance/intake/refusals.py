"""The answer to an interchange whose sender was refused, in the sender's own format.

A subject may file only as itself or a trader that mandated it
(:mod:`clearance.flow.senders`); an interchange naming anyone else is rejected before
anything of it is registered. The submitter still gets an acknowledgement it can read
with the software it sent with: a CONTRL rejecting the interchange with 0085 code 23 (unknown
interchange sender), a TA1 ``R`` with note 006 (invalid interchange sender id), the
DEC-DMS / DecMessage receipt or the JSON answer, ``rejected`` with the reason.

The answer goes back to the submitter only (the front door's reply, the mailbox's
``failed/<name>.ack``): it is not stored as an outbound message, so nothing is delivered to the
party the interchange claimed to be from.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from clearance.answers import edifact as edifact_answers
from clearance.answers import xml as xml_answers
from clearance.flow.outcome import Acknowledgement, ErrorReport
from clearance.flow.senders import SenderRefusedError
from clearance.intake.json_flow import COUNTER as JSON_COUNTER
from clearance.intake.x12_flow import COUNTER as X12_COUNTER
from clearance.lifecycle.numbering import reserve_control_references, reserve_values
from clearance.store.raw_pieces import StoredRaw
from core.settings import Settings
from edi.edifact.contrl import ContrlReport, InterchangeInfo, Party, render_contrl
from edi.edifact.envelope import read_interchange
from edi.edifact.errors import SyntaxErrorCode, SyntaxIssue
from edi.json_request import JsonAnswer, JsonReason, read_json_request, render_json_answer
from edi.x12 import AckControl, InterchangeNote, Level, X12Issue, read_x12, render_ta1
from edi.xml import AnswerReason, AnswerStatus, XmlAnswer, read_xml_declaration

#: Bytes of an EDIFACT interchange read for its UNB (the answer needs nothing else).
_UNB_HEAD = 4096
_MAX_CONTROL = 999_999_999


def refusal_acknowledgement(
    session: Session,
    settings: Settings,
    local_now: datetime,
    format_: str | None,
    raw: StoredRaw,
    refused: SenderRefusedError,
    report: ErrorReport,
) -> Acknowledgement | None:
    """The rejection in ``format_``; None when the bytes name nobody to answer (no envelope).

    An EDIFACT interchange is read for its UNB only; the other formats are bounded by their
    channel's size limit and read whole.
    """
    if format_ == "edifact":
        return _contrl(session, settings, local_now, raw.head(_UNB_HEAD), refused, report)
    whole = raw.read_at(0, len(raw))
    if format_ == "x12":
        return _ta1(session, local_now, whole, refused, report)
    if format_ == "xml":
        return _xml(session, settings, local_now, whole, refused, report)
    if format_ == "json":
        return _json(session, local_now, whole, refused, report)
    return None


def _contrl(
    session: Session,
    settings: Settings,
    local_now: datetime,
    head: bytes,
    refused: SenderRefusedError,
    report: ErrorReport,
) -> Acknowledgement | None:
    header = read_interchange(head).header
    if header is None:
        return None
    line, column = header.segment.position_of(1)
    issue = SyntaxIssue(
        code=SyntaxErrorCode.UNKNOWN_SENDER,
        text=refused.message,
        segment_tag="UNB",
        segment_index=header.segment.index,
        line=line,
        column=column,
        element=2,
    )
    (reference,) = reserve_control_references(session, edifact_answers.COUNTER, 1)
    text = render_contrl(
        ContrlReport(InterchangeInfo.from_header(header), interchange_issues=(issue,)),
        our_id=Party(settings.receiver_id, "ZZZ"),
        delimiters=edifact_answers.delimiters_for(header),
        control_reference=reference,
        prepared=local_now,
        line_breaks=True,
    )
    return Acknowledgement("edifact", text, (report,))


def _ta1(
    session: Session,
    local_now: datetime,
    raw: bytes,
    refused: SenderRefusedError,
    report: ErrorReport,
) -> Acknowledgement | None:
    result = read_x12(raw)
    if result.interchange is None:
        return None
    issue = X12Issue(
        Level.INTERCHANGE,
        InterchangeNote.INVALID_SENDER_ID.value,
        refused.message,
        segment_tag="ISA",
        segment_index=1,
        element=6,
        line=report.line,
    )
    (value,) = reserve_values(session, X12_COUNTER, 1)
    number = (value - 1) % _MAX_CONTROL + 1
    control = AckControl(number, number, 1, local_now)
    text = render_ta1(replace(result, issues=(issue,)), control).decode("utf-8")
    return Acknowledgement("x12", text, (report,))


def _xml(
    session: Session,
    settings: Settings,
    local_now: datetime,
    raw: bytes,
    refused: SenderRefusedError,
    report: ErrorReport,
) -> Acknowledgement | None:
    result = read_xml_declaration(raw)
    if result.kind is None or result.kind not in xml_answers.ANSWER_TYPES:
        return None
    (reference,) = reserve_control_references(session, xml_answers.COUNTER, 1)
    answer = XmlAnswer(
        status=AnswerStatus.REJECTED,
        sender_reference=result.sender_reference or "-",
        issued_at=local_now,
        registered_number=None,
        reasons=(AnswerReason(refused.message, None, None, None, refused.code),),
        customs_office=settings.office,
        message_id=reference,
    )
    return Acknowledgement("xml", xml_answers.render(result.kind, answer), (report,))


def _json(
    session: Session,
    local_now: datetime,
    raw: bytes,
    refused: SenderRefusedError,
    report: ErrorReport,
) -> Acknowledgement:
    result = read_json_request(raw)
    (reference,) = reserve_control_references(session, JSON_COUNTER, 1)
    answer = JsonAnswer(
        message_id=reference,
        issued_at=local_now,
        in_reply_to=result.sender_reference,
        request=result.kind,
        status="rejected",
        reasons=(
            JsonReason(refused.code, refused.message, report.segment, report.line, report.column),
        ),
    )
    return Acknowledgement("json", render_json_answer(answer), (report,))
