"""The XML channel: a WCO DEC-DMS declaration or a China Single Window DecMessage.

One file carries one declaration. Files that are not well-formed, declare a DOCTYPE or
entities, or fail our XSD are rejected at the syntax level (interchange status
``rejected``); valid files whose values the canonical model refuses are accepted and the
declaration rejected with reasons. Every file that is recognised is answered in its own
format: a RES-DMS notification for DEC-DMS, a DEC_RESULT receipt (回执) for DecMessage.
"""

from __future__ import annotations

from clearance.answers import xml as xml_answers
from clearance.flow.outcome import (
    Acknowledgement,
    DeclarationOutcome,
    ErrorReport,
    InterchangeStatus,
    SubmissionOutcome,
)
from clearance.flow.senders import check_party_sender, party_sender
from clearance.flow.steps import FlowContext
from clearance.intake.channel import Work, answer_again, claim_key, register
from clearance.intake.offices import office_refusal
from clearance.lifecycle.events import EventKind
from clearance.lifecycle.numbering import reserve_control_references
from clearance.lifecycle.registration import Refused, Submission
from edi.model import Declaration, PartyIdentifier, PartyRole
from edi.xml import (
    DEC_DMS,
    AnswerReason,
    AnswerStatus,
    DutyLine,
    IssueKind,
    XmlAnswer,
    XmlIssue,
    issue_at_field,
    read_xml_declaration,
)

COUNTER = xml_answers.COUNTER
_SYNTAX_KINDS = frozenset(
    {IssueKind.SYNTAX, IssueKind.FORBIDDEN, IssueKind.UNKNOWN_FORMAT, IssueKind.SCHEMA}
)
_MESSAGE_TYPES = {DEC_DMS: "DEC-DMS", "decmessage": "DecMessage"}


def process_xml(ctx: FlowContext, raw: bytes) -> SubmissionOutcome:
    """Process one XML declaration file inside the caller's unit of work."""
    result = read_xml_declaration(raw)
    inbound = ctx.inbound
    inbound.message_type = _MESSAGE_TYPES.get(result.kind or "")
    # The declarant is the sender, filed under its USCC when the subject acts as it, else the
    # id the subject acts as: one rule, in clearance.flow.senders. A given sender that is one
    # of its ids (a retry's, the stored one) is the same party.
    party = party_sender(_sender_ids(result.declaration), ctx.senders)
    hint = ctx.sender_hint
    if party is not None and (hint is None or hint in party.identifiers):
        inbound.sender, inbound.sender_alias = party.sender, party.alias
    else:
        inbound.sender = hint or inbound.sender
    check_party_sender(ctx, party)
    inbound.control_reference = result.sender_reference
    outcome = SubmissionOutcome(
        file=ctx.filename,
        message_id=inbound.id,
        format="xml",
        message_type=inbound.message_type,
        status=InterchangeStatus.ACCEPTED,
        sender=inbound.sender,
        control_reference=result.sender_reference,
    )
    work = Work.start(ctx, outcome)
    earlier = claim_key(ctx, result.sender_reference) if result.sender_reference else None
    if earlier is not None and earlier.sha256 == inbound.sha256:
        answer_again(work, earlier, "xml")
    elif earlier is not None:
        text = (
            f"reference {result.sender_reference} was already used by sender "
            f"{inbound.sender} for other content (message {earlier.inbound_message_id})"
        )
        _reject(
            work,
            result.kind,
            result.sender_reference,
            (XmlIssue(text, kind=IssueKind.FORBIDDEN),),
            syntax=True,
        )
    elif result.declaration is None:
        syntax = any(i.kind in _SYNTAX_KINDS for i in result.issues)
        _reject(work, result.kind, result.sender_reference, result.issues, syntax=syntax)
    elif (refusal := office_refusal(ctx, result.declaration)) is not None:
        # Not numbered: said at the element naming the office (parsed again, refusals only).
        issue = issue_at_field(raw, result.kind, refusal.field, refusal.text, IssueKind.OFFICE)
        _reject(work, result.kind, result.sender_reference, (issue,), syntax=False)
    else:
        _register(work, result.kind, result.declaration)
    work.write()
    return outcome


