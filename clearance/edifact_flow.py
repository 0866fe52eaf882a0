"""The EDIFACT channel: one stored interchange → CONTRL, registered declarations, CUSRES.

Order of work (DESIGN.md steps 2–8): read the envelopes, dedupe on (sender, interchange
control reference, content hash), validate each message against its directory structure,
map CUSDEC through the profile, register, run the declaration steps (assessment, controls),
then render and store the answers. The caller commits once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from clearance import edifact_answers as answers
from clearance.events import EventKind, append_event
from clearance.outcome import (
    Acknowledgement,
    DeclarationOutcome,
    ErrorReport,
    InterchangeStatus,
    ItemOutcome,
    SubmissionOutcome,
)
from clearance.registration import Refused, Registered, Submission, register_all
from clearance.steps import FlowContext
from clearance.store.tables import Declaration as DeclarationRow
from clearance.store.tables import InterchangeKey, OutboundMessage
from edi.edifact.cusdec import map_cusdec
from edi.edifact.directories import UnknownMessageStructureError
from edi.edifact.directories.elements import load_segment_specs, validate_elements
from edi.edifact.envelope import Interchange, Message, read_interchange
from edi.edifact.errors import SyntaxErrorCode, SyntaxIssue
from edi.edifact.mapping_issues import IssueCode, MappingIssue
from edi.edifact.segments import Segment
from edi.edifact.structure import load_structure, validate_message

SUPPORTED_TYPES = frozenset({"CUSDEC"})


@dataclass
class _Accepted:
    """A message that passed syntax checks and mapped to a declaration."""

    message: Message
    submission: Submission


def process_edifact(ctx: FlowContext, raw: bytes) -> SubmissionOutcome:
    """Process one EDIFACT interchange inside the caller's unit of work."""
    interchange = read_interchange(raw)
    header = interchange.header
    inbound = ctx.inbound
    inbound.sender = ctx.sender_hint or (header.sender_id if header else inbound.sender)
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
    if header is None:  # nothing to answer to: no UNB
        outcome.status = InterchangeStatus.REJECTED
        append_event(
            ctx.session,
            EventKind.SYNTAX_REJECTED,
            ctx.now,
            inbound_message_id=inbound.id,
            data={"errors": [e.text for e in outcome.errors]},
        )
        return outcome
    inbound.control_reference = header.control_reference
    outcome.control_reference = header.control_reference
    earlier = _dedupe(ctx, header.control_reference)
    if earlier is not None:
        return _answer_again(ctx, interchange, earlier, outcome)
    return _process_messages(ctx, interchange, outcome)


def _dedupe(ctx: FlowContext, control_reference: str) -> InterchangeKey | None:
    """The earlier key for (sender, reference), or None after claiming it for this message."""
    session, inbound = ctx.session, ctx.inbound
    query = select(InterchangeKey).where(
        InterchangeKey.sender == inbound.sender,
        InterchangeKey.control_reference == control_reference,
    )
    earlier = session.scalars(query).one_or_none()
    if earlier is not None:
        return earlier
    try:
        with session.begin_nested():
            session.add(
                InterchangeKey(
                    sender=inbound.sender,
                    control_reference=control_reference,
                    sha256=inbound.sha256,
                    inbound_message_id=inbound.id,
                )
            )
    except IntegrityError:
        # A concurrent worker claimed the same key first: this one is the resend.
        return session.scalars(query).one()
    return None


def _answer_again(
    ctx: FlowContext, interchange: Interchange, earlier: InterchangeKey, outcome: SubmissionOutcome
) -> SubmissionOutcome:
    session, inbound = ctx.session, ctx.inbound
    if earlier.sha256 != inbound.sha256:
        return _reject_reused_reference(ctx, interchange, earlier, outcome)
    inbound.duplicate_of = earlier.inbound_message_id
    outcome.status = InterchangeStatus.DUPLICATE
    contrl = session.scalars(
        select(OutboundMessage).where(
            OutboundMessage.inbound_message_id == earlier.inbound_message_id,
            OutboundMessage.message_type == "CONTRL",
        )
    ).first()
    if contrl is not None:
        outcome.acknowledgement = Acknowledgement(format="edifact", text=contrl.content)
    outcome.declarations = _stored_outcomes(ctx, earlier.inbound_message_id)
    append_event(
        session,
        EventKind.DUPLICATE,
        ctx.now,
        inbound_message_id=inbound.id,
        data={"original_message_id": earlier.inbound_message_id},
    )
    return outcome


