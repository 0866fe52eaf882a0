"""Registries (licences, certificates of origin, agreement memberships, traders, price ranges).

Whole snapshots are loaded from files (:func:`load`); one licence or certificate at a time is
registered, replaced or revoked (:func:`register_licence`, :func:`register_certificate`,
:func:`revoke`): each change stores a new load with the same checks as a file load, so
decisions keep using the load in force and earlier loads stay replayable. Reads show a
document with what its ledgers hold (:func:`list_documents`, :func:`show_document`).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from sqlalchemy.orm import Session

from clearance.app.access import (
    Permission,
    registry_document_visible,
    require,
    require_registry_write,
    visible_registry_document,
)
from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.documents import Document
from clearance.app.errors import NotFoundError, RefusedError
from clearance.app.identity import local_today
from clearance.app.registry_views import (
    ChangeView,
    DocumentChanged,
    DocumentDetail,
    DocumentSummary,
    ledger_view,
)
from clearance.app.views import View
from clearance.decisions import registry_changes as changes
from clearance.decisions import registry_store
from clearance.decisions.registry_ledgers import RegistryChangeError, ledgers
from core.clock import as_utc
from core.jsontext import BOM, locate
from rules.errors import RegistryLoadError
from rules.registry import CertificateOfOrigin, Licence, Registries, read_registry_record

#: The documents registered one at a time.
Kind = Literal["licence", "certificate"]


class RegistryLoaded(View):
    """A registry load: its id, content hash, record count, and whether it is new."""

    id: int
    content_hash: str
    record_count: int
    created: bool


def load(app: Application, actor: Actor, documents: list[Document]) -> RegistryLoaded:
    """Validate the documents together and store them as one load, the snapshot in force.

    All or nothing: :class:`rules.errors.RegistryLoadError` names every problem with its file,
    line and column, and nothing is stored. Loading the same content again changes nothing.
    """
    require(actor, Permission.REGISTRIES)
    sources = [(d.name, d.content) for d in documents]
    with app.unit() as session:
        loaded = registry_store.load_sources(session, sources, app.clock.now(), actor.subject)
    return RegistryLoaded(
        id=loaded.id,
        content_hash=loaded.content_hash,
        record_count=loaded.record_count,
        created=loaded.created,
    )


def register_licence(app: Application, actor: Actor, licence: Licence) -> DocumentChanged:
    """Add ``licence`` to the registry in force, or replace the licence with its number."""
    return _register(app, actor, licence)


def register_certificate(
    app: Application, actor: Actor, certificate: CertificateOfOrigin
) -> DocumentChanged:
    """Add ``certificate`` to the registry in force, or replace the one with its number."""
    return _register(app, actor, certificate)


def register_document(app: Application, actor: Actor, document: Document) -> DocumentChanged:
    """Register the one licence or certificate a JSON file holds (``customs registry add``).

    Every problem is named with its field, line and column in the file, and nothing is stored:
    a record the registry format refuses (:class:`rules.errors.RegistryLoadError`), another
    kind of record, or an allowance below what its ledger already holds (``RefusedError``).
    """
    require(actor, Permission.REGISTRIES)
    try:
        record = read_registry_record(document.name, document.content)
    except RegistryLoadError as exc:
        problems = "; ".join(str(issue) for issue in exc.issues)
        raise RefusedError(f"not registered, {len(exc.issues)} problem(s): {problems}") from exc
    if not isinstance(record, Licence | CertificateOfOrigin):
        line, column = locate(_text(document), ("record",))
        raise RefusedError(
            f"{document.name}:{line}:{column}: record: a {record.record} is loaded with its "
            "registry file (customs registry load); one at a time: licence or certificate"
        )
    return _register(app, actor, record, document)


def revoke(app: Application, actor: Actor, kind: Kind, number: str, reason: str) -> DocumentChanged:
    """Revoke licence or certificate ``number``: a new load where its status says so.

    A licence becomes ``revoked`` (declarations citing it are rejected, LIC-002), a certificate
    ``cancelled`` (held for documents, COO-002). Revoking it again changes nothing.
    """
    require(actor, Permission.REGISTRIES)
    if not reason.strip():
        raise RefusedError("a revocation needs a reason")

    def allow(current: Licence | CertificateOfOrigin | None) -> None:
        assert current is not None
        visible_registry_document(actor, current)

    with app.unit() as session:
        try:
            args = (kind, number, reason, app.clock.now(), actor.subject, allow)
            changed = changes.revoke(session, *args)
        except changes.UnknownDocumentError as exc:
            raise NotFoundError(exc.message) from exc
    return _changed(changed)


def list_documents(app: Application, actor: Actor, kind: Kind) -> list[DocumentSummary]:
    """The licences or certificates in force that ``actor`` may see, with their ledgers."""
    require(actor, Permission.REGISTRIES)
    today = local_today(app)
    with app.read() as session:
        _, registries = registry_store.latest(session)
        return [
            _summary(session, record, today)
            for record in changes.documents(registries, kind)
            if registry_document_visible(actor, record)
        ]


def show_document(app: Application, actor: Actor, kind: Kind, number: str) -> DocumentDetail:
    """One licence or certificate: the record in force, its ledgers, its changes."""
    require(actor, Permission.REGISTRIES)
    today = local_today(app)
    with app.read() as session:
        load_id, registries = registry_store.latest(session)
        record = _visible(actor, registries, kind, number)
        return DocumentDetail(
            **_summary(session, record, today).model_dump(),
            load_id=load_id,
            record=record.model_dump(mode="json"),
            changes=[
                ChangeView(
                    action=c.action,
                    load_id=c.load_id,
                    based_on=c.based_on_load_id,
                    reason=c.reason,
                    actor=c.actor,
                    changed_at=as_utc(c.changed_at).isoformat(),
                )
                for c in changes.history(session, kind, number)
            ],
        )


def _register(
    app: Application,
    actor: Actor,
    record: Licence | CertificateOfOrigin,
    source: Document | None = None,
) -> DocumentChanged:
    """Register ``record``; a refusal names its field, located in ``source`` when given."""
    require(actor, Permission.REGISTRIES)

    def allow(existing: Licence | CertificateOfOrigin | None) -> None:
        require_registry_write(actor, record, existing)

    with app.unit() as session:
        try:
            changed = changes.register(session, record, app.clock.now(), actor.subject, allow)
        except RegistryChangeError as exc:
            if source is None:
                raise RefusedError(exc.message) from exc
            line, column = locate(_text(source), exc.path)
            raise RefusedError(f"{source.name}:{line}:{column}: {exc.message}") from exc
    return _changed(changed)


def _visible(
    actor: Actor, registries: Registries, kind: Kind, number: str
) -> Licence | CertificateOfOrigin:
    try:
        return visible_registry_document(actor, changes.find(registries, kind, number))
    except changes.UnknownDocumentError as exc:
        raise NotFoundError(exc.message) from exc


def _changed(changed: changes.Changed) -> DocumentChanged:
    record = changed.record
    return DocumentChanged(
        kind=record.record,
        number=record.number,
        status=record.status.value,
        load_id=changed.load_id,
        based_on=changed.based_on,
        content_hash=changed.content_hash,
        record_count=changed.record_count,
        created=changed.created,
        changed=changed.changed,
    )


def _summary(
    session: Session, record: Licence | CertificateOfOrigin, today: date
) -> DocumentSummary:
    if isinstance(record, Licence):
        valid_from, valid_to = record.valid_from, record.valid_to
        holder: str | None = record.holder_uscc
        issuer = record.issuer
    else:
        valid_from, valid_to = record.issue_date, record.valid_to
        holder, issuer = record.importer_uscc, record.issuing_country
    return DocumentSummary(
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


def _text(document: Document) -> str:
    text = document.content.decode("utf-8", "replace")
    return " " + text[1:] if text.startswith(BOM) else text
