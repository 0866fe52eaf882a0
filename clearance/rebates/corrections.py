"""Corrections and cancellations of export-rebate records already sent to the tax authority.

A record sent in a batch (``transmitted``, then ``accepted`` or ``rejected``) is never changed in
place: a correction (new figures, e.g. after an amendment found by audit, or a rejected record
put right) or a cancellation (the export does not qualify after all) is its **next version**,
with the version it supersedes and a reason. It waits as ``pending`` until the next
``customs rebates export`` claims it into a batch with the records of the period (by the
record's export date), and is acknowledged like a record. One version at a time is in flight:
a new correction waits until the previous one was sent; an accepted cancellation is final.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from clearance.store.control_tables import (
    REBATE_ACCEPTED,
    REBATE_REJECTED,
    REBATE_TRANSMITTED,
    RebateRecord,
)
from clearance.store.rebate_version_tables import CORRECTION_PENDING, RebateCorrection
from core.errors import CustomsError

CENT = Decimal("0.01")
SENT = (REBATE_TRANSMITTED, REBATE_ACCEPTED, REBATE_REJECTED)
KINDS = ("correction", "cancellation")


class CorrectionError(CustomsError):
    """The record cannot take this correction now (not sent yet, one in flight, cancelled)."""

    code = "rebate_correction_refused"


class CorrectionInFlightError(CorrectionError):
    """A previous version of the record still waits to be sent."""

    code = "rebate_correction_in_flight"


class UnknownRecordError(CustomsError):
    """No rebate record for this declaration and item."""

    code = "rebate_record_unknown"


@dataclass(frozen=True, slots=True)
class Figures:
    """What a version says: rate, FOB in CNY, base, estimated amount."""

    rebate_rate: Decimal
    fob_cny: Decimal
    base: Decimal
    estimated_amount: Decimal


def correct(
    session: Session,
    number: str,
    item: int,
    kind: str,
    reason: str,
    now: datetime,
    actor: str,
    fob_cny: Decimal | None = None,
    rebate_rate: Decimal | None = None,
) -> RebateCorrection:
    """Add the next version of record (``number``, ``item``): a correction or a cancellation.

    The record row is locked first, so two corrections of one record queue and number their
    versions one after the other. Raises :class:`UnknownRecordError` or :class:`CorrectionError`.
    """
    if kind not in KINDS:
        raise CorrectionError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    reason = reason.strip()
    if not reason or len(reason) > 512:
        raise CorrectionError("a reason of 1 to 512 characters is required")
    if kind == "cancellation" and (fob_cny is not None or rebate_rate is not None):
        raise CorrectionError("a cancellation carries no new figures")
    record = session.scalars(
        select(RebateRecord)
        .where(RebateRecord.declaration_number == number, RebateRecord.item_sequence == item)
        .with_for_update()
    ).one_or_none()
    if record is None:
        raise UnknownRecordError(f"no rebate record for declaration {number} item {item}")
    latest = latest_version(session, record.id)
    _check_open(record, latest)
    before = _figures(latest or record)
    figures = before if kind == "cancellation" else _new_figures(before, fob_cny, rebate_rate)
    correction = RebateCorrection(
        record_id=record.id,
        version=(latest.version if latest else 1) + 1,
        kind=kind,
        supersedes_id=None if latest is None else latest.id,
        reason=reason,
        rebate_rate=figures.rebate_rate,
        fob_cny=figures.fob_cny,
        base=figures.base,
        estimated_amount=figures.estimated_amount,
        status=CORRECTION_PENDING,
        actor=actor,
        created_at=now,
    )
    session.add(correction)
    session.flush()
    return correction


def latest_version(session: Session, record_id: int) -> RebateCorrection | None:
    """The newest correction or cancellation of a record (None: version 1 is the newest)."""
    return session.scalars(
        select(RebateCorrection)
        .where(RebateCorrection.record_id == record_id)
        .order_by(RebateCorrection.version.desc())
        .limit(1)
    ).first()


def versions(session: Session, record_ids: list[int]) -> dict[int, list[RebateCorrection]]:
    """Every later version of the given records, oldest first, by record id."""
    found: dict[int, list[RebateCorrection]] = {i: [] for i in record_ids}
    query = (
        select(RebateCorrection)
        .where(RebateCorrection.record_id.in_(record_ids))
        .order_by(RebateCorrection.record_id, RebateCorrection.version)
    )
    for row in session.scalars(query):
        found[row.record_id].append(row)
    return found


def _check_open(record: RebateRecord, latest: RebateCorrection | None) -> None:
    where = f"declaration {record.declaration_number} item {record.item_sequence}"
    if latest is None:
        if record.status not in SENT:
            raise CorrectionError(
                f"the rebate record of {where} is {record.status}: not sent yet, so it goes "
                "with its figures as they are; only a record sent can be corrected"
            )
        return
    if latest.status == CORRECTION_PENDING:
        raise CorrectionInFlightError(
            f"version {latest.version} ({latest.kind}) of {where} waits for the next batch; "
            "correct it once it is sent"
        )
    if latest.kind == "cancellation" and latest.status != REBATE_REJECTED:
        raise CorrectionError(
            f"the rebate record of {where} is cancelled (version {latest.version})"
        )


def _figures(row: RebateRecord | RebateCorrection) -> Figures:
    return Figures(row.rebate_rate, row.fob_cny, row.base, row.estimated_amount)


def _new_figures(before: Figures, fob: Decimal | None, rate: Decimal | None) -> Figures:
    if fob is not None and fob <= 0:
        raise CorrectionError("the FOB value must be positive")
    if rate is not None and not Decimal(0) <= rate < 1:
        raise CorrectionError("the rebate rate is a fraction from 0 to below 1 (e.g. 0.13)")
    fob_cny = before.fob_cny if fob is None else fob.quantize(CENT, ROUND_HALF_UP)
    rebate_rate = before.rebate_rate if rate is None else rate.quantize(Decimal("0.0001"))
    # The manufacturer's base: FOB in CNY (docs/rebates.md); the amount rounded half up.
    amount = (fob_cny * rebate_rate).quantize(CENT, ROUND_HALF_UP)
    return Figures(rebate_rate, fob_cny, fob_cny, amount)


def records_of(session: Session, number: str) -> list[RebateRecord]:
    """The rebate records of declaration ``number``, by item."""
    query = (
        select(RebateRecord)
        .where(RebateRecord.declaration_number == number)
        .order_by(RebateRecord.item_sequence)
    )
    return list(session.scalars(query))
