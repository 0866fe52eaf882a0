"""CONTRL writer: the syntax and service report answering one received interchange.

Layout (CONTRL segment table, positions 0010-0150; see directories/source/D3/CONTRL.txt)::

    UNA UNB  UNH UCI [UCM [UCS [UCD ...] ...] ...] UNT  UNZ

* Our UNB reverses the parties of the subject UNB (we send, they receive); the subject's
  "address for reverse routing" (S002/0008) becomes our recipient routing address.
* UCI copies the subject's sender, recipient and control reference unchanged (ISO 9735:
  "identified by copying") and carries the action: 8 received only, 4 rejected, 7
  acknowledged (lower levels acknowledged unless rejected explicitly). An interchange-level
  error adds 0085, the service segment tag (UNA/UNB/UNZ) and S011.
* One UCF per functional group (UNG/UNE) when the subject has groups, its messages' UCMs
  inside it (CONTRL SG3/SG4); otherwise the UCMs follow the UCI directly (SG1).
* One UCM per message (reference, S009, action 7/4); an error on UNH/UNT or one without a
  segment position goes in the UCM itself.
* One UCS per erroneous segment, position counted in the message with UNH = 1; a UCD per
  erroneous element with S011.
* S011/0098 counts the segment tag as position 1 (ISO 9735 S011 note), while
  :class:`~edi.edifact.errors.SyntaxIssue` numbers data elements from 1 after the tag (as
  the tokenizer and mappers fill it): we write ``element + 1``.
* UNH S009 is ``CONTRL:D:3:UN`` for syntax versions 1-3 (the syntax-3 CONTRL, version D
  release 3) and ``CONTRL:4:1:UN`` for syntax version 4 (ISO 9735 part 11 / JWG1 D.22B).

Text is written by :mod:`edi.edifact.serializer` (release characters, trailing empties).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from itertools import chain

from edi.edifact.envelope import Group, InterchangeHeader, Message
from edi.edifact.errors import SyntaxIssue
from edi.edifact.heads import MessageHead
from edi.edifact.segments import Delimiters
from edi.edifact.serializer import Composite, Scalar, SegmentWriter

__all__ = [
    "Action",
    "ContrlReport",
    "GroupReport",
    "InterchangeInfo",
    "MessageReport",
    "Party",
    "render_contrl",
]

_INTERCHANGE_TAGS = frozenset({"UNA", "UNB", "UNZ"})
_MAX_UCS = 999  # SG2 repeat in the CONTRL table
_MAX_UCD = 99  # UCD repeat inside SG2


class Action(StrEnum):
    """Data element 0083 'Action, coded'."""

    REJECTED = "4"  # this level and all lower levels rejected
    ACKNOWLEDGED = "7"  # this level acknowledged, lower levels unless rejected explicitly
    RECEIVED = "8"  # interchange received (no syntax check reported yet)


@dataclass(frozen=True, slots=True)
class Party:
    """An interchange party (UNB S002/S003): id, code qualifier, internal/routing address."""

    id: str
    qualifier: str | None = None
    internal: str | None = None

    def composite(self) -> tuple[str, ...]:
        """The components as written in UNB/UCI."""
        return (self.id, self.qualifier or "", self.internal or "")


@dataclass(frozen=True, slots=True)
class InterchangeInfo:
    """What the subject interchange's UNB said."""

    syntax_identifier: str  # S001/0001, e.g. "UNOC"
    syntax_version: str  # S001/0002, e.g. "3"
    sender: Party
    recipient: Party
    control_reference: str  # 0020

    @classmethod
    def from_header(cls, header: InterchangeHeader) -> InterchangeInfo:
        """The subject as the envelope reader read its UNB."""
        return cls(
            header.syntax_identifier,
            header.syntax_version,
            Party(header.sender_id, header.sender_qualifier or None),
            Party(header.recipient_id, header.recipient_qualifier or None),
            header.control_reference,
        )