def _stored_outcomes(ctx: FlowContext, message_id: int) -> list[DeclarationOutcome]:
    session = ctx.session
    rows = session.scalars(
        select(DeclarationRow)
        .where(DeclarationRow.inbound_message_id == message_id)
        .order_by(DeclarationRow.id)
    )
    results = []
    for row in rows:
        response = session.scalars(
            select(OutboundMessage).where(
                OutboundMessage.declaration_id == row.id,
                OutboundMessage.inbound_message_id == message_id,
            )
        ).first()
        results.append(
            DeclarationOutcome(
                message_reference=row.message_reference,
                sender_reference=row.sender_reference,
                number=row.number,
                direction=row.direction,
                status=row.status,
                lane=row.lane,
                decision=row.decision,
                response=None if response is None else response.content,
            )
        )
    return results


def _reject_reused_reference(
    ctx: FlowContext, interchange: Interchange, earlier: InterchangeKey, outcome: SubmissionOutcome
) -> SubmissionOutcome:
    header = interchange.header
    assert header is not None
    line, column = header.segment.position_of(4)
    issue = SyntaxIssue(
        code=SyntaxErrorCode.DUPLICATE_DETECTED,
        text=f"interchange control reference {header.control_reference} was already used by "
        f"sender {ctx.inbound.sender} for other content (message {earlier.inbound_message_id})",
        segment_tag="UNB",
        segment_index=header.segment.index,
        line=line,
        column=column,
        element=5,
    )
    outcome.status = InterchangeStatus.REJECTED
    outcome.errors.append(_report(issue))
    rendered = answers.contrl(ctx, interchange, interchange_issues=(issue,), message_issues={})
    _store(ctx, "CONTRL", rendered, header.sender_id)
    outcome.acknowledgement = Acknowledgement("edifact", rendered.text, (_report(issue),))
    append_event(
        ctx.session,
        EventKind.SYNTAX_REJECTED,
        ctx.now,
        inbound_message_id=ctx.inbound.id,
        data={"code": issue.code.value, "reason": issue.text},
    )
    return outcome


def _process_messages(
    ctx: FlowContext, interchange: Interchange, outcome: SubmissionOutcome
) -> SubmissionOutcome:
    header = interchange.header
    assert header is not None
    message_issues: dict[int, tuple[SyntaxIssue, ...]] = {}
    bad_groups = {g.header.reference for g in interchange.groups if g.issues}
    outcome.errors.extend(_report(i) for g in interchange.groups for i in g.issues)
    accepted: list[_Accepted] = []
    rejected_by_mapping: list[tuple[Message, tuple[MappingIssue, ...]]] = []
    for message in interchange.messages:
        issues = () if interchange.issues else _syntax_issues(message)
        message_issues[message.header.index] = issues
        if interchange.issues or issues or message.group_reference in bad_groups:
            outcome.declarations.append(_syntax_rejected(message, issues))
            continue
        result = map_cusdec(message.segments, ctx.profile, decimal_mark=header.delimiters.decimal)
        if result.declaration is None:
            rejected_by_mapping.append((message, result.issues))
        else:
            accepted.append(_Accepted(message, Submission(result.declaration, message.reference)))
    syntax_ok = bool(accepted or rejected_by_mapping) and not interchange.issues
    outcome.status = InterchangeStatus.ACCEPTED if syntax_ok else InterchangeStatus.REJECTED
    contrl = answers.contrl(
        ctx, interchange, interchange_issues=interchange.issues, message_issues=message_issues
    )
    _store(ctx, "CONTRL", contrl, header.sender_id)
    all_syntax = [r for d in outcome.declarations for r in d.reasons]
    outcome.acknowledgement = Acknowledgement(
        "edifact", contrl.text, (*outcome.errors, *all_syntax)
    )
    kind = EventKind.SYNTAX_ACCEPTED if syntax_ok else EventKind.SYNTAX_REJECTED
    append_event(
        ctx.session,
        kind,
        ctx.now,
        inbound_message_id=ctx.inbound.id,
        data={
            "messages": len(interchange.messages),
            "rejected": sum(1 for i in message_issues.values() if i),
        },
    )
    outcome.declarations.extend(_register(ctx, interchange, accepted))
    outcome.declarations.extend(
        _mapping_rejected(ctx, interchange, m, i) for m, i in rejected_by_mapping
    )
    order = {m.reference: n for n, m in enumerate(interchange.messages)}
    outcome.declarations.sort(key=lambda d: order.get(d.message_reference, 0))
    return outcome


