"""The tax authority's acknowledgement of a rebate batch: each record accepted or rejected.

The file is CSV (docs/rebates.md): a header ``batch,declaration_number,item,result,reason_code,
reason_text``, then one row per record. It is checked whole before anything changes: every row
must name a record of the batch, once, with a result the record can take; otherwise every
problem is reported with its line and column (the CSV column, 1-based) and nothing is stored.
Importing the same answer again changes nothing; a different answer for a record already
acknowledged is refused. A file that changed something is kept as received.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clearance.lifecycle.events import EventKind, append_event
from clearance.store.control_tables import (
    REBATE_ACCEPTED,
    REBATE_REJECTED,
    REBATE_TRANSMITTED,
    RebateAcknowledgement,
    RebateBatch,
    RebateRecord,
)
from core.errors import CustomsError

COLUMNS = ("batch", "declaration_number", "item", "result", "reason_code", "reason_text")
RESULTS = (REBATE_ACCEPTED, REBATE_REJECTED)
MAX_ISSUES = 100
_NUMBER = re.compile(r"^\d{18}$")
_REASON_CODE = re.compile(r"^[A-Za-z0-9._-]{1,16}$")


@dataclass(frozen=True, slots=True)
class AckIssue:
    """One problem in an acknowledgement file: line, CSV column (1-based), what."""

    line: int
    column: int
    message: str

    def __str__(self) -> str:
        field = COLUMNS[self.column - 1] if self.column <= len(COLUMNS) else "end of row"
        return f"line {self.line}, column {self.column} ({field}): {self.message}"


class AcknowledgementError(CustomsError):
    """The file was refused as a whole; ``issues`` lists every problem found."""

    code = "rebate_acknowledgement"

    def __init__(self, name: str, issues: list[AckIssue]) -> None:
        shown = "; ".join(f"{name}: {issue}" for issue in issues[:5])
        more = f" (and {len(issues) - 5} more)" if len(issues) > 5 else ""
        super().__init__(f"acknowledgement refused, {len(issues)} problem(s): {shown}{more}")
        self.issues = tuple(issues[:MAX_ISSUES])


class UnknownBatchError(CustomsError):
    """No batch with this reference."""

    code = "rebate_batch_unknown"


@dataclass(frozen=True, slots=True)
class AckRow:
    """One acknowledged record, as the file states it."""

    line: int
    batch: str
    number: str
    item: int
    result: str
    reason_code: str | None
    reason_text: str | None


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


def read_rows(name: str, content: bytes) -> list[AckRow]:
    """The rows of an acknowledgement file, or :class:`AcknowledgementError` for every problem."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AcknowledgementError(
            name, [AckIssue(1, 1, f"not UTF-8 text ({exc.reason})")]
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or tuple(header) != COLUMNS:
        message = f"the header must be {','.join(COLUMNS)}"
        raise AcknowledgementError(name, [AckIssue(1, _first_difference(header or []), message)])
    rows: list[AckRow] = []
    issues: list[AckIssue] = []
    for fields in reader:
        line = reader.line_num
        if not fields or fields == [""]:
            continue
        row = _row(line, fields, issues)
        if row is not None:
            rows.append(row)
    if not rows and not issues:
        issues.append(AckIssue(2, 1, "no acknowledgement rows"))
    if issues:
        raise AcknowledgementError(name, issues)
    return rows


def _first_difference(header: list[str]) -> int:
    """The 1-based column where ``header`` first departs from :data:`COLUMNS`."""
    for n, expected in enumerate(COLUMNS, 1):
        if n > len(header) or header[n - 1] != expected:
            return n
    return len(COLUMNS) + 1


