"""Export rebates: exit confirmation, the batches sent to the tax authority, their answers."""

from __future__ import annotations

from datetime import date

from clearance.app.access import Permission, require, visible_declaration
from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.documents import Document
from clearance.app.errors import NotFoundError, RefusedError
from clearance.app.views import View
from clearance.officer import exits
from clearance.rebates import acknowledgements, records
from clearance.rebates.ack_file import AcknowledgementError
from clearance.rebates.export import files_of
from clearance.store.control_tables import RebateBatch
from core.clock import as_utc


class ExitConfirmation(View):
    """What an exit confirmation did: the rebate records confirmed, when the exit was (first)
    confirmed, and whether the declarant was told its export is cleared (结关)."""

    number: str
    records: int
    confirmed_at: str | None  # None: confirmed earlier, before exits were dated
    already: bool  # confirmed before: nothing changed, no second event, no second answer
    answered: bool  # a notice of clearance was sent now (only the JSON channel has one)


class BatchFileView(View):
    """One file of a batch, as sent: name, media type, content (UTF-8 text)."""

    name: str
    media_type: str
    content: str


class RebateBatchView(View):
    """A rebate batch: period, control record, the tax authority's answer, its files."""

    reference: str
    date_from: str
    date_to: str
    records: int
    total_amount: str
    fob_total: str | None  # None: exported before batches were kept in the store
    csv_sha256: str | None
    created_at: str
    acknowledged_at: str | None
    accepted: int | None
    rejected: int | None
    files: list[BatchFileView]  # empty for a batch exported before its files were kept


class BatchExported(RebateBatchView):
    """A new batch: the records claimed, and its files to write."""


class BatchAcknowledged(View):
    """An acknowledgement imported: records moved now, and the batch's totals."""

    reference: str
    rows: int
    accepted: int  # records moved to accepted by this file
    rejected: int  # records moved to rejected by this file
    unchanged: int  # rows that said again what was already recorded
    batch_accepted: int
    batch_rejected: int
    batch_pending: int  # records of the batch not acknowledged yet
    acknowledged_at: str | None


def confirm_exit(app: Application, actor: Actor, number: str) -> ExitConfirmation:
    """The goods of released export ``number`` left: its rebate records become ``confirmed``
    and the declaration is cleared (结关), the declarant told where its channel can be.

    An officer of the declaration's office or the operator (``NotPermittedError`` for anyone
    else, ``NotFoundError`` for a declaration the actor may not see). Idempotent: a second
    confirmation returns the first one's time with ``already`` and changes nothing.
    ``RefusedError`` for an import, an unreleased or an invalidated declaration.
    """
    require(actor, Permission.EXIT)
    with app.unit() as session:
        visible_declaration(session, actor, number)
        try:
            done = exits.confirm_exit(session, app.settings, number, app.clock.now(), actor.subject)
        except records.ExitConfirmationError as exc:
            raise RefusedError(exc.message) from exc
    at = done.exit.confirmed_at
    return ExitConfirmation(
        number=number,
        records=done.exit.records,
        confirmed_at=None if at is None else as_utc(at).isoformat(),
        already=done.exit.already,
        answered=done.answer is not None,
    )


def export_batch(app: Application, actor: Actor, date_from: date, date_to: date) -> BatchExported:
    """Claim every confirmed record exported in [from, to] into a new batch, with its files.

    In one unit of work the records move to ``transmitted`` and the batch's CSV and XML, with
    their control record, are kept on its row: no record is ever sent twice, and the files a
    front door writes after the commit can be written again from the store (:func:`batch`).
    """
    require(actor, Permission.REBATES)
    if date_from > date_to:
        raise RefusedError(f"--from {date_from} is after --to {date_to}")
    with app.unit() as session:
        claimed, _ = records.export_batch(session, date_from, date_to, app.clock.now())
        return BatchExported(**_batch(claimed).model_dump())


def batch(app: Application, actor: Actor, reference: str) -> RebateBatchView:
    """Batch ``reference`` as stored: control record, answer, files (to write them again)."""
    require(actor, Permission.REBATES)
    with app.read() as session:
        row = records.find_batch(session, reference)
        if row is None:
            raise NotFoundError(f"no rebate batch {reference}")
        return _batch(row)


def acknowledge_batch(
    app: Application, actor: Actor, reference: str | None, document: Document
) -> BatchAcknowledged:
    """Import the tax authority's acknowledgement of batch ``reference`` (None: named in the
    file): each record ``accepted`` or ``rejected`` with its reason, all or nothing.

    ``RefusedError`` lists every problem with line and column (a row naming no record of the
    batch, a record twice, a different answer for a record already acknowledged); importing the
    same answer again changes nothing. ``NotFoundError`` for an unknown ``reference``.
    """
    require(actor, Permission.REBATES)
    with app.unit() as session:
        try:
            done = acknowledgements.acknowledge(
                session, reference, document.name, document.content, app.clock.now(), actor.subject
            )
        except acknowledgements.UnknownBatchError as exc:
            raise NotFoundError(exc.message) from exc
        except AcknowledgementError as exc:
            raise RefusedError(exc.message) from exc
    when = done.acknowledged_at
    return BatchAcknowledged(
        reference=done.reference,
        rows=done.rows,
        accepted=done.accepted,
        rejected=done.rejected,
        unchanged=done.unchanged,
        batch_accepted=done.batch_accepted,
        batch_rejected=done.batch_rejected,
        batch_pending=done.batch_pending,
        acknowledged_at=None if when is None else as_utc(when).isoformat(),
    )


def _batch(row: RebateBatch) -> RebateBatchView:
    return RebateBatchView(
        reference=row.reference,
        date_from=row.date_from.isoformat(),
        date_to=row.date_to.isoformat(),
        records=row.record_count,
        total_amount=f"{row.total_amount:.2f}",
        fob_total=None if row.fob_total is None else f"{row.fob_total:.2f}",
        csv_sha256=row.csv_sha256,
        created_at=as_utc(row.created_at).isoformat(),
        acknowledged_at=None
        if row.acknowledged_at is None
        else as_utc(row.acknowledged_at).isoformat(),
        accepted=row.accepted_count,
        rejected=row.rejected_count,
        files=[
            BatchFileView(name=f.name, media_type=f.media_type, content=f.content)
            for f in files_of(row)
        ],
    )
