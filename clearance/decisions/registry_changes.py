"""One licence or certificate of origin at a time: register it (add or replace), or revoke it.

Registries stay whole snapshots: each change stores a NEW load — the records in force with this
one added, replaced (same number) or revoked — checked exactly as a file load is (the record
read back as one registry line, then the whole snapshot indexed), all or nothing, and records
a registry change (what, why, by whom, on which load). Decisions keep reading the load in force
(:func:`clearance.decisions.registry_store.latest`); earlier loads stay as they were, so old
decisions replay exactly.

Registering a record again updates its ledgers' allowance and is refused below what they
already hold (:mod:`clearance.decisions.registry_ledgers`). Revoking keeps the record with
status ``revoked`` (licence) or ``cancelled`` (certificate), so that the controls say so
(LIC-002, COO-002) rather than "not registered".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from clearance.decisions import registry_store
from clearance.decisions.registry_ledgers import (
    RegistryDocument,
    check_ledgers,
    update_heads,
)
from clearance.store.control_tables import RegistryChange, RegistryLoad
from clearance.store.counters import serialise
from core.errors import CustomsError
from rules.registry import (
    CertificateOfOrigin,
    CertificateStatus,
    Licence,
    LicenceStatus,
    Registries,
    RegistryRecord,
    read_registry_sources,
    records_digest,
)

Kind = Literal["licence", "certificate"]


#: A tenancy check run under the registry lock with the record a change touches (or None).
Allow = Callable[[RegistryDocument | None], None]


def _anyone(record: RegistryDocument | None) -> None:
    """Every caller may make the change (the operator's command line)."""


class UnknownDocumentError(CustomsError):
    """No such licence or certificate in the load in force."""

    code = "registry_unknown"


@dataclass(frozen=True, slots=True)
class Changed:
    """What a change did: the load now in force, whether it is new, whether anything changed."""

    load_id: int
    based_on: int | None
    content_hash: str
    record_count: int
    created: bool  # a new load was stored (False: the same content was loaded before)
    changed: bool  # False: the record was already so; nothing was stored
    record: RegistryDocument


def register(
    session: Session,
    record: RegistryDocument,
    now: datetime,
    actor: str | None,
    allow: Allow = _anyone,
) -> Changed:
    """Add ``record`` to the registry in force, or replace the record with its number.

    ``allow`` is called, under the lock, with the record it would replace (or None) and may
    raise to refuse: the caller's tenancy check sees the registry this change builds on.
    """
    based_on, registries = _locked_latest(session)
    index = registries.licences if isinstance(record, Licence) else registries.certificates
    allow(index.get(record.number))
    (checked,) = read_registry_sources(
        [(f"{record.record} {record.number}", record.model_dump_json().encode())]
    )
    assert isinstance(checked, Licence | CertificateOfOrigin)
    records = [r for r in _records(registries) if _key(r) != _key(checked)] + [checked]
    heads = check_ledgers(session, checked)
    result = _store(session, records, based_on, registries, "register", checked, now, actor, None)
    if result.changed:
        update_heads(checked, heads)
    return result


def revoke(
    session: Session,
    kind: Kind,
    number: str,
    reason: str,
    now: datetime,
    actor: str | None,
    allow: Allow = _anyone,
) -> Changed:
    """Revoke licence or certificate ``number`` (``UnknownDocumentError`` if not in force);
    ``allow`` is called with it under the lock and may raise to refuse."""
    based_on, registries = _locked_latest(session)
    current = find(registries, kind, number)
    allow(current)
    revoked: RegistryDocument
    if isinstance(current, Licence):
        revoked = current.model_copy(update={"status": LicenceStatus.REVOKED})
    else:
        revoked = current.model_copy(update={"status": CertificateStatus.CANCELLED})
    records = [revoked if _key(r) == _key(current) else r for r in _records(registries)]
    return _store(session, records, based_on, registries, "revoke", revoked, now, actor, reason)


def find(registries: Registries, kind: Kind, number: str) -> RegistryDocument:
    """Licence or certificate ``number`` of ``registries`` (``UnknownDocumentError``)."""
    found = (registries.licences if kind == "licence" else registries.certificates).get(number)
    if found is None:
        raise UnknownDocumentError(f"no {kind} {number} in the registry in force")
    return found


def documents(registries: Registries, kind: Kind) -> list[RegistryDocument]:
    """Every licence or certificate of ``registries``, by number."""
    index = registries.licences if kind == "licence" else registries.certificates
    return [index[number] for number in sorted(index)]


def history(session: Session, kind: Kind, number: str) -> list[RegistryChange]:
    """The changes made to this one document, oldest first (file loads are not listed)."""
    return list(
        session.scalars(
            select(RegistryChange)
            .where(RegistryChange.kind == kind, RegistryChange.number == number)
            .order_by(RegistryChange.id)
        )
    )


def _locked_latest(session: Session) -> tuple[int | None, Registries]:
    """The load in force, read after taking the lock every registry change takes."""
    serialise(session, registry_store.LOCK)
    return registry_store.latest(session)


def _records(registries: Registries) -> list[RegistryRecord]:
    return [
        *registries.licences.values(),
        *registries.certificates.values(),
        *(m for periods in registries.memberships.values() for m in periods),
        *(t for periods in registries.traders.values() for t in periods),
        *(p for ranges in registries.price_ranges.values() for p in ranges),
    ]


def _key(record: RegistryRecord) -> tuple[str, str] | None:
    return (
        (record.record, record.number)
        if isinstance(record, Licence | CertificateOfOrigin)
        else None
    )


def _store(
    session: Session,
    records: list[RegistryRecord],
    based_on: int | None,
    before: Registries,
    action: str,
    record: RegistryDocument,
    now: datetime,
    actor: str | None,
    reason: str | None,
) -> Changed:
    """Store ``records`` as the load in force (unless it already is), with the change."""
    Registries.from_records(records)  # the snapshot checks of a file load
    content_hash = records_digest(records)
    if based_on is not None and content_hash == before.digest:
        return Changed(based_on, based_on, content_hash, len(records), False, False, record)
    existing = session.scalar(
        select(RegistryLoad.id).where(RegistryLoad.content_hash == content_hash)
    )
    if existing is None:
        name = json.dumps(f"{action} {record.record} {record.number}", ensure_ascii=False)
        load_id = registry_store.store_load(session, records, content_hash, [name], now).id
    else:  # back to the content of an earlier load: that load is in force again
        load_id = existing
    registry_store.record_change(
        session,
        load_id,
        based_on,
        action,
        now,
        kind=record.record,
        number=record.number,
        reason=reason,
        actor=actor,
    )
    return Changed(load_id, based_on, content_hash, len(records), existing is None, True, record)
