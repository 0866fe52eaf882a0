"""The JSON channel: a request to amend or cancel a registered declaration (docs/json-channel.md).

One file carries one request. A file that is not UTF-8 JSON, or whose request members are
wrong, is rejected as a whole (interchange ``rejected``); a well-formed request whose amended
declaration the canonical model refuses is accepted and its declaration rejected with located
reasons. The request's ``sender_reference`` is the dedupe key with the sender, exactly as an
interchange control reference. Every file is answered with a JSON response document.
"""

from __future__ import annotations

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
from clearance.intake.offices import office_refusal
from clearance.lifecycle.events import EventKind
from clearance.lifecycle.numbering import reserve_control_references
from clearance.lifecycle.registration import Refused, Registered, Submission
from edi.json_request import (
    IssueKind,
    JsonAnswer,
    JsonDuty,
    JsonIssue,
    JsonReadResult,
    JsonReason,
    read_json_request,
    render_json_answer,
)

COUNTER = "json-out"
ANSWER_TYPE = "response"


def process_json(ctx: FlowContext, raw: bytes) -> SubmissionOutcome:
    """Process one JSON request inside the caller's unit of work."""
    result = read_json_request(raw)
    inbound = ctx.inbound
    inbound.message_type = result.kind
    inbound.sender = ctx.sender_hint or result.sender or inbound.sender
    check_sender(ctx, result.sender, SenderPosition(segment="sender"))
    inbound.control_reference = result.sender_reference
    outcome = SubmissionOutcome(
        file=ctx.filename,
        message_id=inbound.id,
        format="json",
        message_type=result.kind,
        status=InterchangeStatus.ACCEPTED,
        sender=inbound.sender,
        control_reference=result.sender_reference,
    )
    work = Work.start(ctx, outcome)
    earlier = claim_key(ctx, result.sender_reference) if result.sender_reference else None
    if earlier is not None and earlier.sha256 == inbound.sha256:
        answer_again(work, earlier, "json")
    elif earlier is not None:
        text = (
            f"reference {result.sender_reference} was already used by sender "
            f"{inbound.sender} for other content (message {earlier.inbound_message_id})"
        )
        _reject(work, result, (JsonIssue(text, "sender_reference", kind=IssueKind.ENVELOPE),))
    elif result.declaration is None:
        _reject(work, result, result.issues)
    else:
        _register(work, result)
    work.write()
    return outcome


def _reject(work: Work, result: JsonReadResult, issues: tuple[JsonIssue, ...]) -> None:
    """Answer a refused request; a syntax-level issue rejects the interchange itself."""
    outcome, reference = work.outcome, result.sender_reference
    syntax = any(i.syntax_level for i in issues)
    reports = [ErrorReport(i.code, i.text, i.path, i.line, i.column) for i in issues]
    declaration = DeclarationOutcome(
        message_reference=reference or "",
        sender_reference=reference,
        number=None,
        direction=None,
        status="rejected",
        function=result.kind,
        reasons=reports,
    )
    outcome.declarations.append(declaration)
    if syntax:
        outcome.status = InterchangeStatus.REJECTED
        outcome.errors.extend(reports)
    reasons = tuple(JsonReason(i.code, i.text, i.path, i.line, i.column) for i in issues)
    text = _answer(work, result, "rejected", reasons=reasons)
    declaration.response = text
    outcome.acknowledgement = Acknowledgement("json", text, tuple(reports))
    kind = EventKind.SYNTAX_REJECTED if syntax else EventKind.REJECTED
    reasons_text = [i.located() for i in issues]
    work.events.add(kind, data={"sender_reference": reference, "reasons": reasons_text})


def _register(work: Work, result: JsonReadResult) -> None:
    declaration = result.declaration
    assert declaration is not None and result.sender_reference is not None
    refusal = office_refusal(work.ctx, declaration)
    if refusal is not None:  # not applied: said at the member naming the office
        path = "declaration" if refusal.field is None else f"declaration.{refusal.field}"
        _reject(work, result, (JsonIssue(refusal.text, path, kind=IssueKind.OFFICE),))
        return
    work.events.add(EventKind.SYNTAX_ACCEPTED, data={"messages": 1, "rejected": 0})
    submission = Submission(declaration, result.sender_reference)
    (registered,) = register(work, [submission])
    if isinstance(registered, Refused):
        issue = JsonIssue(registered.reason, kind=IssueKind.REFUSED)
        _reject(work, result, (issue,))
        return
    row, declared = registered
    declared.message_reference = result.sender_reference
    text = _answer(work, result, declared.status, row, declared)
    declared.response = text
    work.outcome.declarations.append(declared)
    work.outcome.acknowledgement = Acknowledgement("json", text)


def _answer(
    work: Work,
    result: JsonReadResult,
    status: str,
    registered: Registered | None = None,
    declared: DeclarationOutcome | None = None,
    reasons: tuple[JsonReason, ...] = (),
) -> str:
    """Render, record and return the response document."""
    ctx = work.ctx
    (control_reference,) = reserve_control_references(ctx.session, COUNTER, 1)
    if declared is not None:
        reasons = tuple(
            JsonReason(r.code, r.text, r.segment, r.line, r.column) for r in declared.reasons
        )
    answer = JsonAnswer(
        message_id=control_reference,
        issued_at=ctx.local_now,
        in_reply_to=result.sender_reference,
        request=result.kind,
        status=status,
        number=None if registered is None else registered.number,
        version=None if registered is None else registered.version,
        lane=None if declared is None else declared.lane,
        decision=None if declared is None else declared.decision,
        duties=()
        if declared is None
        else tuple(
            JsonDuty(item.sequence, tax_type, base, amount, currency)
            for item in declared.items
            for tax_type, base, amount, currency in item.duty_lines()
        ),
        reasons=reasons,
    )
    text = render_json_answer(answer)
    declaration_id = None if registered is None else registered.id
    reference = result.sender_reference
    work.answer("json", ANSWER_TYPE, text, control_reference, declaration_id, reference)
    return text
