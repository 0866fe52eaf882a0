"""What every channel flow shares: the per-file work record, dedupe, resends, registration.

A channel flow (EDIFACT, XML, X12) reads its format, decides which messages are
declarations, and calls :func:`register` to number them and run the declaration steps; it
renders answers in its own format and records them with :meth:`Work.answer`. Rows are
gathered and written per table at the end (:meth:`Work.write`); the caller commits once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Insert, Table, bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from clearance.flow.outcome import (
    Acknowledgement,
    DeclarationOutcome,
    InterchangeStatus,
    ItemOutcome,
    SubmissionOutcome,
)
from clearance.flow.steps import FlowContext
from clearance.intake.decided import store_decided
from clearance.lifecycle.events import EventBatch, EventKind
from clearance.lifecycle.registration import (
    Batch,
    Refused,
    Registered,
    Submission,
    register_all,
)
from clearance.store.bulk import insert_rows
from clearance.store.deferred import write_deferred
from clearance.store.tables import Declaration as DeclarationRow
from clearance.store.tables import InterchangeKey, OutboundMessage
from core.db import DriverStatement


@dataclass
class Work:
    """Rows gathered while processing one received file."""

    ctx: FlowContext
    outcome: SubmissionOutcome
    events: EventBatch
    outbound: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def start(cls, ctx: FlowContext, outcome: SubmissionOutcome) -> Work:
        """The work record for ``ctx``'s inbound message."""
        return cls(ctx, outcome, EventBatch(ctx.now, ctx.inbound.id))

    def answer(
        self,
        fmt: str,
        message_type: str,
        text: str,
        control_reference: str,
        declaration_id: int | None = None,
        message_reference: str | None = None,
    ) -> None:
        """Record one answer we send back (stored with the rest at :meth:`write`)."""
        self.outbound.append(
            {
                "inbound_message_id": self.ctx.inbound.id,
                "declaration_id": declaration_id,
                "message_reference": message_reference,
                "format": fmt,
                "message_type": message_type,
                "recipient": self.ctx.inbound.sender,
                "control_reference": control_reference,
                "content": text,
                "created_at": self.ctx.now,
            }
        )

    def write(self) -> None:
        """Insert the rows the declaration steps deferred, then the answers and events."""
        self.flush()
        release_rejected_key(self.ctx, self.outcome)

    def flush(self) -> None:
        """Write what is gathered so far (deferred rows, answers, events) and forget it.

        A flow that works through a large interchange a chunk at a time calls this after each
        chunk, so that memory holds one chunk's rows; it is all still one unit of work.
        """
        write_deferred(self.ctx.session)
        if self.outbound:
            insert_rows(self.ctx.session, OutboundMessage, self.outbound)
            self.outbound = []
        self.events.write(self.ctx.session)


def claim_key(ctx: FlowContext, control_reference: str) -> InterchangeKey | None:
    """The earlier key for (sender, reference), or None after claiming it for this message."""
    session, inbound = ctx.session, ctx.inbound
    row = {
        "sender": inbound.sender,
        "control_reference": control_reference,
        "sha256": inbound.sha256,
        "inbound_message_id": inbound.id,
    }
    # One statement for the usual case, a new interchange (it was a SELECT, a SAVEPOINT, the
    # INSERT and its RELEASE). The unique constraint decides: a key already there, or claimed
    # by a concurrent worker (PostgreSQL waits for that worker's commit), inserts nothing,
    # and this message is the resend. On the driver (once per interchange): a Core execution
    # cost about 100 µs of CPU more than the statement (ADR 0006, stop 26).
    connection = session.connection()
    if _CLAIMS[connection.dialect.name].rows(connection, **row):
        return None
    query = select(InterchangeKey).where(
        InterchangeKey.sender == inbound.sender,
        InterchangeKey.control_reference == control_reference,
    )
    return session.scalars(query).one()


