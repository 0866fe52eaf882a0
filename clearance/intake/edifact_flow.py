"""The EDIFACT channel: one stored interchange → CONTRL, registered declarations, CUSRES.

Order of work (DESIGN.md steps 2–8): read the envelopes, dedupe on (sender, interchange
control reference, content hash), check each message (type, directory structure, elements),
map CUSDEC through the profile, register, run the declaration steps (assessment, controls),
then render and store the answers (clearance/intake/channel.py holds what the channels share).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from clearance.answers import edifact as answers
from clearance.flow.outcome import (
    Acknowledgement,
    DeclarationOutcome,
    ErrorReport,
    InterchangeStatus,
    SubmissionOutcome,
)
from clearance.flow.senders import SenderPosition, check_sender
from clearance.flow.steps import FlowContext
from clearance.intake.channel import Work, answer_again, claim_key, register
from clearance.intake.edifact_scan import (
    CHUNK,
    Raw,
    Scan,
    light_message,
    mappable_messages,
    scan_interchange,
)
from clearance.intake.offices import OfficeRefusal, office_refusal
from clearance.lifecycle.events import EventBatch, EventKind
from clearance.lifecycle.numbering import reserve_control_references
from clearance.lifecycle.registration import Refused, Submission
from clearance.store.tables import InterchangeKey
from edi.edifact.cusdec import map_cusdec
from edi.edifact.envelope import InterchangeHeader, Message
from edi.edifact.errors import SyntaxErrorCode, SyntaxIssue
from edi.edifact.heads import InterchangeHeads, MessageHead
from edi.edifact.mapping_issues import IssueCode, MappingIssue, MappingResult
from edi.edifact.profile import CusdecProfile
from edi.edifact.segments import Segment


@dataclass
class _Work(Work):
    """The shared work record plus what only EDIFACT needs: the interchange, our references."""

    interchange: InterchangeHeads = field(kw_only=True)
    references: list[str] = field(default_factory=list, kw_only=True)

    def edifact_answer(
        self,
        message_type: str,
        rendered: answers.Rendered,
        declaration_id: int | None = None,
        message_reference: str | None = None,
    ) -> None:
        self.answer(
            "edifact",
            message_type,
            rendered.text,
            rendered.control_reference,
            declaration_id,
            message_reference,
        )


def process_edifact(ctx: FlowContext, raw: Raw) -> SubmissionOutcome:
    """Process one EDIFACT interchange inside the caller's unit of work.

    The interchange is read a message at a time (:mod:`clearance.intake.edifact_scan`): first
    its envelopes and the syntax of every message, for the CONTRL, keeping a head (a few
    strings) of each message and, up to ``KEEP_UP_TO`` messages, the messages whole; then, when
    the interchange is sound, its declarations are mapped (a larger interchange's messages
    read again), registered, decided, answered and written ``CHUNK`` at a time. Memory therefore
    grows with a chunk, not with the interchange; everything still lands in the caller's one unit of
    work, so the interchange is answered once and nothing of it is half-written. ``raw`` is the
    bytes, or a stored message's bytes read back a piece at a time (a worker's path).
    """
    scan = scan_interchange(raw)
    interchange = scan.interchange
    header = interchange.header
    inbound = ctx.inbound
    inbound.sender = ctx.sender_hint or (header.sender_id if header else inbound.sender)
    check_sender(ctx, header.sender_id if header else None, _sender_position(header))
    types = Counter(m.message_type for m in interchange.messages)
    inbound.message_type = types.most_common(1)[0][0] if types else None
    outcome = SubmissionOutcome(
        file=ctx.filename,
        message_id=inbound.id,
        format="edifact",
        message_type=inbound.message_type,
        status=InterchangeStatus.ACCEPTED,
        errors=[_report(i) for i in interchange.issues],
        sender=inbound.sender,
    )
    work = _Work(ctx, outcome, EventBatch(ctx.now, inbound.id), interchange=interchange)
    if header is None:  # no UNB: there is nobody to address a CONTRL to
        outcome.status = InterchangeStatus.REJECTED
        work.events.add(
            EventKind.SYNTAX_REJECTED, data={"errors": [e.text for e in outcome.errors]}
        )
    else:
        inbound.control_reference = outcome.control_reference = header.control_reference
        earlier = claim_key(ctx, header.control_reference)
        if earlier is None:
            _process_messages(work, raw, scan)
        elif earlier.sha256 == inbound.sha256:
            answer_again(work, earlier, "edifact")
        else:
            _reject_reused_reference(work, earlier)
    work.write()
    return outcome


def _sender_position(header: InterchangeHeader | None) -> SenderPosition:
    """Where UNB names the sender (S002, the second element)."""
    if header is None:
        return SenderPosition("UNB", 2)
    line, column = header.segment.position_of(1)
    return SenderPosition("UNB", 2, line, column)


def _reject_reused_reference(work: _Work, earlier: InterchangeKey) -> None:
    header = work.interchange.header
    assert header is not None
    line, column = header.segment.position_of(4)
    issue = SyntaxIssue(
        code=SyntaxErrorCode.DUPLICATE_DETECTED,
        text=f"interchange control reference {header.control_reference} was already used by "
        f"sender {work.ctx.inbound.sender} for other content (message "
        f"{earlier.inbound_message_id})",
        segment_tag="UNB",
        segment_index=header.segment.index,
        line=line,
        column=column,
        element=5,
    )
    outcome = work.outcome
    outcome.status = InterchangeStatus.REJECTED
    outcome.errors.append(_report(issue))
    work.references = reserve_control_references(work.ctx.session, answers.COUNTER, 1)
    rendered = answers.contrl(
        work.ctx,
        work.interchange,
        work.references.pop(),
        interchange_issues=(issue,),
        message_issues={},
    )
    work.edifact_answer("CONTRL", rendered)
    outcome.acknowledgement = Acknowledgement("edifact", rendered.text, (_report(issue),))
    work.events.add(EventKind.SYNTAX_REJECTED, data={"code": int(issue.code), "reason": issue.text})


def _recipient_issues(work: _Work) -> tuple[SyntaxIssue, ...]:
    """UNB S003 must name us (``receiver_id``) or a recipient the routing table serves."""
    header = work.interchange.header
    assert header is not None
    settings = work.ctx.settings
    served = {settings.receiver_id, *settings.served_recipients}
    if header.recipient_id in served:
        return ()
    line, column = header.segment.position_of(2)
    text = (
        f"interchange recipient {header.recipient_id!r} is not served here "
        f"(we are {settings.receiver_id}); send it to its recipient"
    )
    issue = SyntaxIssue(
        code=SyntaxErrorCode.RECIPIENT_NOT_ACTUAL,
        text=text,
        segment_tag="UNB",
        segment_index=header.segment.index,
        line=line,
        column=column,
        element=3,
    )
    return (issue,)


def _process_messages(work: _Work, raw: Raw, scan: Scan) -> None:
    interchange, outcome, ctx, checked = work.interchange, work.outcome, work.ctx, scan.checked
    header = interchange.header
    assert header is not None
    wrong_recipient = _recipient_issues(work)
    if wrong_recipient:
        outcome.errors.extend(_report(i) for i in wrong_recipient)
    interchange_issues = (*interchange.issues, *wrong_recipient)
    # Only the messages with issues: the CONTRL reads an absent one as none.
    syntax = {} if interchange_issues else checked
    bad_groups = {g.header.reference for g in interchange.groups if g.issues}
    outcome.errors.extend(_report(i) for g in interchange.groups for i in g.issues)
    to_map: set[int] = set()
    for message in interchange.messages:
        issues = syntax.get(message.unh_index, ())
        if interchange_issues or issues or message.group_reference in bad_groups:
            outcome.declarations.append(_syntax_rejected(message, issues))
            continue
        to_map.add(message.unh_index)
    if not to_map:  # nothing to map: the messages the scan kept whole are not needed
        scan.kept.clear()
    syntax_ok = bool(to_map) and not interchange_issues
    outcome.status = InterchangeStatus.ACCEPTED if syntax_ok else InterchangeStatus.REJECTED
    work.references = list(
        reversed(reserve_control_references(ctx.session, answers.COUNTER, 1 + len(to_map)))
    )
    contrl = answers.contrl(
        ctx,
        interchange,
        work.references.pop(),
        interchange_issues=interchange_issues,
        message_issues=syntax,
    )
    work.edifact_answer("CONTRL", contrl)
    reported = [r for d in outcome.declarations for r in d.reasons]
    outcome.acknowledgement = Acknowledgement("edifact", contrl.text, (*outcome.errors, *reported))
    work.events.add(
        EventKind.SYNTAX_ACCEPTED if syntax_ok else EventKind.SYNTAX_REJECTED,
        data={
            "messages": len(interchange.messages),
            "rejected": len(syntax),
        },
    )
    if to_map:  # otherwise every message was rejected above, in order: no sort needed
        _map_and_register(work, raw, to_map, scan)
        order = {m.reference: n for n, m in enumerate(interchange.messages)}
        outcome.declarations.sort(key=lambda d: order.get(d.message_reference, 0))


def _map_and_register(work: _Work, raw: Raw, to_map: set[int], scan: Scan) -> None:
    """Map the sound messages and register them ``CHUNK`` at a time, writing each chunk.

    The declarations take their answers' control references in message order, then the
    messages that could not be mapped theirs (as when the interchange was held whole).
    """
    header = work.interchange.header
    assert header is not None
    outcome, profile = work.outcome, work.ctx.profile_for(work.ctx.inbound.sender)
    chunk: list[tuple[Message, Submission]] = []
    unmapped: list[tuple[Message, MappingResult]] = []
    for message in mappable_messages(raw, to_map, scan):
        result = map_cusdec(message.segments, profile, decimal_mark=header.delimiters.decimal)
        if result.declaration is None:
            unmapped.append((light_message(message), result))
            continue
        refusal = office_refusal(work.ctx, result.declaration)
        if refusal is not None:  # not numbered: answered with the messages not mapped
            issue = _office_issue(message, profile, refusal)
            unmapped.append(
                (light_message(message), replace(result, declaration=None, issues=(issue,)))
            )
            continue
        # Held until the chunk is registered: only the segments its answer reads, so that the
        # messages still kept whole by the scan and the chunk together stay about a chunk's worth.
        chunk.append((light_message(message), Submission(result.declaration, message.reference)))
        if len(chunk) == CHUNK:
            outcome.declarations.extend(_written(work, _register(work, chunk)))
            chunk = []
    outcome.declarations.extend(_written(work, _register(work, chunk)))
    outcome.declarations.extend(_mapping_rejected(work, m, r.issues, r.read) for m, r in unmapped)


def _office_issue(message: Message, profile: CusdecProfile, refusal: OfficeRefusal) -> MappingIssue:
    """The refusal at the LOC naming the office (its C517, element 2), by the profile's
    qualifiers for the field; at the BGM when the message names no office there."""
    qualifiers = {q for q, f in profile.header_locations.items() if f.value == refusal.field}
    for segment in message.segments:
        if segment.tag == "LOC" and segment.get(0) in qualifiers:
            return MappingIssue.at(refusal.text, segment, 1, code=IssueCode.OFFICE)
    return MappingIssue.at(refusal.text, _first(message, "BGM"), code=IssueCode.OFFICE)


def _syntax_rejected(message: MessageHead, issues: tuple[SyntaxIssue, ...]) -> DeclarationOutcome:
    return DeclarationOutcome(
        message_reference=message.reference,
        sender_reference=message.sender_reference,
        number=None,
        direction=None,
        status="rejected",
        reasons=[_report(i) for i in issues],
    )


def _written(work: _Work, outcomes: list[DeclarationOutcome]) -> list[DeclarationOutcome]:
    """Write a chunk's rows; without details, its outcomes keep only their summaries."""
    work.flush()
    for outcome in outcomes:
        outcome.events = []  # written
        if not work.ctx.details:  # all stored: a summary is what the caller asked for
            outcome.assessment = None
            outcome.items, outcome.findings, outcome.response = [], [], None
    return outcomes


