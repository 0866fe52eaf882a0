"""Export-rebate records (出口退税): one per released export item, sent to the tax authority once.

On release, each export item with a rebate rate gets a record: the rate of its commodity code on
the export date, FOB in CNY at the official rate, the rebate base and the estimated amount (all
from the stored tariff assessment), status ``awaiting_exit_confirmation``. Exit confirmation moves
it to ``confirmed``; :func:`export_batch` moves every confirmed record of a period to
``transmitted`` with the batch id in the same transaction, so no record is ever sent twice.
The file formats are documented in ``docs/rebates.md``.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from clearance.deferred import write_deferred
from clearance.store.control_tables import RebateBatch, RebateRecord
from clearance.store.tariff_tables import DeclarationAssessmentRow

AWAITING = "awaiting_exit_confirmation"
CONFIRMED = "confirmed"
TRANSMITTED = "transmitted"
CENT = Decimal("0.01")


def latest_assessment(session: Session, declaration_id: int) -> dict[str, Any] | None:
    """The newest stored assessment of a declaration, as JSON."""
    write_deferred(session)  # assessments queued in this unit of work are stored ones too
    text = session.scalar(
        select(DeclarationAssessmentRow.result)
        .where(DeclarationAssessmentRow.declaration_id == declaration_id)
        .order_by(DeclarationAssessmentRow.id.desc())
        .limit(1)
    )
    return None if text is None else dict(json.loads(text))


def create_records(
    session: Session,
    declaration_id: int,
    number: str,
    export_date: date,
    assessment: dict[str, Any] | None,
    now: datetime,
) -> int:
    """Create the rebate records of a released export declaration; returns how many."""
    if assessment is None or assessment.get("direction") != "export":
        return 0
    if assessment.get("currency") != "CNY":
        return 0
    rows = []
    for item in assessment["items"]:
        rebate = item.get("rebate")
        if rebate is None:
            continue
        base = Decimal(rebate["base"]).quantize(CENT)
        amount = Decimal(rebate["amount"]).quantize(CENT)
        rate = (amount / base).quantize(Decimal("0.0001")) if base else Decimal(0)
        rows.append(
            {
                "declaration_id": declaration_id,
                "declaration_number": number,
                "item_sequence": item["sequence"],
                "commodity_code": item["code"],
                "export_date": export_date,
                "rebate_rate": rate,
                "fob_cny": base,
                "base": base,
                "estimated_amount": amount,
                "status": AWAITING,
                "created_at": now,
            }
        )
    if rows:
        session.execute(insert(RebateRecord), rows)
    return len(rows)


def confirm_exit(session: Session, number: str) -> int:
    """Exit confirmed for a declaration: its awaiting records become ``confirmed``."""
    result = session.execute(
        update(RebateRecord)
        .where(RebateRecord.declaration_number == number, RebateRecord.status == AWAITING)
        .values(status=CONFIRMED)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def export_batch(
    session: Session, date_from: date, date_to: date, now: datetime
) -> tuple[RebateBatch, list[RebateRecord]]:
    """Claim every confirmed record exported in [from, to] into a new batch (locked rows)."""
    records = list(
        session.scalars(
            select(RebateRecord)
            .where(
                RebateRecord.status == CONFIRMED,
                RebateRecord.export_date >= date_from,
                RebateRecord.export_date <= date_to,
            )
            .order_by(RebateRecord.declaration_number, RebateRecord.item_sequence)
            .with_for_update()
        )
    )
    count = session.scalar(select(func.count()).select_from(RebateBatch)) or 0
    batch = RebateBatch(
        reference=f"RB{now:%Y%m%d}{count + 1:06d}",
        date_from=date_from,
        date_to=date_to,
        record_count=len(records),
        total_amount=sum((r.estimated_amount for r in records), Decimal(0)),
        created_at=now,
    )
    session.add(batch)
    session.flush()
    for record in records:
        record.status = TRANSMITTED
        record.batch_id = batch.id
    return batch, records
