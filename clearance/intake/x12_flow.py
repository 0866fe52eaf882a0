"""The X12 channel: a 309 customs manifest in; TA1, 997/999 and 355 out; manifests stored.

Order of work (DESIGN.md steps 2–8): read the interchange (``edi.x12.read_x12`` never
raises), dedupe on (sender, ISA13, content hash), answer the syntax — a TA1 when the ISA/IEA
level rejects the interchange, else a 997 (004010) or 999 (005010) with one set per
received functional group — then, per 309 set the acknowledgement accepted, a 355 and, when
its content is sound, the stored manifest and the recheck of the declarations waiting for
one of its bills (``clearance/manifests/reconciliation.py``). Manifests are not declarations: the
outcome lists them under ``manifests``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from sqlalchemy import select

from clearance.flow.outcome import (
    Acknowledgement,
    ErrorReport,
    InterchangeStatus,
    SubmissionOutcome,
)
from clearance.flow.senders import SenderPosition, check_sender
from clearance.flow.steps import FlowContext
from clearance.intake.channel import Work, answer_again, claim_key
from clearance.lifecycle.events import EventKind
from clearance.lifecycle.numbering import reserve_values
from clearance.manifests.reconciliation import recheck_waiting
from clearance.manifests.x12_status import store_manifest
from clearance.store.manifest_tables import Manifest as ManifestRow
from clearance.store.tables import Event, InterchangeKey, OutboundMessage
from edi.x12 import (
    AckCode,
    AckControl,
    InterchangeNote,
    Level,
    TransactionSet,
    X12Issue,
    X12ReadResult,
    read_x12,
    render_355,
    render_997,
    render_999,
    render_ta1,
)

COUNTER = "x12-out"
_MAX_CONTROL = 999_999_999  # ISA13 is nine digits
#: Acknowledgement sets: a partner's answer to us. Acknowledging them would start a loop.
ACKNOWLEDGEMENT_SETS = frozenset({"997", "999"})


def process_x12(ctx: FlowContext, raw: bytes) -> SubmissionOutcome:
    """Process one X12 interchange inside the caller's unit of work."""
    result = read_x12(raw)
    ic, inbound = result.interchange, ctx.inbound
    inbound.sender = ctx.sender_hint or (ic.sender_id if ic and ic.sender_id else inbound.sender)
    check_sender(ctx, ic.sender_id if ic else None, _isa06(raw))
    types = Counter(s.set_id for s in result.transaction_sets)
    inbound.message_type = types.most_common(1)[0][0] if types else None
    outcome = SubmissionOutcome(
        file=ctx.filename,
        message_id=inbound.id,
        format="x12",
        message_type=inbound.message_type,
        status=InterchangeStatus.ACCEPTED,
        errors=_reports(tuple(i for i in result.all_issues() if i.level is not Level.CONTENT), raw),
        sender=inbound.sender,
    )
    work = Work.start(ctx, outcome)
    # A control number that is not even digits cannot key a resend: no dedupe then.
    if ic is None or not ic.control_number.isdigit():
        outcome.status = InterchangeStatus.REJECTED
        if ic is not None:
            _answer_ta1(work, result)
        reason = outcome.errors[0].text if outcome.errors else "no readable ISA"
        work.events.add(EventKind.SYNTAX_REJECTED, data={"reason": reason})
    else:
        inbound.control_reference = outcome.control_reference = ic.control_number
        earlier = claim_key(ctx, ic.control_number)
        if earlier is None:
            _process(work, result, raw)
        elif earlier.sha256 == inbound.sha256:
            answer_again(work, earlier, "x12")
            outcome.manifests = _summaries_again(work, result, earlier)
        else:
            _reject_reused_control_number(work, result, earlier, raw)
    work.write()
    return outcome


def _process(work: Work, result: X12ReadResult, raw: bytes) -> None:
    ic, outcome = result.interchange, work.outcome
    assert ic is not None
    if result.rejected or not result.groups:
        outcome.status = (
            InterchangeStatus.REJECTED if result.rejected else InterchangeStatus.ACCEPTED
        )
        _answer_ta1(work, result)
        kind = EventKind.SYNTAX_REJECTED if result.rejected else EventKind.SYNTAX_ACCEPTED
        work.events.add(kind, data={"messages": 0, "rejected": 0})
        return
    if all(ts.set_id in ACKNOWLEDGEMENT_SETS for ts in result.transaction_sets):
        _acknowledgements_received(work, result)
        return
    accepted = _accepted(result)
    ok = bool(accepted)
    outcome.status = InterchangeStatus.ACCEPTED if ok else InterchangeStatus.REJECTED
    ack_type = "999" if ic.version == "00501" else "997"
    render = render_999 if ack_type == "999" else render_997
    control = _controls(work, 1)[0]
    text = render(result, control).decode("utf-8")
    work.answer("x12", ack_type, text, f"{control.interchange_control:09d}")
    outcome.acknowledgement = Acknowledgement("x12", text, tuple(outcome.errors))
    if ic.ack_requested:  # ISA14 = 1: the sender asked for a TA1 as well
        _answer_ta1(work, result)
    sets = len(result.transaction_sets)
    work.events.add(
        EventKind.SYNTAX_ACCEPTED if ok else EventKind.SYNTAX_REJECTED,
        data={"messages": sets, "rejected": sets - len(accepted)},
    )
    taken = {id(s) for s in accepted if s.set_id == "309"}
    controls = iter(_controls(work, len(taken)))
    for ts in result.transaction_sets:  # in the order sent; a 355 for each accepted 309
        if id(ts) in taken:
            outcome.manifests.append(_manifest(work, result, ts, next(controls), raw))
        elif ts.set_id == "309":
            outcome.manifests.append(_summary(ts, None, None, [], raw))


