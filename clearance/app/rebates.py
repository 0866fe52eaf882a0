"""Export rebates: exit confirmation, and the batches sent to the tax authority."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from clearance.app.access import Permission, require, visible_declaration
from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.errors import RefusedError
from clearance.app.views import View
from clearance.rebates import records
from clearance.rebates.export import write_batch
from core.clock import as_utc


class ExitConfirmation(View):
    """What an exit confirmation did."""

    number: str
    records: int
    confirmed_at: str | None  # None: confirmed earlier, before exits were dated
    already: bool  # confirmed before: nothing changed, no second event


class BatchExported(View):
    """A rebate batch: its reference, how many records, the files written."""

    reference: str
    records: int
    total_amount: str
    files: list[str]


def confirm_exit(app: Application, actor: Actor, number: str) -> ExitConfirmation:
    """The goods of released export ``number`` left: its rebate records become ``confirmed``.

    RefusedError for an import, an unreleased or an invalidated declaration.
    """
    require(actor, Permission.REBATES)
    with app.unit() as session:
        visible_declaration(session, actor, number)
        try:
            done = records.confirm_exit(session, number, app.clock.now())
        except records.ExitConfirmationError as exc:
            raise RefusedError(exc.message) from exc
    return ExitConfirmation(
        number=number,
        records=done.records,
        confirmed_at=None if done.confirmed_at is None else as_utc(done.confirmed_at).isoformat(),
        already=done.already,
    )


def export_batch(
    app: Application, actor: Actor, date_from: date, date_to: date, directory: Path
) -> BatchExported:
    """Claim every confirmed record exported in [from, to] into a new batch and write its files.

    The records move to ``transmitted`` in the same unit of work that writes the CSV and XML
    files into ``directory``; if the commit fails the files are removed again, so no file ever
    claims a record that is still untransmitted, and no record is sent twice.
    """
    require(actor, Permission.REBATES)
    if date_from > date_to:
        raise RefusedError(f"--from {date_from} is after --to {date_to}")
    paths: list[Path] = []
    try:
        with app.unit() as session:
            batch, claimed = records.export_batch(session, date_from, date_to, app.clock.now())
            paths = write_batch(directory, batch, claimed)
            result = BatchExported(
                reference=batch.reference,
                records=len(claimed),
                total_amount=f"{batch.total_amount:.2f}",
                files=[str(p) for p in paths],
            )
    except BaseException:
        for path in paths:  # the records stay untransmitted: no file may claim them
            path.unlink(missing_ok=True)
        raise
    return result