@dataclass(frozen=True, slots=True)
class MessageReport:
    """One message of the subject interchange and its syntax issues.

    ``unh_index`` is the interchange index of the message's UNH; issue positions
    (``segment_index``) become message positions with UNH = 1.
    """

    reference: str  # UNH 0062
    message_type: str  # S009 0065
    version: str  # 0052
    release: str  # 0054
    agency: str  # 0051
    association_code: str | None = None  # 0057
    unh_index: int | None = None
    issues: tuple[SyntaxIssue, ...] = ()

    @classmethod
    def from_message(cls, message: Message, *extra: SyntaxIssue) -> MessageReport:
        """A message from the envelope reader, with its issues and ``extra`` ones (structure)."""
        return cls(
            message.reference,
            message.message_type,
            message.version,
            message.release,
            message.agency,
            message.association_code or None,
            message.header.index,
            (*message.issues, *extra),
        )

    @classmethod
    def from_head(cls, head: MessageHead, *extra: SyntaxIssue) -> MessageReport:
        """A message as the scan kept it (:class:`MessageHead`), like :meth:`from_message`."""
        return cls(
            head.reference,
            head.message_type,
            head.version,
            head.release,
            head.agency,
            head.association_code or None,
            head.unh_index,
            (*head.issues, *extra),
        )


@dataclass(frozen=True, slots=True)
class GroupReport:
    """A functional group (UNG..UNE) of the subject interchange and its messages."""

    reference: str  # UNG 0048
    application_sender: Party | None = None  # S006
    application_recipient: Party | None = None  # S007
    issues: tuple[SyntaxIssue, ...] = ()
    messages: tuple[MessageReport, ...] = ()

    @classmethod
    def from_group(cls, group: Group, messages: tuple[MessageReport, ...]) -> GroupReport:
        """A group from the envelope reader with the reports of its messages."""
        header = group.header
        return cls(
            header.reference,
            Party(header.application_sender) if header.application_sender else None,
            Party(header.application_recipient) if header.application_recipient else None,
            group.issues,
            messages,
        )


@dataclass(frozen=True, slots=True)
class ContrlReport:
    """The answer to one interchange: its issues, its messages and/or its groups."""

    interchange: InterchangeInfo
    interchange_issues: tuple[SyntaxIssue, ...] = ()
    messages: tuple[MessageReport, ...] = ()  # messages outside functional groups
    groups: tuple[GroupReport, ...] = ()
    receipt_only: bool = False  # answer 8 "received" without any message level

    @property
    def action(self) -> Action:
        """The UCI action code."""
        if self.receipt_only:
            return Action.RECEIVED
        return Action.REJECTED if self.interchange_issues else Action.ACKNOWLEDGED


def render_contrl(
    ack: ContrlReport,
    *,
    our_id: Party | str,
    delimiters: Delimiters,
    control_reference: str,
    prepared: datetime,
    message_reference: str = "1",
    line_breaks: bool = False,
) -> str:
    """The complete CONTRL interchange (UNA..UNZ) answering ``ack.interchange``."""
    subject = ack.interchange
    us = Party(our_id) if isinstance(our_id, str) else our_id
    syntax4 = subject.syntax_version.strip() == "4"
    date = prepared.strftime("%Y%m%d" if syntax4 else "%y%m%d")
    recipient = subject.sender  # their S002/0008 reverse routing -> our S003/0014 routing
    s009 = ("CONTRL", "4", "1", "UN") if syntax4 else ("CONTRL", "D", "3", "UN")
    w = SegmentWriter.of(delimiters, line_breaks)
    unb = w(
        "UNB",
        (subject.syntax_identifier, subject.syntax_version),
        us.composite(),
        recipient.composite(),
        (date, prepared.strftime("%H%M")),
        control_reference,
    )
    head = delimiters.una() + ("\n" if line_breaks else "") + unb
    body = _body(ack, s009, message_reference, w)
    return "".join(chain((head,), body, (w("UNZ", "1", control_reference),)))