_CLAIMED = ("sender", "control_reference", "sha256", "inbound_message_id")
_KEYS = cast(Table, InterchangeKey.__table__)
#: ``INSERT … ON CONFLICT DO NOTHING RETURNING id`` of each database, the four values bound
#: by name (the same columns a Core execution with them would insert; the table has no
#: Python-side defaults).
_CLAIMS: dict[str, DriverStatement[Insert]] = {
    name: DriverStatement(
        dialect.insert(_KEYS)
        .values({key: bindparam(key) for key in _CLAIMED})
        .on_conflict_do_nothing(index_elements=[_KEYS.c.sender, _KEYS.c.control_reference])
        .returning(_KEYS.c.id)
    )
    for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))
}


def release_rejected_key(ctx: FlowContext, outcome: SubmissionOutcome) -> None:
    """A file rejected as a whole gives its reference back to the sender.

    A transfer cut off half way is rejected (counts and trailer missing); the complete resend
    of the same interchange must then be processed, not refused as "reference already used
    for other content". Only the key this message claimed is released; an interchange that
    was accepted keeps its reference for good, so a resend of it stays a duplicate.
    """
    if outcome.status is InterchangeStatus.REJECTED:
        ctx.session.execute(
            delete(InterchangeKey).where(InterchangeKey.inbound_message_id == ctx.inbound.id)
        )


def answer_again(work: Work, earlier: InterchangeKey, fmt: str) -> None:
    """A resend of the same bytes: the original acknowledgement and declarations again."""
    session, outcome = work.ctx.session, work.outcome
    work.ctx.inbound.duplicate_of = earlier.inbound_message_id
    outcome.status = InterchangeStatus.DUPLICATE
    before = session.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.inbound_message_id == earlier.inbound_message_id)
        .order_by(OutboundMessage.id)
    ).all()
    if before:  # the first answer of a file is its acknowledgement (CONTRL, notification …)
        outcome.acknowledgement = Acknowledgement(format=fmt, text=before[0].content)
    responses = {a.declaration_id: a.content for a in before if a.declaration_id}
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


def register(
    work: Work, submissions: list[Submission]
) -> list[tuple[Registered, DeclarationOutcome] | Refused]:
    """Number the declarations, run the declaration steps, and store lane and decision."""
    ctx = work.ctx
    batch = Batch(
        sender=ctx.inbound.sender,
        sender_alias=ctx.inbound.sender_alias,
        inbound_message_id=ctx.inbound.id,
        default_office=ctx.settings.office,
        accepted_on=ctx.accepted_on,
        now=ctx.now,
        regime=ctx.settings.regime,
        timezone=ctx.settings.timezone,
        submitted_by=ctx.inbound.submitted_by,
    )
    results: list[tuple[Registered, DeclarationOutcome] | Refused] = []
    for result in register_all(ctx.session, submissions, batch, work.events):
        if isinstance(result, Refused):
            results.append(result)
            continue
        outcome = _outcome(result, result.declaration.sender_reference)
        for step in ctx.steps:
            step(ctx.session, result, outcome)
        for kind, data in outcome.events:
            work.events.add(EventKind(kind), declaration_number=result.number, data=data)
        decided = outcome.lane is not None or outcome.decision is not None
        if decided or outcome.status != result.status:
            # What the steps decided is written with the chunk's rows (clearance/intake/decided.py).
            store_decided(
                ctx.session, result.id, outcome.lane, outcome.decision, outcome.status, ctx.now
            )
        results.append((result, outcome))
    return results


def _outcome(registered: Registered, sender_reference: str) -> DeclarationOutcome:
    return DeclarationOutcome(
        message_reference="",
        sender_reference=sender_reference,
        number=registered.number,
        direction=registered.direction,
        status=registered.status,
        function=registered.function.value,
        items=[
            ItemOutcome(i.sequence, i.commodity_code, i.origin_country)
            for i in registered.declaration.items
        ],
    )
