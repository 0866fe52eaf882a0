"""Render the EDIFACT answers (CONTRL, CUSRES) for one interchange, in the sender's syntax.

Answers reuse the sender's syntax identifier, version and service characters, so they can
read them with the settings they already have; our UNA always names a release character so
that free text can be written safely. Text is fitted to the repertoire of the sender's
character set (UNOA has upper case only).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, tzinfo

from clearance.flow.outcome import TAX_TYPES, DeclarationOutcome
from clearance.flow.steps import FlowContext
from edi.edifact import charsets
from edi.edifact.contrl import (
    ContrlReport,
    GroupReport,
    InterchangeInfo,
    MessageReport,
    Party,
    render_contrl,
)
from edi.edifact.cusres import CusresContent, CusresStatus, DutyLine, Reason, render_cusres
from edi.edifact.envelope import Interchange, InterchangeHeader, Message
from edi.edifact.errors import SyntaxIssue
from edi.edifact.heads import InterchangeHeads, MessageHead
from edi.edifact.segments import Delimiters
from edi.edifact.serializer import SegmentWriter

COUNTER = "edifact-out"


@dataclass(frozen=True, slots=True)
class Rendered:
    """An answer interchange and the control reference we gave it."""

    text: str
    control_reference: str


def delimiters_for(header: InterchangeHeader) -> Delimiters:
    """The sender's service characters, with a release character when they had none."""
    d = header.delimiters
    if d.release is not None:
        return d
    taken = {d.component, d.element, d.segment, d.decimal, d.repetition}
    release = next(c for c in "?!\\^" if c not in taken)
    return replace(d, release=release)


def contrl(
    ctx: FlowContext,
    interchange: Interchange | InterchangeHeads,
    control_reference: str,
    *,
    interchange_issues: tuple[SyntaxIssue, ...] | list[SyntaxIssue],
    message_issues: dict[int, tuple[SyntaxIssue, ...]],
) -> Rendered:
    """The CONTRL interchange answering ``interchange`` (read whole, or scanned into heads)."""
    header = interchange.header
    assert header is not None

    def report(message: Message | MessageHead) -> MessageReport:
        if isinstance(message, MessageHead):
            return MessageReport.from_head(message, *message_issues.get(message.unh_index, ()))
        return MessageReport.from_message(message, *message_issues.get(message.header.index, ()))

    grouped = {g.header.reference for g in interchange.groups}
    report_ = ContrlReport(
        interchange=InterchangeInfo.from_header(header),
        interchange_issues=tuple(interchange_issues),
        messages=tuple(report(m) for m in interchange.messages if m.group_reference not in grouped),
        groups=tuple(
            GroupReport.from_group(
                g,
                tuple(
                    report(m)
                    for m in interchange.messages
                    if m.group_reference == g.header.reference
                ),
            )
            for g in interchange.groups
        ),
    )
    text = render_contrl(
        report_,
        our_id=Party(ctx.settings.receiver_id, "ZZZ"),
        delimiters=delimiters_for(header),
        control_reference=control_reference,
        prepared=ctx.local_now,
        line_breaks=True,
    )
    return Rendered(text, control_reference)


def cusres(
    ctx: FlowContext,
    interchange: Interchange | InterchangeHeads,
    message: Message,
    outcome: DeclarationOutcome,
    control_reference: str,
) -> Rendered:
    """A CUSRES interchange (UNA..UNZ) answering one CUSDEC message."""
    header = interchange.header
    assert header is not None
    delimiters = delimiters_for(header)
    fit = _Fit(charsets.lookup(header.syntax_identifier))
    release = message.release if message.release in ("96B", "99B") else "96B"
    content = CusresContent(
        message_reference="1",
        release=release,
        declaration_number=outcome.number,
        sender_reference=fit(outcome.sender_reference or message.reference),
        status=CusresStatus(outcome.status),  # the stored statuses are CUSRES's own values
        prepared=ctx.local_now,
        reasons=tuple(
            Reason(
                code=r.code[:8],
                text=fit(r.text),
                segment_tag=r.segment,
                line=r.line,
                column=r.column,
            )
            for r in outcome.reasons
        ),
        duties=_duty_lines(outcome),
        request_message_reference=message.reference,
        declaration_document_code=next(
            (s.get(0) for s in message.segments if s.tag == "BGM"), "929"
        ),
    )
    body = render_cusres(content, delimiters=delimiters, line_breaks=True)
    date, time = _prepared(ctx.local_now, header.syntax_version.strip() == "4")
    w = SegmentWriter.of(delimiters, True)
    unb = w(
        "UNB",
        (header.syntax_identifier, header.syntax_version),
        (ctx.settings.receiver_id, "ZZZ"),
        (header.sender_id, header.sender_qualifier),
        (date, time),
        control_reference,
    )
    head = delimiters.una() + "\n" + unb
    tail = w("UNZ", "1", control_reference)
    return Rendered(head + body + tail, control_reference)


def _duty_lines(outcome: DeclarationOutcome) -> tuple[DutyLine, ...]:
    """The CUSRES duty lines of ``outcome``: :meth:`ItemOutcome.duty_lines` of every item,
    read straight from each item's TaxLines (tax, measure type, measure id, expression, base,
    amount, currency, …) into one list: no list per item and no tuple per line in between."""
    types = TAX_TYPES
    return tuple(
        [
            DutyLine(item.sequence, types.get(line[0], "OTH"), None, line[4], line[5], line[6])
            for item in outcome.items
            for line in item.lines
        ]
    )


#: UNB S004 date and time written, by instant, time zone and syntax version (every answer
#: of an interchange shares its instant; equal instants in two zones are written differently).
_PREPARED: dict[tuple[datetime, tzinfo | None, bool], tuple[str, str]] = {}


def _prepared(now: datetime, syntax4: bool) -> tuple[str, str]:
    """UNB 0017 (CCYYMMDD in syntax 4, else YYMMDD) and 0019 (HHMM) for ``now``."""
    key = (now, now.tzinfo, syntax4)
    found = _PREPARED.get(key)
    if found is None:
        if len(_PREPARED) >= 64:
            _PREPARED.clear()
        date = now.strftime("%Y%m%d" if syntax4 else "%y%m%d")
        found = _PREPARED[key] = (date, now.strftime("%H%M"))
    return found


class _Fit:
    """Fit free text into a repertoire: UNOA is upper case only; unknown characters → '.'."""

    def __init__(self, charset: charsets.Charset | None) -> None:
        self._repertoire = None if charset is None else charset.repertoire
        self._upper = charset is not None and charset.identifier == "UNOA"

    def __call__(self, text: str) -> str:
        if self._repertoire is None:
            return text
        text = text.upper() if self._upper else text
        return "".join(c if c in self._repertoire else "." for c in text)