def _acknowledgements_received(work: Work, result: X12ReadResult) -> None:
    """An interchange of 997/999 sets: stored and logged, never answered with another 997/999.

    Only a TA1 the sender asked for (ISA14 = 1) goes back: it is about the interchange.
    """
    assert result.interchange is not None
    work.outcome.status = InterchangeStatus.ACCEPTED
    if result.interchange.ack_requested:
        _answer_ta1(work, result)
    sets = [f"{ts.set_id} {ts.control_number}" for ts in result.transaction_sets]
    data = {"messages": len(sets), "rejected": 0, "acknowledgements": sets}
    work.events.add(EventKind.SYNTAX_ACCEPTED, data=data)


def _manifest(
    work: Work, result: X12ReadResult, ts: TransactionSet, control: AckControl, raw: bytes
) -> dict[str, Any]:
    """Answer one accepted 309 with a 355; store its manifest and recheck waiting ones."""
    ctx = work.ctx
    text = render_355(result, ts, control).decode("utf-8")
    work.answer("x12", "355", text, f"{control.interchange_control:09d}", None, ts.control_number)
    if ts.manifest is None:
        work.events.add(
            EventKind.REJECTED,
            data={
                "message_reference": ts.control_number,
                "reasons": [i.text for i in ts.content_issues if i.is_error],
            },
        )
        return _summary(ts, None, text, [], raw)
    assert result.interchange is not None
    manifest_id = store_manifest(ctx, result.interchange, ts, ts.manifest)
    work.events.add(
        EventKind.MANIFEST_RECEIVED,
        data={
            "manifest_id": manifest_id,
            "message_reference": ts.control_number,
            "voyage": ts.manifest.voyage,
            "conveyance": ts.manifest.conveyance.name,
            "bills": [b.number for b in ts.manifest.bills],
        },
    )
    tolerance = ctx.settings.manifest_tolerance_percent
    matched = recheck_waiting(
        ctx.session, manifest_id, ctx.now, tolerance_percent=tolerance, events=work.events
    )
    return _summary(ts, manifest_id, text, matched, raw)


def _isa06(raw: bytes) -> SenderPosition:
    """Where ISA06 (the interchange sender id) starts: line and column, 1-based."""
    start = raw.find(b"ISA")
    offset = start + 3
    separator = raw[offset : offset + 1]
    for _ in range(5):  # past ISA01 … ISA05
        offset = raw.find(separator, offset + 1) if separator else -1
        if start < 0 or offset < 0:
            return SenderPosition("ISA", 6)
    line_start = raw.rfind(b"\n", 0, offset) + 1
    return SenderPosition("ISA", 6, raw.count(b"\n", 0, offset) + 1, offset + 2 - line_start)


def _answer_ta1(work: Work, result: X12ReadResult) -> None:
    control = _controls(work, 1)[0]
    text = render_ta1(result, control).decode("utf-8")
    work.answer("x12", "TA1", text, f"{control.interchange_control:09d}")
    if work.outcome.acknowledgement is None:
        work.outcome.acknowledgement = Acknowledgement("x12", text, tuple(work.outcome.errors))


def _reject_reused_control_number(
    work: Work, result: X12ReadResult, earlier: InterchangeKey, raw: bytes
) -> None:
    """ISA13 already used by this sender for other bytes: TA1 R 025, nothing processed."""
    ic = result.interchange
    assert ic is not None
    issue = X12Issue(
        Level.INTERCHANGE,
        InterchangeNote.DUPLICATE_CONTROL_NUMBER.value,
        f"interchange control number {ic.control_number} was already used by sender "
        f"{work.ctx.inbound.sender} for other content (message {earlier.inbound_message_id})",
        segment_tag="ISA",
        segment_index=1,
        element=13,
        line=1,
        byte_offset=raw.find(b"ISA"),
    )
    work.outcome.status = InterchangeStatus.REJECTED
    work.outcome.errors = _reports((issue,), raw)
    _answer_ta1(work, replace(result, issues=(issue, *result.issues)))
    work.events.add(EventKind.SYNTAX_REJECTED, data={"code": issue.code, "reason": issue.text})


