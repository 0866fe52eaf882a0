"""The tax authority's acknowledgement of a rebate batch: each record accepted or rejected.

The file is CSV (docs/rebates.md): a header ``batch,declaration_number,item,result,reason_code,
reason_text``, then one row per record. It is checked whole before anything changes: every row
must name a record of the batch, once, with a result the record can take; otherwise every
problem is reported with its line and column (the CSV column, 1-based) and nothing is stored.
Importing the same answer again changes nothing; a different answer for a record already
acknowledged is refused. A file that changed something is kept as received.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clearance.lifecycle.events import EventKind, append_event
from clearance.rebates.ack_file import RESULTS, AckIssue, AcknowledgementError, AckRow, read_rows
from clearance.store.control_tables import (
    REBATE_ACCEPTED,
    REBATE_REJECTED,
    REBATE_TRANSMITTED,
    RebateAcknowledgement,
    RebateBatch,
    RebateRecord,
)
from clearance.store.rebate_version_tables import RebateCorrection
from core.errors import CustomsError

#: What an acknowledgement row answers: a record, or a later version of it (issue 14).
Line = RebateRecord | RebateCorrection


class UnknownBatchError(CustomsError):
    """No batch with this reference."""

    code = "rebate_batch_unknown"


@dataclass(frozen=True, slots=True)
class Acknowledged:
    """What an import did: the batch, rows read, records moved, and the batch's totals now."""

    reference: str
    rows: int
    accepted: int
    rejected: int
    unchanged: int
    batch_accepted: int
    batch_rejected: int
    batch_pending: int
    acknowledged_at: datetime | None


def acknowledge(
    session: Session,
    reference: str | None,
    name: str,
    content: bytes,
    now: datetime,
    actor: str | None = None,
) -> Acknowledged:
    """Apply the acknowledgement in ``content`` to batch ``reference`` (from the file if None).

    The batch row and its records are locked first, so two imports of one batch queue.
    Raises :class:`AcknowledgementError` (located problems) or :class:`UnknownBatchError`.
    """
    rows = read_rows(name, content)
    batch, records = _locked(session, reference, rows, name)
    issues = [AckIssue(r.line, 1, f"names batch {r.batch}, not {batch.reference}") for r in rows]
    issues = [
        issue for issue, row in zip(issues, rows, strict=True) if row.batch != batch.reference
    ]
    changes, issues = _changes(batch.reference, rows, records, issues)
    if issues:
        raise AcknowledgementError(name, issues)
    for record, row in changes:
        record.status, record.acknowledged_at = row.result, now
        record.reason_code, record.reason_text = row.reason_code, row.reason_text
    session.flush()
    accepted = sum(1 for _, row in changes if row.result == REBATE_ACCEPTED)
    totals = _totals(session, batch)
    done = Acknowledged(
        batch.reference,
        len(rows),
        accepted,
        len(changes) - accepted,
        len(rows) - len(changes),
        totals[REBATE_ACCEPTED],
        totals[REBATE_REJECTED],
        totals[REBATE_TRANSMITTED],
        now if changes else batch.acknowledged_at,
    )
    if changes:
        _record(session, batch, done, name, content, actor)
    return done


def _locked(
    session: Session, reference: str | None, rows: list[AckRow], name: str
) -> tuple[RebateBatch, dict[tuple[str, int], Line]]:
    """The batch (``reference``, or the first row's) and its records, row-locked."""
    wanted = reference or rows[0].batch
    batch = session.scalars(
        select(RebateBatch).where(RebateBatch.reference == wanted).with_for_update()
    ).one_or_none()
    if batch is None:
        if reference is not None:
            raise UnknownBatchError(f"no rebate batch {reference}")
        raise AcknowledgementError(name, [AckIssue(rows[0].line, 1, f"no rebate batch {wanted}")])
    records = session.scalars(
        select(RebateRecord)
        .where(RebateRecord.batch_id == batch.id)
        .order_by(RebateRecord.id)
        .with_for_update()
    )
    lines: dict[tuple[str, int], Line] = {
        (r.declaration_number, r.item_sequence): r for r in records
    }
    # A batch carries at most one version of a record: the record itself or a later version.
    versions = session.execute(
        select(RebateCorrection, RebateRecord.declaration_number, RebateRecord.item_sequence)
        .join(RebateRecord, RebateRecord.id == RebateCorrection.record_id)
        .where(RebateCorrection.batch_id == batch.id)
        .order_by(RebateCorrection.id)
        .with_for_update(of=RebateCorrection)
    )
    lines.update(((number, item), correction) for correction, number, item in versions)
    return batch, lines


def _record(
    session: Session,
    batch: RebateBatch,
    done: Acknowledged,
    name: str,
    content: bytes,
    actor: str | None,
) -> None:
    """The batch's answer, the file as received and the event, for a file that changed records."""
    now = done.acknowledged_at
    assert now is not None
    batch.acknowledged_at = now
    batch.accepted_count, batch.rejected_count = done.batch_accepted, done.batch_rejected
    session.add(
        RebateAcknowledgement(
            batch_id=batch.id,
            filename=name[:255],
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
            rows=done.rows,
            accepted=done.accepted,
            rejected=done.rejected,
            actor=actor,
            received_at=now,
        )
    )
    session.flush()
    data = {
        "batch": done.reference,
        "rows": done.rows,
        "accepted": done.accepted,
        "rejected": done.rejected,
        "unchanged": done.unchanged,
        "batch_accepted": done.batch_accepted,
        "batch_rejected": done.batch_rejected,
        "batch_pending": done.batch_pending,
    }
    append_event(session, EventKind.REBATE_BATCH_ACKNOWLEDGED, now, data=data)


def _changes(
    reference: str,
    rows: list[AckRow],
    records: dict[tuple[str, int], Line],
    issues: list[AckIssue],
) -> tuple[list[tuple[Line, AckRow]], list[AckIssue]]:
    """The records each row moves; an issue for each row that names no record, a record twice,
    or a record already acknowledged otherwise."""
    seen: dict[tuple[str, int], int] = {}
    changes = []
    for row in rows:
        key = (row.number, row.item)
        record = records.get(key)
        if record is None:
            message = (
                f"declaration {row.number} item {row.item} is not a record of batch {reference}"
            )
            issues.append(AckIssue(row.line, 2, message))
            continue
        if key in seen:
            issues.append(AckIssue(row.line, 2, f"the record is acknowledged on line {seen[key]}"))
            continue
        seen[key] = row.line
        if record.status == REBATE_TRANSMITTED:
            changes.append((record, row))
            continue
        same = (record.status, record.reason_code, record.reason_text) == (
            row.result,
            row.reason_code,
            row.reason_text,
        )
        if not same:
            when = (
                "" if record.acknowledged_at is None else f" on {record.acknowledged_at:%Y-%m-%d}"
            )
            code = f" ({record.reason_code})" if record.reason_code else ""
            message = f"already acknowledged as {record.status}{code}{when}; a different answer"
            issues.append(AckIssue(row.line, 4, message + " is refused"))
    return changes, issues


def _totals(session: Session, batch: RebateBatch) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in (RebateRecord, RebateCorrection):
        for status, count in session.execute(
            select(table.status, func.count())
            .where(table.batch_id == batch.id)
            .group_by(table.status)
        ):
            counts[status] = counts.get(status, 0) + int(count)
    return {status: counts.get(status, 0) for status in (*RESULTS, REBATE_TRANSMITTED)}
