"""The EDIFACT channel: one stored interchange → CONTRL, registered declarations, CUSRES.

Order of work (DESIGN.md steps 2–8): read the envelopes, dedupe on (sender, interchange
control reference, content hash), check each message (type, directory structure, elements),
map CUSDEC through the profile, register, run the declaration steps (assessment, controls),
then render and store the answers. Rows are gathered and written per table at the end; the
caller commits once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from clearance import edifact_answers as answers
from clearance.edifact_checks import message_issues
from clearance.events import EventBatch, EventKind
from clearance.numbering import reserve_control_references
from clearance.outcome import (
    Acknowledgement,
    DeclarationOutcome,
    ErrorReport,
    InterchangeStatus,
    ItemOutcome,
    SubmissionOutcome,
)
from clearance.registration import Batch, Refused, Registered, Submission, register_all
from clearance.steps import FlowContext
from clearance.store.tables import Declaration as DeclarationRow
from clearance.store.tables import InterchangeKey, OutboundMessage
from edi.edifact.cusdec import map_cusdec
from edi.edifact.envelope import Interchange, Message, read_interchange
from edi.edifact.errors import SyntaxErrorCode, SyntaxIssue
from edi.edifact.mapping_issues import IssueCode, MappingIssue
from edi.edifact.segments import Segment


@dataclass
class _Work:
    """Rows gathered while processing one interchange, written per table at the end."""

    ctx: FlowContext
    interchange: Interchange
    outcome: SubmissionOutcome
    events: EventBatch
    outbound: list[dict[str, Any]] = field(default_factory=list)
    references: list[str] = field(default_factory=list)

    def answer(
        self,
        message_type: str,
        rendered: answers.Rendered,
        declaration_id: int | None = None,
        message_reference: str | None = None,
    ) -> None:
        self.outbound.append(
            {
                "inbound_message_id": self.ctx.inbound.id,
                "declaration_id": declaration_id,
                "message_reference": message_reference,
                "format": "edifact",
                "message_type": message_type,
                "recipient": self.ctx.inbound.sender,
                "control_reference": rendered.control_reference,
                "content": rendered.text,
                "created_at": self.ctx.now,
            }
        )

    def write(self) -> None:
        if self.outbound:
            self.ctx.session.execute(insert(OutboundMessage), self.outbound)
        self.events.write(self.ctx.session)


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
    work = _Work(ctx, interchange, outcome, EventBatch(ctx.now, inbound.id))
    if header is None:  # no UNB: there is nobody to address a CONTRL to
        outcome.status = InterchangeStatus.REJECTED
        work.events.add(
            EventKind.SYNTAX_REJECTED, data={"errors": [e.text for e in outcome.errors]}
        )
    else:
        inbound.control_reference = outcome.control_reference = header.control_reference
        earlier = _dedupe(ctx, header.control_reference)
        if earlier is None:
            _process_messages(work)
        elif earlier.sha256 == inbound.sha256:
            _answer_again(work, earlier)
        else:
            _reject_reused_reference(work, earlier)
    work.write()
    return outcome


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


def _answer_again(work: _Work, earlier: InterchangeKey) -> None:
    session, outcome = work.ctx.session, work.outcome
    work.ctx.inbound.duplicate_of = earlier.inbound_message_id
    outcome.status = InterchangeStatus.DUPLICATE
    answers_before = session.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.inbound_message_id == earlier.inbound_message_id)
        .order_by(OutboundMessage.id)
    ).all()
    contrl = next((a for a in answers_before if a.message_type == "CONTRL"), None)
    if contrl is not None:
        outcome.acknowledgement = Acknowledgement(format="edifact", text=contrl.content)
    responses = {a.declaration_id: a.content for a in answers_before if a.declaration_id}
    rows = session.scalars(
        select(DeclarationRow)
        .where(DeclarationRow.inbound_message_id == earlier.inbound_message_id)
        .order_by(DeclarationRow.id)
    )
    outcome.declarations = [
        DeclarationOutcome(
            message_reference=row.message_reference,
            sender_reference=row.sender_reference,
            number=row.number,
            direction=row.direction,
            status=row.status,
            lane=row.lane,
            decision=row.decision,
            response=responses.get(row.id),
        )
        for row in rows
    ]
    work.events.add(EventKind.DUPLICATE, data={"original_message_id": earlier.inbound_message_id})


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
    work.answer("CONTRL", rendered)
    outcome.acknowledgement = Acknowledgement("edifact", rendered.text, (_report(issue),))
    work.events.add(EventKind.SYNTAX_REJECTED, data={"code": int(issue.code), "reason": issue.text})


def _process_messages(work: _Work) -> None:
    interchange, outcome, ctx = work.interchange, work.outcome, work.ctx
    header = interchange.header
    assert header is not None
    syntax: dict[int, tuple[SyntaxIssue, ...]] = {}
    bad_groups = {g.header.reference for g in interchange.groups if g.issues}
    outcome.errors.extend(_report(i) for g in interchange.groups for i in g.issues)
    mapped: list[tuple[Message, Submission]] = []
    unmapped: list[tuple[Message, tuple[MappingIssue, ...]]] = []
    for message in interchange.messages:
        issues = () if interchange.issues else message_issues(message)
        syntax[message.header.index] = issues
        if interchange.issues or issues or message.group_reference in bad_groups:
            outcome.declarations.append(_syntax_rejected(message, issues))
            continue
        result = map_cusdec(message.segments, ctx.profile, decimal_mark=header.delimiters.decimal)
        if result.declaration is None:
            unmapped.append((message, result.issues))
        else:
            mapped.append((message, Submission(result.declaration, message.reference)))
    syntax_ok = bool(mapped or unmapped) and not interchange.issues
    outcome.status = InterchangeStatus.ACCEPTED if syntax_ok else InterchangeStatus.REJECTED
    work.references = list(
        reversed(
            reserve_control_references(
                ctx.session, answers.COUNTER, 1 + len(mapped) + len(unmapped)
            )
        )
    )
    contrl = answers.contrl(
        ctx,
        interchange,
        work.references.pop(),
        interchange_issues=interchange.issues,
        message_issues=syntax,
    )
    work.answer("CONTRL", contrl)
    reported = [r for d in outcome.declarations for r in d.reasons]
    outcome.acknowledgement = Acknowledgement("edifact", contrl.text, (*outcome.errors, *reported))
    work.events.add(
        EventKind.SYNTAX_ACCEPTED if syntax_ok else EventKind.SYNTAX_REJECTED,
        data={
            "messages": len(interchange.messages),
            "rejected": sum(1 for i in syntax.values() if i),
        },
    )
    outcome.declarations.extend(_register(work, mapped))
    outcome.declarations.extend(_mapping_rejected(work, m, i) for m, i in unmapped)
    order = {m.reference: n for n, m in enumerate(interchange.messages)}
    outcome.declarations.sort(key=lambda d: order.get(d.message_reference, 0))


def _syntax_rejected(message: Message, issues: tuple[SyntaxIssue, ...]) -> DeclarationOutcome:
    return DeclarationOutcome(
        message_reference=message.reference,
        sender_reference=_bgm_reference(message),
        number=None,
        direction=None,
        status="rejected",
        reasons=[_report(i) for i in issues],
    )


def _register(work: _Work, mapped: list[tuple[Message, Submission]]) -> list[DeclarationOutcome]:
    ctx = work.ctx
    batch = Batch(
        sender=ctx.inbound.sender,
        inbound_message_id=ctx.inbound.id,
        default_office=ctx.settings.office,
        accepted_on=ctx.accepted_on,
        now=ctx.now,
    )
    results = register_all(ctx.session, [s for _, s in mapped], batch, work.events)
    outcomes = []
    for (message, _), result in zip(mapped, results, strict=True):
        if isinstance(result, Refused):
            segment = _first(message, "RFF", "BGM")
            issue = MappingIssue.at(result.reason, segment, code=IssueCode.REFERENCE)
            outcomes.append(_mapping_rejected(work, message, (issue,)))
        else:
            outcomes.append(_registered(work, message, result))
    return outcomes


def _registered(work: _Work, message: Message, registered: Registered) -> DeclarationOutcome:
    ctx, declaration = work.ctx, registered.declaration
    outcome = DeclarationOutcome(
        message_reference=message.reference,
        sender_reference=declaration.sender_reference,
        number=registered.number,
        direction=registered.direction,
        status=registered.status,
        function=registered.function.value,
        items=[
            ItemOutcome(i.sequence, i.commodity_code, i.origin_country) for i in declaration.items
        ],
    )
    for step in ctx.steps:
        step(ctx.session, registered, outcome)
    if outcome.lane is not None or outcome.decision is not None:
        ctx.session.execute(
            update(DeclarationRow)
            .where(DeclarationRow.id == registered.id)
            .values(lane=outcome.lane, decision=outcome.decision)
        )
    rendered = answers.cusres(ctx, work.interchange, message, outcome, work.references.pop())
    outcome.response = rendered.text
    work.answer("CUSRES", rendered, registered.id, message.reference)
    return outcome


def _mapping_rejected(
    work: _Work, message: Message, issues: tuple[MappingIssue, ...]
) -> DeclarationOutcome:
    outcome = DeclarationOutcome(
        message_reference=message.reference,
        sender_reference=_bgm_reference(message),
        number=None,
        direction=None,
        status="rejected",
        reasons=[
            ErrorReport(i.code.value, i.text, i.segment_tag, i.line, i.column, i.element)
            for i in issues
        ],
    )
    rendered = answers.cusres(work.ctx, work.interchange, message, outcome, work.references.pop())
    outcome.response = rendered.text
    work.answer("CUSRES", rendered, None, message.reference)
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