def _row(line: int, fields: list[str], issues: list[AckIssue]) -> AckRow | None:
    before = len(issues)
    if len(fields) != len(COLUMNS):
        message = f"{len(fields)} fields, expected {len(COLUMNS)}"
        issues.append(AckIssue(line, min(len(fields), len(COLUMNS)) + 1, message))
        return None
    batch, number, item, result, code, text = (f.strip() for f in fields)
    if not batch:
        issues.append(AckIssue(line, 1, "the batch reference is missing"))
    if not _NUMBER.match(number):
        issues.append(AckIssue(line, 2, f"{number!r} is not an 18-digit declaration number"))
    if not item.isdigit() or int(item) < 1:
        issues.append(AckIssue(line, 3, f"{item!r} is not an item number"))
    if result not in RESULTS:
        issues.append(AckIssue(line, 4, f"{result!r} is not accepted or rejected"))
    if code and not _REASON_CODE.match(code):
        issues.append(AckIssue(line, 5, f"{code!r} is not a reason code (1-16 letters, digits)"))
    if result == REBATE_REJECTED and not code:
        issues.append(AckIssue(line, 5, "a rejected record needs a reason code"))
    if len(text) > 512:
        issues.append(AckIssue(line, 6, "the reason text is longer than 512 characters"))
    if len(issues) > before:
        return None
    return AckRow(line, batch, number, int(item), result, code or None, text or None)


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
    wanted = reference or rows[0].batch
    issues = [
        AckIssue(r.line, 1, f"names batch {r.batch}, not {wanted}")
        for r in rows
        if r.batch != wanted
    ]
    batch = session.scalars(
        select(RebateBatch).where(RebateBatch.reference == wanted).with_for_update()
    ).one_or_none()
    if batch is None:
        if reference is not None:
            raise UnknownBatchError(f"no rebate batch {reference}")
        raise AcknowledgementError(name, [AckIssue(rows[0].line, 1, f"no rebate batch {wanted}")])
    records = {
        (r.declaration_number, r.item_sequence): r
        for r in session.scalars(
            select(RebateRecord)
            .where(RebateRecord.batch_id == batch.id)
            .order_by(RebateRecord.id)
            .with_for_update()
        )
    }
    changes, issues = _changes(batch.reference, rows, records, issues)
    if issues:
        raise AcknowledgementError(name, issues)
    for record, row in changes:
        record.status, record.acknowledged_at = row.result, now
        record.reason_code, record.reason_text = row.reason_code, row.reason_text
    session.flush()
    accepted = sum(1 for _, row in changes if row.result == REBATE_ACCEPTED)
    if changes:
        _keep(
            session, batch, name, content, len(rows), accepted, len(changes) - accepted, now, actor
        )
    totals = _totals(session, batch)
    if changes:
        batch.acknowledged_at = now
        batch.accepted_count, batch.rejected_count = (
            totals[REBATE_ACCEPTED],
            totals[REBATE_REJECTED],
        )
        append_event(
            session,
            EventKind.REBATE_BATCH_ACKNOWLEDGED,
            now,
            data={
                "batch": batch.reference,
                "rows": len(rows),
                "accepted": accepted,
                "rejected": len(changes) - accepted,
                "unchanged": len(rows) - len(changes),
                "batch_accepted": totals[REBATE_ACCEPTED],
                "batch_rejected": totals[REBATE_REJECTED],
                "batch_pending": totals[REBATE_TRANSMITTED],
            },
        )
    return Acknowledged(
        batch.reference,
        len(rows),
        accepted,
        len(changes) - accepted,
        len(rows) - len(changes),
        totals[REBATE_ACCEPTED],
        totals[REBATE_REJECTED],
        totals[REBATE_TRANSMITTED],
        batch.acknowledged_at,
    )


def _changes(
    reference: str,
    rows: list[AckRow],
    records: dict[tuple[str, int], RebateRecord],
    issues: list[AckIssue],
) -> tuple[list[tuple[RebateRecord, AckRow]], list[AckIssue]]:
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


def _keep(
    session: Session,
    batch: RebateBatch,
    name: str,
    content: bytes,
    rows: int,
    accepted: int,
    rejected: int,
    now: datetime,
    actor: str | None,
) -> None:
    session.add(
        RebateAcknowledgement(
            batch_id=batch.id,
            filename=name[:255],
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
            rows=rows,
            accepted=accepted,
            rejected=rejected,
            actor=actor,
            received_at=now,
        )
    )
    session.flush()


def _totals(session: Session, batch: RebateBatch) -> dict[str, int]:
    counts = dict(
        session.execute(
            select(RebateRecord.status, func.count())
            .where(RebateRecord.batch_id == batch.id)
            .group_by(RebateRecord.status)
        ).all()
    )
    return {status: int(counts.get(status, 0)) for status in (*RESULTS, REBATE_TRANSMITTED)}
