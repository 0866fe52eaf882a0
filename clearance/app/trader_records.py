"""What a trader holds besides its declarations: licences and certificates of origin with what
remains of them, and the export-rebate records of its released exports.

Scoped by :mod:`.access`: a trader sees the documents naming one of its party ids and the
rebate records of its own declarations; a broker those of its mandating traders.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from clearance.app.access import (
    Permission,
    declarations_visible,
    registry_document_held,
    require,
)
from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.identity import local_today
from clearance.app.registry_views import DocumentSummary, ledger_view
from clearance.app.views import View
from clearance.decisions import registry_changes as changes
from clearance.decisions import registry_store
from clearance.decisions.registry_ledgers import ledgers
from clearance.store.control_tables import RebateBatch, RebateRecord
from clearance.store.tables import Declaration
from core.clock import as_utc
from rules.registry import Licence


class RebateRecordView(View):
    """One export-rebate record: the item, the estimate, and where its claim stands."""

    declaration_number: str
    item_sequence: int
    commodity_code: str
    export_date: str
    rebate_rate: str
    fob_cny: str
    estimated_amount: str
    # As the batch sends them (docs/rebates.md); None where a record made before they were
    # kept had nothing to derive them from, and ``exit_date`` until the exit is confirmed.
    quantity: str | None
    unit: str | None
    exit_date: str | None
    status: str
    batch: str | None
    reason: str | None  # the tax authority's reason when it rejected the claim
    acknowledged_at: str | None


def held_documents(app: Application, actor: Actor) -> list[DocumentSummary]:
    """The licences and certificates in force that name ``actor``, with their balances."""
    require(actor, Permission.READ)
    today = local_today(app)
    with app.read() as session:
        _, registries = registry_store.latest(session)
        found: list[DocumentSummary] = []
        for kind in ("licence", "certificate"):
            for record in changes.documents(registries, kind):
                if not registry_document_held(actor, record):
                    continue
                holder: str | None
                issuer: str | None
                if isinstance(record, Licence):
                    valid_from, valid_to = record.valid_from, record.valid_to
                    holder, issuer = record.holder_uscc, record.issuer
                else:
                    valid_from, valid_to = record.issue_date, record.valid_to
                    holder, issuer = record.importer_uscc, record.issuing_country
                found.append(
                    DocumentSummary(
                        kind=record.record,
                        number=record.number,
                        status=record.status.value,
                        valid_from=valid_from.isoformat(),
                        valid_to=None if valid_to is None else valid_to.isoformat(),
                        holder=holder,
                        issuer=issuer,
                        ledgers=[ledger_view(line) for line in ledgers(session, record)],
                        expired=valid_to is not None and valid_to < today,
                    )
                )
        return found


def rebate_records(app: Application, actor: Actor, *, limit: int = 500) -> list[RebateRecordView]:
    """The rebate records of the exports ``actor`` may see, newest first."""
    require(actor, Permission.READ)
    with app.read() as session:
        rows = session.execute(
            select(RebateRecord, RebateBatch.reference)
            .join(Declaration, Declaration.id == RebateRecord.declaration_id)
            .outerjoin(RebateBatch, RebateBatch.id == RebateRecord.batch_id)
            .where(declarations_visible(actor))
            .order_by(RebateRecord.id.desc())
            .limit(limit)
        ).all()
        return [
            RebateRecordView(
                declaration_number=r.declaration_number,
                item_sequence=r.item_sequence,
                commodity_code=r.commodity_code,
                export_date=r.export_date.isoformat(),
                rebate_rate=str(r.rebate_rate),
                fob_cny=str(r.fob_cny),
                estimated_amount=str(r.estimated_amount),
                quantity=None if r.quantity is None else f"{r.quantity.normalize():f}",
                unit=r.unit,
                exit_date=None if r.exit_date is None else r.exit_date.isoformat(),
                status=r.status,
                batch=reference,
                reason=r.reason_text,
                acknowledged_at=_iso(r.acknowledged_at),
            )
            for r, reference in rows
        ]


def _iso(at: datetime | None) -> str | None:
    return None if at is None else as_utc(at).isoformat()