def _controls(work: Work, count: int) -> list[AckControl]:
    """Control numbers of ``count`` outbound interchanges (ISA13 = GS06, one set each)."""
    if count == 0:
        return []
    values = reserve_values(work.ctx.session, COUNTER, count)
    numbers = [(n - 1) % _MAX_CONTROL + 1 for n in values]
    return [AckControl(n, n, 1, work.ctx.local_now) for n in numbers]


def _summaries_again(
    work: Work, result: X12ReadResult, earlier: InterchangeKey
) -> list[dict[str, Any]]:
    """The manifest summaries of the original processing (the bytes are the same)."""
    session, original = work.ctx.session, earlier.inbound_message_id
    ids = _by_reference(
        session.execute(
            select(ManifestRow.set_control, ManifestRow.id)
            .where(ManifestRow.inbound_message_id == original)
            .order_by(ManifestRow.id)
        )
    )
    answers = _by_reference(
        session.execute(
            select(OutboundMessage.message_reference, OutboundMessage.content)
            .where(OutboundMessage.inbound_message_id == original)
            .where(OutboundMessage.message_type == "355")
            .order_by(OutboundMessage.id)
        )
    )
    matched = _by_reference(
        (json.loads(e.data)["manifest_id"], e.declaration_number)
        for e in session.scalars(
            select(Event)
            .where(Event.inbound_message_id == original, Event.kind == EventKind.MANIFEST_MATCHED)
            .order_by(Event.id)
        )
    )
    answered = {id(s) for s in _accepted(result)}
    summaries = []
    for ts in (s for s in result.transaction_sets if s.set_id == "309"):
        stored = ids.get(ts.control_number, []) if ts.manifest and id(ts) in answered else []
        stored_id = stored.pop(0) if stored else None
        sent = answers.get(ts.control_number, []) if id(ts) in answered else []
        response = sent.pop(0) if sent else None
        mine = [] if stored_id is None else matched.get(stored_id, [])
        summaries.append(_summary(ts, stored_id, response, mine, work.ctx.inbound.raw))
    return summaries


def _by_reference(rows: Iterable[Any]) -> dict[Any, list[Any]]:
    """(key, value) rows grouped by key, in order (ST02 may repeat across groups)."""
    grouped: dict[Any, list[Any]] = {}
    for key, value in rows:
        grouped.setdefault(key, []).append(value)
    return grouped


def _accepted(result: X12ReadResult) -> list[TransactionSet]:
    """The sets the 997/999 accepted (in a group it did not reject), in order."""
    return [
        s
        for g in result.groups
        if g.status is not AckCode.REJECTED
        for s in g.sets
        if s.status is not AckCode.REJECTED
    ]


def _summary(
    ts: TransactionSet,
    manifest_id: int | None,
    response: str | None,
    matched: list[str],
    raw: bytes,
) -> dict[str, Any]:
    """One entry of ``outcome.manifests`` (docs/cli.md)."""
    m = ts.manifest
    return {
        "message_reference": ts.control_number,
        "status": "accepted" if manifest_id is not None else "rejected",
        "manifest_id": manifest_id,
        "carrier": None if m is None else m.carrier_scac,
        "conveyance": None if m is None else m.conveyance.name,
        "voyage": None if m is None else m.voyage,
        "port_of_discharge": None if m is None else m.port_of_discharge,
        "arrival_date": None if m is None else m.arrival_date.isoformat(),
        "bills": [] if m is None else [b.number for b in m.bills],
        "errors": [r.to_json() for r in _reports(ts.issues, raw)],
        "response": response,
        "matched_declarations": matched,
    }


def _reports(issues: tuple[X12Issue, ...], raw: bytes) -> list[ErrorReport]:
    """Issues as reports with line and column (warnings say so in their text)."""
    return [
        ErrorReport(
            code=i.code,
            text=i.text if i.is_error else f"warning: {i.text}",
            segment=i.segment_tag,
            line=i.line,
            column=_column(raw, i.byte_offset),
            element=i.element,
        )
        for i in issues
    ]


def _column(raw: bytes, offset: int | None) -> int | None:
    """The 1-based character column of byte ``offset`` in its line (X12 often has one)."""
    if offset is None or offset < 0:
        return None
    start = raw.rfind(b"\n", 0, offset) + 1
    if start == 0 and raw.startswith(b"\xef\xbb\xbf"):
        start = 3
    return len(raw[start:offset].decode("utf-8", errors="replace")) + 1


__all__ = ["process_x12"]