def _body(
    ack: ContrlReport, s009: tuple[str, ...], message_reference: str, w: SegmentWriter
) -> Iterator[str]:
    """UNH..UNT, one segment at a time: a CONTRL naming 200,000 messages is written without
    holding a segment for each of them (only the text is kept). Each segment is written as
    text at once (:class:`SegmentWriter`, the same text as ``seg`` and ``serialize``)."""
    yield w("UNH", message_reference, s009)
    yield w("UCI", *_uci(ack))
    count = 2
    if not ack.receipt_only:
        rejected = ack.action == Action.REJECTED
        parts = chain(
            (_message(report, rejected, w) for report in ack.messages),
            (_group(group, rejected, w) for group in ack.groups),
        )
        for segments in parts:
            count += len(segments)
            yield from segments
    yield w("UNT", str(count + 1), message_reference)


def _uci(ack: ContrlReport) -> list[Scalar | Composite]:
    subject = ack.interchange
    elements: list[Scalar | Composite] = [
        subject.control_reference,
        subject.sender.composite(),
        subject.recipient.composite(),
        ack.action.value,
    ]
    if ack.interchange_issues and not ack.receipt_only:
        elements += _error(ack.interchange_issues[0], _INTERCHANGE_TAGS)
    return elements


def _error(issue: SyntaxIssue, tags: frozenset[str]) -> list[Scalar | Composite]:
    """0085, service segment tag and S011 of the one error a UCI/UCF/UCM can carry."""
    tag = issue.segment_tag if issue.segment_tag in tags else ""
    return [int(issue.code), tag, _s011(issue)]


def _group(group: GroupReport, interchange_rejected: bool, w: SegmentWriter) -> list[str]:
    """UCF and the UCMs of the group's messages."""
    rejected = interchange_rejected or bool(group.issues)
    sender, recipient = group.application_sender, group.application_recipient
    ucf: list[Scalar | Composite] = [
        group.reference,
        sender.composite()[:2] if sender else (),
        recipient.composite()[:2] if recipient else (),
        (Action.REJECTED if rejected else Action.ACKNOWLEDGED).value,
    ]
    if group.issues:
        ucf += _error(group.issues[0], frozenset({"UNG", "UNE"}))
    segments = [w("UCF", *ucf)]
    for report in group.messages:
        segments.extend(_message(report, rejected, w))
    return segments


def _message(report: MessageReport, interchange_rejected: bool, w: SegmentWriter) -> list[str]:
    """UCM and its UCS/UCD segments for one message."""
    own: list[SyntaxIssue] = []
    by_position: dict[int, list[SyntaxIssue]] = {}
    for issue in report.issues:
        position = _position(report, issue)
        if position is None:
            own.append(issue)
        else:
            by_position.setdefault(position, []).append(issue)
    rejected = interchange_rejected or bool(report.issues)
    s009 = (
        report.message_type,
        report.version,
        report.release,
        report.agency,
        report.association_code,
    )
    ucm: list[Scalar | Composite] = [
        report.reference,
        s009,
        (Action.REJECTED if rejected else Action.ACKNOWLEDGED).value,
    ]
    if own:
        ucm += _error(own[0], frozenset({"UNH", "UNT"}))
    segments = [w("UCM", *ucm)]
    for position, issues in list(by_position.items())[:_MAX_UCS]:
        whole = next((i for i in issues if i.element is None), None)
        segments.append(w("UCS", position, None if whole is None else int(whole.code)))
        details = [i for i in issues if i.element is not None][:_MAX_UCD]
        segments.extend(w("UCD", int(i.code), _s011(i)) for i in details)
    return segments


def _position(report: MessageReport, issue: SyntaxIssue) -> int | None:
    """UCS 0096 for an issue, or None when it belongs in the UCM itself."""
    if issue.segment_tag in ("UNH", "UNT") or issue.segment_index is None:
        return None
    if report.unh_index is None or issue.segment_index < report.unh_index:
        return None
    return issue.segment_index - report.unh_index + 1


def _s011(issue: SyntaxIssue) -> tuple[int | None, ...]:
    if issue.element is None:
        return ()
    return (issue.element + 1, issue.component)
