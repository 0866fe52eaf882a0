"""Export-rebate records (出口退税): one per released export item, sent to the tax authority once.

On release, each export item with a rebate rate gets a record: the rate of its commodity code on
the export date, FOB in CNY at the official rate, the rebate base and the estimated amount (all
from the stored tariff assessment), the item's quantity (first statutory unit, else declared) and
the exporter's USCC, status ``awaiting_exit_confirmation``. Exit confirmation moves it to
``confirmed`` with its exit date (and records the exit as a dated fact,
:mod:`clearance.lifecycle.exits`);
:func:`export_batch` moves every confirmed record of a period to ``transmitted`` with the batch
id in the same transaction that keeps the batch's files, so no record is ever sent twice and the
files can be written again from the store (:mod:`clearance.rebates.acknowledgements` reads the
tax authority's answer back). A declaration invalidated after
release (a listed case) has its untransmitted records moved to ``invalidated``: they are never
sent, and its exit can no longer be confirmed. The file formats are in ``docs/rebates.md``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from clearance.lifecycle.events import EventKind, append_event
from clearance.lifecycle.exits import exit_confirmation
from clearance.lifecycle.ownership import exporter_uscc
from clearance.lifecycle.registration import DeclarationStatus
from clearance.rebates.export import BatchLine, store_files
from clearance.store.bulk import insert_rows
from clearance.store.control_tables import (
    REBATE_AWAITING,
    REBATE_CONFIRMED,
    REBATE_INVALIDATED,
    REBATE_TRANSMITTED,
    RebateBatch,
    RebateRecord,
)
from clearance.store.deferred import write_deferred
from clearance.store.rebate_version_tables import CORRECTION_PENDING, RebateCorrection
from clearance.store.tables import Declaration as DeclarationRow
from clearance.store.tariff_tables import DeclarationAssessmentRow
from core.errors import CustomsError
from edi.model import Declaration as Goods
from edi.model import GoodsItem, Quantity

CENT = Decimal("0.01")


class ExitConfirmationError(CustomsError):
    """The exit of a declaration's goods cannot be confirmed (unknown, invalidated …)."""

    code = "exit_refused"


@dataclass(frozen=True, slots=True)
class ExitConfirmed:
    """What ``confirm-exit`` did: records confirmed, and when the exit was (first) confirmed."""

    records: int
    confirmed_at: datetime | None  # None: confirmed earlier, before exits were dated
    already: bool  # the exit had been confirmed before: no second event


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
    goods: Goods | None = None,
) -> int:
    """Create the rebate records of a released export declaration; returns how many.

    Each carries its item's quantity (first statutory unit, else the declared one) and the
    exporter's USCC, from ``goods``: the declaration's content (read from the store when the
    caller does not hold it).
    """
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
                "status": REBATE_AWAITING,
                "created_at": now,
            }
        )
    if not rows:
        return 0
    content = goods if goods is not None else _stored_goods(session, declaration_id)
    exporter = exporter_uscc(content)
    items = {item.sequence: item for item in content.items}
    for row in rows:
        quantity = _rebate_quantity(items.get(row["item_sequence"]))
        row["quantity"] = None if quantity is None else quantity.value
        row["unit"] = None if quantity is None else quantity.unit
        row["exporter_uscc"] = exporter
    insert_rows(session, RebateRecord, rows)
    return len(rows)


def _stored_goods(session: Session, declaration_id: int) -> Goods:
    """The current content of a declaration (a released one is never amended after)."""
    text = session.scalars(
        select(DeclarationRow.canonical).where(DeclarationRow.id == declaration_id)
    ).one()
    return Goods.model_validate_json(text)


def _rebate_quantity(item: GoodsItem | None) -> Quantity | None:
    """The quantity the tax authority reads: in the first statutory unit (法定第一计量单位),
    else the declared one; None when the item states neither."""
    if item is None:
        return None
    return item.statutory_quantity or item.quantity


