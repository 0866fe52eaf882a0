"""Interchange → functional groups → messages, streamed, every count and reference checked.

::

    reader = EnvelopeReader(source)        # bytes or a binary file
    for message in reader:                 # one Message (UNH..UNT) at a time
        ...                                # message.issues: this message's problems
    reader.header                          # InterchangeHeader (None when UNB was unreadable)
    reader.groups                          # closed functional groups (UNG..UNE) with issues
    reader.issues                          # interchange-level issues
    reader.complete                        # read to the end of the data (not stopped)

    interchange = read_interchange(source) # the same, collected (small interchanges, tests)

Bad input never raises: problems become :class:`SyntaxIssue` with their UN/EDIFACT code
(0085), segment tag, segment index, line/column and element. A problem belongs to the
smallest unit it concerns, so a CONTRL can reject one message and accept its siblings:
UNH/UNT problems (29 count, 28 reference, 26 duplicate reference, 13 missing UNT) go to the
message, UNG/UNE problems (29, 28, 26, 32 empty, 13 missing UNE) to the group, the rest
(13 missing UNB/UNZ, 29/28 on UNZ, 30 mixed groups and messages, 32 empty interchange, 33
segments outside a message or after UNZ, 2 unsupported syntax version) to the interchange.

A tokenizer error (unreadable bytes, characters outside the repertoire, bad UNA …) ends
reading: it is an interchange-level issue and, if it struck inside a message, that partial
message is yielded with the issue too. An unsupported syntax version ends reading before
any message. Interchange-level issues are complete only when iteration has finished: a
caller acting on streamed messages must wait for the end before accepting the interchange.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from edi.edifact.errors import EdifactError, SyntaxErrorCode, SyntaxIssue
from edi.edifact.segments import Delimiters, Segment
from edi.edifact.tokenizer import DEFAULT_CHUNK_SIZE, Source, Tokenizer

__all__ = [
    "EnvelopeReader",
    "Group",
    "GroupHeader",
    "Interchange",
    "InterchangeHeader",
    "Message",
    "Resume",
    "read_interchange",
]

E = SyntaxErrorCode
SUPPORTED_SYNTAX_VERSIONS = frozenset({1, 2, 3, 4})
_ENVELOPE = frozenset({"UNB", "UNG", "UNE", "UNH", "UNT", "UNZ", ""})


@dataclass(frozen=True, slots=True)
class InterchangeHeader:
    """UNB, read into names (syntax 1-4 element layout)."""

    syntax_identifier: str
    syntax_version: str
    sender_id: str
    sender_qualifier: str
    recipient_id: str
    recipient_qualifier: str
    prepared_date: str
    prepared_time: str
    control_reference: str
    application_reference: str
    test_indicator: bool
    delimiters: Delimiters
    segment: Segment

    @classmethod
    def from_segment(cls, unb: Segment, delimiters: Delimiters) -> InterchangeHeader:
        """Read UNB: S001, S002, S003, S004, 0020, S005, 0026, 0029, 0031, 0032, 0035."""
        g = unb.get
        return cls(
            syntax_identifier=g(0),
            syntax_version=g(0, 1),
            sender_id=g(1),
            sender_qualifier=g(1, 1),
            recipient_id=g(2),
            recipient_qualifier=g(2, 1),
            prepared_date=g(3),
            prepared_time=g(3, 1),
            control_reference=g(4),
            application_reference=g(6),
            test_indicator=g(10) == "1",
            delimiters=delimiters,
            segment=unb,
        )


@dataclass(frozen=True, slots=True)
class GroupHeader:
    """UNG: message group identification, reference (0048), application sender/recipient."""

    group_id: str
    reference: str
    application_sender: str
    application_recipient: str
    segment: Segment


@dataclass(frozen=True, slots=True)
class Group:
    """A closed functional group: header, messages counted, UNE (None if missing), issues."""

    header: GroupHeader
    message_count: int
    trailer: Segment | None
    issues: tuple[SyntaxIssue, ...]


@dataclass(frozen=True, slots=True)
class Message:
    """One message, UNH..UNT inclusive (UNT missing when an issue says so)."""

    reference: str
    message_type: str
    version: str
    release: str
    agency: str
    association_code: str
    group_reference: str | None
    segments: tuple[Segment, ...]
    issues: tuple[SyntaxIssue, ...]

    @property
    def header(self) -> Segment:
        """The UNH segment."""
        return self.segments[0]

    def position_of(self, segment: Segment) -> int:
        """Position of ``segment`` in this message, UNH = 1 (CONTRL 0096)."""
        return segment.index - self.segments[0].index + 1


@dataclass(frozen=True, slots=True)
class Interchange:
    """Everything :func:`read_interchange` collected."""

    header: InterchangeHeader | None
    groups: tuple[Group, ...]
    messages: tuple[Message, ...]
    issues: tuple[SyntaxIssue, ...]
    trailer: Segment | None
    complete: bool

    @property
    def all_issues(self) -> tuple[SyntaxIssue, ...]:
        """Interchange, group and message issues together, in reading order."""
        nested = [i for g in self.groups for i in g.issues]
        nested += [i for m in self.messages for i in m.issues]
        return tuple(sorted([*self.issues, *nested], key=lambda i: i.segment_index or 0))

    @property
    def ok(self) -> bool:
        """True when nothing at any level is wrong."""
        return self.complete and not self.all_issues


def _issue(
    code: SyntaxErrorCode,
    text: str,
    seg: Segment,
    element: int | None = None,
    component: int | None = None,
) -> SyntaxIssue:
    """An issue at ``seg`` (element/component 0-based here, 1-based in the issue)."""
    line, column = seg.position_of(element)
    element_no = None if element is None else element + 1
    component_no = None if component is None else component + 1
    return SyntaxIssue(code, text, seg.tag, seg.index, line, column, element_no, component_no)


def _check_trailer(seg: Segment, count: int, reference: str, what: str) -> list[SyntaxIssue]:
    """Control count (element 1) and reference (element 2) of UNT/UNE/UNZ."""
    issues: list[SyntaxIssue] = []
    raw = seg.get(0)
    if not raw:
        issues.append(_issue(E.MISSING, f"{seg.tag}: control count missing", seg, 0))
    elif not raw.isdigit():
        issues.append(_issue(E.INVALID_VALUE, f"{seg.tag}: count {raw!r} is not a number", seg, 0))
    elif int(raw) != count:
        text = f"{seg.tag} says {int(raw)} {what}, {count} received"
        issues.append(_issue(E.CONTROL_COUNT_MISMATCH, text, seg, 0))
    if seg.get(1) != reference:
        text = f"{seg.tag} reference {seg.get(1)!r} does not match {reference!r}"
        issues.append(_issue(E.REFERENCES_DO_NOT_MATCH, text, seg, 1))
    return issues


@dataclass(frozen=True, slots=True)
class Resume:
    """Where a second read of an interchange goes on: the segment index of a message's UNH
    and the functional group that message sits in.

    A first read that kept its first messages whole hands the rest to a second read, which
    passes over the segments before this UNH without building them (their lines are still
    counted: positions are those of the file). What that reader says of the envelopes (counts,
    references, issues) covers only what it read; the first read checked them.
    """

    segment_index: int
    group: GroupHeader | None


@dataclass(slots=True)
class _OpenGroup:
    header: GroupHeader
    messages: int = 0
    issues: list[SyntaxIssue] = field(default_factory=list)


class EnvelopeReader:
    """Streams the messages of one interchange and checks its envelopes (see module doc)."""

    def __init__(
        self,
        source: Source,
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        resume: Resume | None = None,
    ) -> None:
        """``resume``: go on at the message a first read stopped keeping (see :class:`Resume`)."""
        skip = 0 if resume is None else resume.segment_index
        self._tokenizer = Tokenizer(source, chunk_size=chunk_size, skip_before=skip)
        self._resume = resume
        self._started = False
        self.header: InterchangeHeader | None = None
        self.groups: list[Group] = []
        self.issues: list[SyntaxIssue] = []
        self.trailer: Segment | None = None
        self.complete = False
        self.message_count = 0
        self._group: _OpenGroup | None = None
        self._segments: list[Segment] | None = None  # the open message, UNH first
        self._message_issues: list[SyntaxIssue] = []
        self._references: set[str] = set()
        self._group_references: set[str] = set()
        self._top_level_messages = 0
        self._in_stray_run = False  # report a run of stray segments once
        self._reported_mixed = False
        self._reported_after_end = False
        self._last: Segment | None = None

    @property
    def group(self) -> GroupHeader | None:
        """The functional group open at this point of the reading (that of the message just
        yielded), if any."""
        return self._group.header if self._group is not None else None

    def __iter__(self) -> Iterator[Message]:
        if self._started:
            raise RuntimeError("an EnvelopeReader can be iterated only once")
        self._started = True
        return self._read()

    def _read(self) -> Iterator[Message]:
        tokens = iter(self._tokenizer)
        envelope = _ENVELOPE
        try:
            if not self._open(next(tokens, None)):
                return
            if self._resume is not None and self._resume.group is not None:
                self._group = _OpenGroup(self._resume.group)
            current = self._segments
            for seg in tokens:  # the hot loop: most segments just join the open message
                if current is None or seg.tag in envelope:
                    message = self._service(seg)
                    current = self._segments
                    if message is not None:
                        yield message
                else:
                    current.append(seg)
        except EdifactError as exc:
            self.issues.append(exc.issue)
            if self._segments is not None:
                yield self._close_message(exc.issue)
            if self._group is not None:
                self._close_group(None, None)
            return
        if self._segments is not None:  # the data ended inside a message
            self._last = self._segments[-1]
            yield self._close_message(self._missing("UNT", None))
        self._finish()

    def _open(self, unb: Segment | None) -> bool:
        """Read UNB; False when reading cannot go on."""
        if unb is None:
            self.issues.append(SyntaxIssue(E.MISSING, "no UNB: the data is empty", "UNB"))
            return False
        self.header = InterchangeHeader.from_segment(
            unb, self._tokenizer.delimiters or Delimiters()
        )
        self._last = unb
        if self._tokenizer.syntax_version not in SUPPORTED_SYNTAX_VERSIONS:
            text = f"syntax version {unb.get(0, 1)!r} is not supported (1-4)"
            self.issues.append(_issue(E.SYNTAX_VERSION_NOT_SUPPORTED, text, unb, 0, 1))
            return False
        if not self.header.control_reference:
            self.issues.append(_issue(E.MISSING, "UNB: control reference missing", unb, 4))
        return True

    def _service(self, seg: Segment) -> Message | None:
        """A service segment, an empty one, or any segment outside a message."""
        tag, message = seg.tag, None
        if self.trailer is not None:
            self._after_end(seg)
        elif tag == "":
            self._here().append(_issue(E.MISSING, "empty segment (no tag)", seg))
        elif tag == "UNT" and self._segments is not None:
            self._segments.append(seg)
            message = self._close_message(None)
        else:
            if self._segments is not None:  # UNH, UNG, UNE, UNZ or UNB: the message ended
                message = self._close_message(self._missing("UNT", seg))
            handler = {
                "UNH": self._open_message,
                "UNG": self._open_group,
                "UNE": self._close_group_at,
                "UNZ": self._close_interchange,
            }
            handler.get(tag, self._outside)(seg)
        self._last = seg
        return message

    def _here(self) -> list[SyntaxIssue]:
        """Where an issue at the current point belongs: message, group or interchange."""
        if self._segments is not None:
            return self._message_issues
        return self._group.issues if self._group is not None else self.issues

    def _missing(self, tag: str, before: Segment | None) -> SyntaxIssue:
        at = before or self._last
        where = f"before {before.tag}" if before else "at the end of the data"
        index = (at.index if before else at.index + 1) if at else None
        line, column = (at.line, at.column) if at else (None, None)
        return SyntaxIssue(E.MISSING, f"{tag} missing {where}", tag, index, line, column)

    def _open_message(self, unh: Segment) -> None:
        self._in_stray_run = False
        self._segments, self._message_issues = [unh], []
        reference = unh.get(0)
        if not reference:
            self._message_issues.append(_issue(E.MISSING, "UNH: reference missing", unh, 0))
        elif reference in self._references:
            text = f"message reference {reference!r} occurs twice in the interchange"
            self._message_issues.append(_issue(E.DUPLICATE_DETECTED, text, unh, 0))
        self._references.add(reference)
        if not unh.get(1):
            self._message_issues.append(_issue(E.MISSING, "UNH: message type missing", unh, 1))
        if self._group is not None:
            self._group.messages += 1
            return
        self._top_level_messages += 1
        if self.groups:
            self._mixed(unh)

    def _close_message(self, problem: SyntaxIssue | None) -> Message:
        segments, issues = self._segments or [], self._message_issues
        unh = segments[0]
        if problem is not None:
            issues.append(problem)
        else:
            issues += _check_trailer(segments[-1], len(segments), unh.get(0), "segments")
        g = unh.get
        message = Message(
            reference=g(0),
            message_type=g(1),
            version=g(1, 1),
            release=g(1, 2),
            agency=g(1, 3),
            association_code=g(1, 4),
            group_reference=self._group.header.reference if self._group else None,
            segments=tuple(segments),
            issues=tuple(issues),
        )
        self._segments, self._message_issues = None, []
        self.message_count += 1
        return message

    def _open_group(self, ung: Segment) -> None:
        self._in_stray_run = False
        if self._group is not None:
            self._close_group(self._missing("UNE", ung), None)
        if self._top_level_messages:
            self._mixed(ung)
        reference = ung.get(4)
        group = self._group = _OpenGroup(
            GroupHeader(ung.get(0), reference, ung.get(1), ung.get(2), ung)
        )
        if not reference:
            group.issues.append(_issue(E.MISSING, "UNG: group reference missing", ung, 4))
        elif reference in self._group_references:
            text = f"group reference {reference!r} occurs twice in the interchange"
            group.issues.append(_issue(E.DUPLICATE_DETECTED, text, ung, 4))
        self._group_references.add(reference)

    def _close_group_at(self, une: Segment) -> None:
        self._in_stray_run = False
        group = self._group
        if group is None:
            self.issues.append(_issue(E.INVALID_OCCURRENCE_OUTSIDE_MESSAGE, "UNE without UNG", une))
            return
        group.issues += _check_trailer(une, group.messages, group.header.reference, "messages")
        if not group.messages:
            group.issues.append(_issue(E.LOWER_LEVEL_EMPTY, "functional group has no message", une))
        self._close_group(None, une)

    def _close_group(self, problem: SyntaxIssue | None, une: Segment | None) -> None:
        group = self._group
        if group is not None:
            issues = [*group.issues, problem] if problem else group.issues
            self.groups.append(Group(group.header, group.messages, une, tuple(issues)))
        self._group = None

    def _close_interchange(self, unz: Segment) -> None:
        self._in_stray_run = False
        if self._group is not None:
            self._close_group(self._missing("UNE", unz), None)
        count, what = (
            (len(self.groups), "groups") if self.groups else (self._top_level_messages, "messages")
        )
        reference = self.header.control_reference if self.header else ""
        self.issues += _check_trailer(unz, count, reference, what)
        if not count:
            self.issues.append(_issue(E.LOWER_LEVEL_EMPTY, "interchange has no message", unz))
        self.trailer = unz

    def _finish(self) -> None:
        """End of data without a tokenizer error: close what is still open."""
        if self._group is not None:
            self._close_group(self._missing("UNE", None), None)
        if self.trailer is None:
            self.issues.append(self._missing("UNZ", None))
            if not self.message_count and not self.groups:
                text = "interchange has no message"
                self.issues.append(SyntaxIssue(E.LOWER_LEVEL_EMPTY, text))
        self.complete = True

    def _mixed(self, seg: Segment) -> None:
        if not self._reported_mixed:
            text = "messages outside functional groups and groups in one interchange"
            self.issues.append(_issue(E.GROUPS_AND_MESSAGES_MIXED, text, seg))
            self._reported_mixed = True

    def _outside(self, seg: Segment) -> None:
        if not self._in_stray_run:
            text = f"{seg.tag or 'segment'} outside a message"
            self._here().append(_issue(E.INVALID_OCCURRENCE_OUTSIDE_MESSAGE, text, seg))
            self._in_stray_run = True

    def _after_end(self, seg: Segment) -> None:
        if not self._reported_after_end:
            text = f"{seg.tag or 'segment'} after UNZ"
            self.issues.append(_issue(E.INVALID_OCCURRENCE_OUTSIDE_MESSAGE, text, seg))
            self._reported_after_end = True


def read_interchange(source: Source, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Interchange:
    """Read a whole interchange into memory (convenience for small ones and tests)."""
    reader = EnvelopeReader(source, chunk_size=chunk_size)
    messages = tuple(reader)
    return Interchange(
        reader.header,
        tuple(reader.groups),
        messages,
        tuple(reader.issues),
        reader.trailer,
        reader.complete,
    )