def _register(work: _Work, mapped: list[tuple[Message, Submission]]) -> list[DeclarationOutcome]:
    outcomes: list[DeclarationOutcome] = []
    if not mapped:
        return outcomes
    for (message, _), result in zip(mapped, register(work, [s for _, s in mapped]), strict=True):
        if isinstance(result, Refused):
            segment = _first(message, "RFF", "BGM")
            issue = MappingIssue.at(result.reason, segment, code=IssueCode.REFERENCE)
            outcomes.append(_mapping_rejected(work, message, (issue,)))
            continue
        registered, outcome = result
        outcome.message_reference = message.reference
        rendered = answers.cusres(
            work.ctx, work.interchange, message, outcome, work.references.pop()
        )
        outcome.response = rendered.text
        work.edifact_answer("CUSRES", rendered, registered.id, message.reference)
        outcomes.append(outcome)
    return outcomes


def _mapping_rejected(
    work: _Work,
    message: Message,
    issues: tuple[MappingIssue, ...],
    read: dict[str, str] | None = None,
) -> DeclarationOutcome:
    """A refused declaration, still saying what could be read (direction, references)."""
    read = read or {}
    outcome = DeclarationOutcome(
        message_reference=message.reference,
        sender_reference=read.get("sender_reference") or _bgm_reference(message),
        number=None,
        direction=read.get("direction"),
        status="rejected",
        reasons=[
            ErrorReport(i.code.value, i.text, i.segment_tag, i.line, i.column, i.element)
            for i in issues
        ],
    )
    rendered = answers.cusres(work.ctx, work.interchange, message, outcome, work.references.pop())
    outcome.response = rendered.text
    work.edifact_answer("CUSRES", rendered, None, message.reference)
    work.events.add(
        EventKind.REJECTED,
        data={
            "message_reference": message.reference,
            "sender_reference": outcome.sender_reference,
            "reasons": [i.text for i in issues],
        },
    )
    return outcome


def _bgm_reference(message: Message) -> str | None:
    return next((s.get(1) for s in message.segments if s.tag == "BGM"), None)


def _first(message: Message, *tags: str) -> Segment:
    for tag in tags:
        for segment in message.segments:
            if segment.tag == tag:
                return segment
    return message.header


def _report(issue: SyntaxIssue) -> ErrorReport:
    return ErrorReport(
        code=str(int(issue.code)),
        text=issue.text,
        segment=issue.segment_tag,
        line=issue.line,
        column=issue.column,
        element=issue.element,
    )


__all__ = ["process_edifact"]