def _syntax_issues(message: Message) -> tuple[SyntaxIssue, ...]:
    if message.issues:
        return tuple(message.issues)
    unh = message.segments[0]
    if message.message_type not in SUPPORTED_TYPES:
        line, column = unh.position_of(1)
        return (
            SyntaxIssue(
                SyntaxErrorCode.INVALID_VALUE,
                f"message type {message.message_type} is not accepted here "
                f"(accepted: {', '.join(sorted(SUPPORTED_TYPES))})",
                "UNH",
                unh.index,
                line,
                column,
                element=2,
                component=1,
            ),
        )
    directory = f"{message.version}{message.release}"
    try:
        structure = load_structure(directory, message.message_type)
    except UnknownMessageStructureError as exc:
        return (exc.issue(unh),)
    issues = validate_message(structure, message.segments)
    # Element checks (mandatory, length, type) only make sense once the segments are placed.
    if not issues:
        issues = validate_elements(load_segment_specs(directory), message.segments[1:-1])
    return tuple(issues)


def _syntax_rejected(message: Message, issues: tuple[SyntaxIssue, ...]) -> DeclarationOutcome:
    sender_reference = next((s.get(1) for s in message.segments if s.tag == "BGM"), None)
    return DeclarationOutcome(
        message_reference=message.reference,
        sender_reference=sender_reference,
        number=None,
        direction=None,
        status="rejected",
        reasons=[_report(i) for i in issues],
    )


def _register(
    ctx: FlowContext, interchange: Interchange, accepted: list[_Accepted]
) -> list[DeclarationOutcome]:
    results = register_all(
        ctx.session,
        [a.submission for a in accepted],
        sender=ctx.inbound.sender,
        inbound_message_id=ctx.inbound.id,
        default_office=ctx.settings.office,
        accepted_on=ctx.accepted_on,
        now=ctx.now,
    )
    outcomes = []
    for entry, result in zip(accepted, results, strict=True):
        if isinstance(result, Refused):
            segment = _first(entry.message, "RFF", "BGM")
            issue = MappingIssue.at(result.reason, segment, code=IssueCode.REFERENCE)
            outcomes.append(_mapping_rejected(ctx, interchange, entry.message, (issue,)))
            continue
        outcomes.append(_registered(ctx, interchange, entry.message, result))
    return outcomes


def _registered(
    ctx: FlowContext, interchange: Interchange, message: Message, registered: Registered
) -> DeclarationOutcome:
    row, declaration = registered.row, registered.declaration
    outcome = DeclarationOutcome(
        message_reference=message.reference,
        sender_reference=declaration.sender_reference,
        number=row.number,
        direction=row.direction,
        status=row.status,
        function=registered.function.value,
        items=[
            ItemOutcome(i.sequence, i.commodity_code, i.origin_country) for i in declaration.items
        ],
    )
    for step in ctx.steps:
        step(ctx.session, registered, outcome)
    outcome.lane, outcome.decision = row.lane, row.decision
    rendered = answers.cusres(ctx, interchange, message, outcome)
    outcome.response = rendered.text
    _store(ctx, "CUSRES", rendered, ctx.inbound.sender, row.id, message.reference)
    return outcome


def _mapping_rejected(
    ctx: FlowContext, interchange: Interchange, message: Message, issues: tuple[MappingIssue, ...]
) -> DeclarationOutcome:
    sender_reference = next((s.get(1) for s in message.segments if s.tag == "BGM"), None)
    outcome = DeclarationOutcome(
        message_reference=message.reference,
        sender_reference=sender_reference,
        number=None,
        direction=None,
        status="rejected",
        reasons=[
            ErrorReport(i.code.value, i.text, i.segment_tag, i.line, i.column, i.element)
            for i in issues
        ],
    )
    rendered = answers.cusres(ctx, interchange, message, outcome)
    outcome.response = rendered.text
    _store(ctx, "CUSRES", rendered, ctx.inbound.sender, None, message.reference)
    append_event(
        ctx.session,
        EventKind.REJECTED,
        ctx.now,
        inbound_message_id=ctx.inbound.id,
        data={
            "message_reference": message.reference,
            "sender_reference": sender_reference,
            "reasons": [i.text for i in issues],
        },
    )
    return outcome


def _first(message: Message, *tags: str) -> Segment:
    for tag in tags:
        for segment in message.segments:
            if segment.tag == tag:
                return segment
    return message.segments[0]


def _store(
    ctx: FlowContext,
    message_type: str,
    rendered: answers.Rendered,
    recipient: str,
    declaration_id: int | None = None,
    message_reference: str | None = None,
) -> None:
    ctx.session.add(
        OutboundMessage(
            inbound_message_id=ctx.inbound.id,
            declaration_id=declaration_id,
            message_reference=message_reference,
            format="edifact",
            message_type=message_type,
            recipient=recipient,
            control_reference=rendered.control_reference,
            content=rendered.text,
            created_at=ctx.now,
        )
    )


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
