"""Versions of export-rebate records: correct or cancel a record already sent, list versions.

A record sent to the tax authority is never changed in place: its correction or cancellation
is the next version, sent in the next batch (:mod:`clearance.rebates.corrections`,
docs/rebates.md "Corrections and cancellations").
"""

from __future__ import annotations

from decimal import Decimal

from clearance.app.access import Permission, require, visible_declaration
from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.errors import ConflictError, NotFoundError, RefusedError
from clearance.app.views import View
from clearance.rebates import corrections
from clearance.store.control_tables import RebateRecord
from clearance.store.rebate_version_tables import RebateCorrection
from core.clock import as_utc


class RecordVersionView(View):
    """One version of a rebate record as sent (or waiting to be sent)."""

    version: int
    kind: str  # original | correction | cancellation
    supersedes_version: int | None
    reason: str | None
    rebate_rate: str
    fob_cny: str
    estimated_amount: str
    status: str
    batch_id: int | None
    answer_code: str | None  # the tax authority's reason code
    answer_text: str | None
    created_at: str


class RebateRecordView(View):
    """A rebate record with every version, oldest first."""

    declaration_number: str
    item: int
    commodity_code: str
    export_date: str
    versions: list[RecordVersionView]


def correct_record(
    app: Application,
    actor: Actor,
    number: str,
    item: int,
    reason: str,
    *,
    cancel: bool = False,
    fob_cny: Decimal | None = None,
    rebate_rate: Decimal | None = None,
) -> RebateRecordView:
    """Add a correction (new FOB and/or rate) or a cancellation of a record already sent.

    ``NotFoundError`` for a declaration the actor may not see or a record that does not
    exist; ``ConflictError`` when a version is still waiting to be sent; ``RefusedError`` for a
    record not sent yet, a cancelled one, or bad figures.
    """
    require(actor, Permission.REBATES)
    kind = "cancellation" if cancel else "correction"
    with app.unit() as session:
        visible_declaration(session, actor, number)
        try:
            done = corrections.correct(
                session,
                number,
                item,
                kind,
                reason,
                app.clock.now(),
                actor.subject,
                fob_cny=fob_cny,
                rebate_rate=rebate_rate,
            )
        except corrections.UnknownRecordError as exc:
            raise NotFoundError(exc.message) from exc
        except corrections.CorrectionInFlightError as exc:
            raise ConflictError(exc.message) from exc
        except corrections.CorrectionError as exc:
            raise RefusedError(exc.message) from exc
        record = session.get_one(RebateRecord, done.record_id)
        return _view(record, corrections.versions(session, [record.id])[record.id])


def records(app: Application, actor: Actor, number: str) -> list[RebateRecordView]:
    """The rebate records of declaration ``number``, each with every version."""
    require(actor, Permission.REBATES)
    with app.read() as session:
        visible_declaration(session, actor, number)
        rows = list(corrections.records_of(session, number))
        later = corrections.versions(session, [r.id for r in rows])
        return [_view(r, later[r.id]) for r in rows]


def _view(record: RebateRecord, later: list[RebateCorrection]) -> RebateRecordView:
    first = RecordVersionView(
        version=1,
        kind="original",
        supersedes_version=None,
        reason=None,
        rebate_rate=f"{record.rebate_rate:.4f}",
        fob_cny=f"{record.fob_cny:.2f}",
        estimated_amount=f"{record.estimated_amount:.2f}",
        status=record.status,
        batch_id=record.batch_id,
        answer_code=record.reason_code,
        answer_text=record.reason_text,
        created_at=as_utc(record.created_at).isoformat(),
    )
    return RebateRecordView(
        declaration_number=record.declaration_number,
        item=record.item_sequence,
        commodity_code=record.commodity_code,
        export_date=record.export_date.isoformat(),
        versions=[first, *(_version(c) for c in later)],
    )


def _version(c: RebateCorrection) -> RecordVersionView:
    return RecordVersionView(
        version=c.version,
        kind=c.kind,
        supersedes_version=c.version - 1,
        reason=c.reason,
        rebate_rate=f"{c.rebate_rate:.4f}",
        fob_cny=f"{c.fob_cny:.2f}",
        estimated_amount=f"{c.estimated_amount:.2f}",
        status=c.status,
        batch_id=c.batch_id,
        answer_code=c.reason_code,
        answer_text=c.reason_text,
        created_at=as_utc(c.created_at).isoformat(),
    )
