"""Licence and certificate agencies: bulk changes of the registry, and a licence's write-off.

An agency (role ``agency``, party ids = the issuers it is) pushes, amends and revokes its
documents in bulk from one file (docs/agencies.md), all or nothing, errors by line; and reads the
write-off (核销) report of a licence it issued: every declaration that drew on it. The operator
may do both for any document. Tenancy is the registry's own rule
(:func:`clearance.app.access.registry_document_visible`).
"""

from __future__ import annotations

from clearance.app.access import (
    Permission,
    registry_document_visible,
    require,
    visible_registry_document,
)
from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.documents import Document
from clearance.app.errors import NotFoundError, RefusedError
from clearance.app.registry_views import LedgerView, ledger_view, text_of
from clearance.app.views import View
from clearance.decisions import registry_bulk, registry_store, writeoff
from clearance.decisions.registry_ledgers import RegistryDocument
from core.clock import as_utc
from rules.registry import Licence


class BulkChanged(View):
    """A bulk file applied: the load now in force and the lines per action."""

    load_id: int
    based_on: int | None
    record_count: int
    added: int
    amended: int
    revoked: int


class DrawView(View):
    """One declaration's draw-down on a licence."""

    declaration_number: str
    reserved: str
    consumed: str
    returned: str
    first_at: str
    last_at: str


class WriteOffView(View):
    """The write-off report of a licence: the document, its ledger, every draw."""

    number: str
    status: str
    holder: str
    issuer: str | None
    valid_from: str
    valid_to: str | None
    ledger: LedgerView
    draws: list[DrawView]


def bulk_change(app: Application, actor: Actor, document: Document) -> BulkChanged:
    """Apply a bulk file of adds, amendments and revocations as one new registry load.

    ``RefusedError`` names every problem by line, and nothing is stored. A document the actor
    may not see is named exactly as an unknown one.
    """
    require(actor, Permission.REGISTRIES)

    def check(new: RegistryDocument | None, current: RegistryDocument | None) -> str | None:
        if current is not None and not registry_document_visible(actor, current):
            return f"no {current.record} {current.number} in the registry in force"
        if new is not None and not registry_document_visible(actor, new):
            return f"an {actor.role.value} may add or amend only {new.record}s it issues"
        return None

    try:
        changes = registry_bulk.read_changes(document.name, document.content)
        with app.unit() as session:
            done = registry_bulk.apply(
                session, document.name, changes, app.clock.now(), actor.subject, check
            )
    except registry_bulk.BulkError as exc:
        raise RefusedError(exc.message) from exc
    return BulkChanged(
        load_id=done.load_id,
        based_on=done.based_on,
        record_count=done.record_count,
        added=done.added,
        amended=done.amended,
        revoked=done.revoked,
    )


def write_off(app: Application, actor: Actor, number: str) -> WriteOffView:
    """The write-off report of licence ``number`` in the registry in force."""
    require(actor, Permission.REGISTRIES)
    with app.read() as session:
        _, registries = registry_store.latest(session)
        licence = registries.licences.get(number)
        if licence is None:
            raise NotFoundError(f"no licence {number} in the registry in force")
        visible_registry_document(actor, licence)
        report = writeoff.write_off(session, licence)
    return _view(report.licence, report)


def _view(licence: Licence, report: writeoff.WriteOff) -> WriteOffView:
    return WriteOffView(
        number=licence.number,
        status=licence.status.value,
        holder=licence.holder_uscc,
        issuer=licence.issuer,
        valid_from=licence.valid_from.isoformat(),
        valid_to=None if licence.valid_to is None else licence.valid_to.isoformat(),
        ledger=ledger_view(report.ledger),
        draws=[
            DrawView(
                declaration_number=d.declaration_number,
                reserved=text_of(d.reserved) or "0",
                consumed=text_of(d.consumed) or "0",
                returned=text_of(d.returned) or "0",
                first_at=as_utc(d.first_at).isoformat(),
                last_at=as_utc(d.last_at).isoformat(),
            )
            for d in report.draws
        ],
    )