def _sender_ids(declaration: Declaration | None) -> tuple[PartyIdentifier, ...]:
    """The sending party's identifiers, in the file's order: the declarant's (or else the
    trader's), e.g. a DecMessage declarant's customs code then its USCC."""
    if declaration is None:
        return ()
    for role in (
        PartyRole.DECLARANT,
        PartyRole.REPRESENTATIVE,
        PartyRole.CONSIGNEE,
        PartyRole.CONSIGNOR,
        PartyRole.IMPORTER,
        PartyRole.EXPORTER,
    ):
        party = declaration.party(role)
        if party is not None and party.identifiers:
            return tuple(party.identifiers)
    return ()


def _reject(
    work: Work,
    kind: str | None,
    reference: str | None,
    issues: tuple[XmlIssue, ...],
    *,
    syntax: bool,
) -> None:
    outcome = work.outcome
    reports = [ErrorReport(i.code, i.text, i.path, i.line, i.column) for i in issues]
    declaration = DeclarationOutcome(
        message_reference=reference or "",
        sender_reference=reference,
        number=None,
        direction=None,
        status="rejected",
        reasons=reports,
    )
    outcome.declarations.append(declaration)
    if syntax:
        outcome.status = InterchangeStatus.REJECTED
        outcome.errors.extend(reports)
    reasons = tuple(AnswerReason(i.text, i.path, i.line, i.column, i.code) for i in issues)
    text = _answer(work, kind, AnswerStatus.REJECTED, reference, None, reasons)
    declaration.response = text
    if text is not None:
        outcome.acknowledgement = Acknowledgement("xml", text, tuple(reports))
    kind_of_event = EventKind.SYNTAX_REJECTED if syntax else EventKind.REJECTED
    work.events.add(
        kind_of_event, data={"sender_reference": reference, "reasons": [i.text for i in issues]}
    )


def _register(work: Work, kind: str | None, declaration: Declaration) -> None:
    outcome = work.outcome
    work.events.add(EventKind.SYNTAX_ACCEPTED, data={"messages": 1, "rejected": 0})
    (result,) = register(work, [Submission(declaration, declaration.sender_reference)])
    if isinstance(result, Refused):
        _reject(
            work,
            kind,
            declaration.sender_reference,
            (XmlIssue(result.reason, kind=IssueKind.MAPPING),),
            syntax=False,
        )
        return
    registered, declared = result
    declared.message_reference = declaration.sender_reference
    duties = tuple(
        DutyLine(item.sequence, tax_type, None, base, amount, currency)
        for item in declared.items
        for tax_type, base, amount, currency in item.duty_lines()
    )
    status = xml_answers.status_of(declared.status)
    # Every decision says why (control and tariff reasons too), with codes and pointers.
    reasons = xml_answers.reasons_for(kind, declared.reasons)
    text = _answer(
        work,
        kind,
        status,
        declaration.sender_reference,
        registered.number,
        reasons,
        duties,
        registered.id,
        office=registered.office,
    )
    declared.response = text
    outcome.declarations.append(declared)
    if text is not None:
        outcome.acknowledgement = Acknowledgement("xml", text)


def _answer(
    work: Work,
    kind: str | None,
    status: AnswerStatus,
    reference: str | None,
    number: str | None,
    reasons: tuple[AnswerReason, ...],
    duties: tuple[DutyLine, ...] = (),
    declaration_id: int | None = None,
    office: str | None = None,
) -> str | None:
    """Render, record and return the answer in the sender's format (None: format unknown).

    ``office`` is the declaration's own office (its number's); the configured office answers
    only for what was never registered.
    """
    if kind is None or kind not in xml_answers.ANSWER_TYPES:
        return None
    ctx = work.ctx
    (control_reference,) = reserve_control_references(ctx.session, COUNTER, 1)
    answer = XmlAnswer(
        status=status,
        sender_reference=reference or "-",
        issued_at=ctx.local_now,
        registered_number=number,
        reasons=reasons,
        duties=duties,
        accepted_at=ctx.local_now if number else None,
        customs_office=office or ctx.settings.office,
        message_id=control_reference,
    )
    text = xml_answers.render(kind, answer)
    answer_type = xml_answers.ANSWER_TYPES[kind]
    work.answer("xml", answer_type, text, control_reference, declaration_id, reference)
    return text