def confirm_exit(
    session: Session, number: str, now: datetime, timezone: str = "Asia/Shanghai"
) -> ExitConfirmed:
    """Exit confirmed for a released export: its awaiting records become ``confirmed``, with
    the exit date (``now``'s day in ``timezone``, the administration's ``CUSTOMS_TIMEZONE``).

    The declaration row is locked first — the same lock a cancellation takes — so an exit
    confirmation and an invalidation after release never both succeed. The first confirmation
    appends an ``exit_confirmed`` event: the dated fact the listed cases of invalidation read.
    Raises :class:`ExitConfirmationError` for an unknown, invalidated, import or unreleased
    declaration.
    """
    row = session.scalars(
        select(DeclarationRow).where(DeclarationRow.number == number).with_for_update()
    ).one_or_none()
    if row is None:
        raise ExitConfirmationError(f"no declaration {number}")
    if row.status == DeclarationStatus.INVALIDATED:
        raise ExitConfirmationError(
            f"declaration {number} is invalidated: its goods cannot exit under it and its "
            "rebate records are void"
        )
    if row.direction != "export":
        raise ExitConfirmationError(
            f"declaration {number} is an {row.direction}: only exports exit"
        )
    if row.status != DeclarationStatus.RELEASED:
        raise ExitConfirmationError(
            f"declaration {number} is {row.status}: goods exit only after release"
        )
    # Asked before the records move: a confirmed record counts as an (undated) earlier exit.
    earlier = exit_confirmation(session, number)
    result = session.execute(
        update(RebateRecord)
        .where(RebateRecord.declaration_number == number, RebateRecord.status == REBATE_AWAITING)
        .values(status=REBATE_CONFIRMED, exit_date=now.astimezone(ZoneInfo(timezone)).date())
    )
    count = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if earlier is not None:
        return ExitConfirmed(count, earlier.at, already=True)
    append_event(
        session,
        EventKind.EXIT_CONFIRMED,
        now,
        declaration_number=number,
        data={"rebate_records": count},
    )
    return ExitConfirmed(count, now, already=False)


def void_records(session: Session, number: str) -> int:
    """The declaration was invalidated: its records not yet transmitted are never sent.

    A transmitted record stays as it is (the batch was sent); no listed case allows it, as
    every case requires the exit not to be confirmed, and records are only sent once it is.
    """
    result = session.execute(
        update(RebateRecord)
        .where(
            RebateRecord.declaration_number == number,
            RebateRecord.status.in_((REBATE_AWAITING, REBATE_CONFIRMED)),
        )
        .values(status=REBATE_INVALIDATED)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def export_batch(
    session: Session, date_from: date, date_to: date, now: datetime
) -> tuple[RebateBatch, list[RebateRecord]]:
    """Claim every confirmed record exported in [from, to] into a new batch (locked rows).

    Records of an invalidated declaration are never claimed, even if one were still marked
    confirmed (they are voided on invalidation; this guard does not rely on it).
    """
    invalidated = select(DeclarationRow.id).where(
        DeclarationRow.status == DeclarationStatus.INVALIDATED
    )
    records = list(
        session.scalars(
            select(RebateRecord)
            .where(
                RebateRecord.status == REBATE_CONFIRMED,
                RebateRecord.export_date >= date_from,
                RebateRecord.export_date <= date_to,
                RebateRecord.declaration_id.not_in(invalidated),
            )
            .order_by(RebateRecord.declaration_number, RebateRecord.item_sequence)
            .with_for_update()
        )
    )
    corrections = _pending_corrections(session, date_from, date_to, invalidated)
    lines = [BatchLine.of(r) for r in records]
    lines += [BatchLine.of(record, c) for c, record in corrections]
    lines.sort(key=lambda line: (line.declaration_number, line.item_sequence))
    count = session.scalar(select(func.count()).select_from(RebateBatch)) or 0
    batch = RebateBatch(
        reference=f"RB{now:%Y%m%d}{count + 1:06d}",
        date_from=date_from,
        date_to=date_to,
        record_count=len(lines),
        total_amount=sum((line.estimated_amount for line in lines), Decimal(0)),
        created_at=now,
    )
    session.add(batch)
    session.flush()
    for record in records:
        record.status = REBATE_TRANSMITTED
        record.batch_id = batch.id
    for correction, _ in corrections:
        correction.status = REBATE_TRANSMITTED
        correction.batch_id = batch.id
    store_files(batch, lines)  # the files as sent, kept in the same transaction
    return batch, records


def _pending_corrections(
    session: Session, date_from: date, date_to: date, invalidated: Select[Any]
) -> list[tuple[RebateCorrection, RebateRecord]]:
    """Corrections and cancellations waiting to be sent, of records exported in the period
    (locked rows)."""
    query = (
        select(RebateCorrection, RebateRecord)
        .join(RebateRecord, RebateRecord.id == RebateCorrection.record_id)
        .where(
            RebateCorrection.status == CORRECTION_PENDING,
            RebateRecord.export_date >= date_from,
            RebateRecord.export_date <= date_to,
            RebateRecord.declaration_id.not_in(invalidated),
        )
        .order_by(RebateRecord.declaration_number, RebateRecord.item_sequence)
        .with_for_update()
    )
    return [(c, r) for c, r in session.execute(query)]


def find_batch(session: Session, reference: str) -> RebateBatch | None:
    """Batch ``reference``, if there is one."""
    return session.scalars(select(RebateBatch).where(RebateBatch.reference == reference)).first()
