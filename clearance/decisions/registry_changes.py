"""One licence or certificate of origin at a time: register it (add or replace), or revoke it.

Registries stay whole snapshots: each change stores a NEW load — the records in force with this
one added, replaced (same number) or revoked — checked exactly as a file load is (the record
read back as one registry line, then the whole snapshot indexed), all or nothing, and records
a registry change (what, why, by whom, on which load). Decisions keep reading the load in force
(:func:`clearance.decisions.registry_store.latest`); earlier loads stay as they were, so old
decisions replay exactly.

A ledger (``licence:N``, ``certificate:N:LINE``) keeps its allowance on its head row, created at
the first draw. Registering a record again updates the heads it has, under their row locks,
and is refused when the new allowance is below what is already drawn or changes its unit.
Revoking keeps the record with status ``revoked`` (licence) or ``cancelled`` (certificate), so
that the controls say so (LIC-002, COO-002) rather than "not registered".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from clearance.decisions import registry_store
from clearance.ledgers.accounts import allowance_of, balances
from clearance.lifecycle.numbering import reserve_counter
from clearance.store.control_tables import LedgerHead, RegistryChange, RegistryLoad
from core.errors import CustomsError
from rules.claims import (
    certificate_line_allowance,
    certificate_line_key,
    licence_allowance,
    licence_key,
)
from rules.ledger import Allowance, Balance
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
#: A record that can be registered or revoked on its own.
RegistryDocument = Licence | CertificateOfOrigin


#: A tenancy check run under the registry lock with the record a change touches (or None).
Allow = Callable[[RegistryDocument | None], None]


def _anyone(record: RegistryDocument | None) -> None:
    """Every caller may make the change (the operator's command line)."""


class RegistryChangeError(CustomsError):
    """The change would leave a ledger inconsistent; ``path`` names the record's field."""

    code = "registry_change"

    def __init__(self, record: RegistryDocument, path: tuple[str | int, ...], message: str) -> None:
        where = ".".join(str(p) for p in path)
        super().__init__(f"{record.record} {record.number}: {where}: {message}")
        self.path = path


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


@dataclass(frozen=True, slots=True)
class LedgerLine:
    """A ledger of a document as decisions see it: its key, certificate line, balance."""

    key: str
    line: int | None
    balance: Balance
    drawn: bool  # the ledger exists (something was drawn on it once)


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
    heads = _check_ledgers(session, checked)
    result = _store(session, records, based_on, registries, "register", checked, now, actor, None)
    if result.changed:
        _update_heads(checked, heads)
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


def ledgers(session: Session, record: RegistryDocument) -> list[LedgerLine]:
    """The ledgers of ``record`` (read, not locked): from their heads when they exist."""
    wanted: dict[str, tuple[int | None, Allowance]] = (
        {licence_key(record.number): (None, licence_allowance(record))}
        if isinstance(record, Licence)
        else {
            certificate_line_key(record.number, x.line): (x.line, certificate_line_allowance(x))
            for x in record.lines
        }
    )
    heads = {
        head.key: head
        for head in session.scalars(select(LedgerHead).where(LedgerHead.key.in_(wanted)))
    }
    drawn = balances(session, heads)
    return [
        LedgerLine(key, line, drawn.get(key, Balance(allowance)), key in heads)
        for key, (line, allowance) in wanted.items()
    ]


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
    reserve_counter(session, registry_store.LOCK, 1)
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


def _check_ledgers(session: Session, record: RegistryDocument) -> dict[str, LedgerHead]:
    """Lock the heads of ``record``'s ledgers; refuse an allowance below what they hold."""
    heads = {
        head.key: head
        for head in session.scalars(
            select(LedgerHead)
            .where(LedgerHead.kind == record.record, LedgerHead.document == record.number)
            .order_by(LedgerHead.key)
            .with_for_update()
        )
    }
    for key, balance in balances(session, heads).items():
        held, uses = balance.totals.held, balance.totals.held_uses
        if held == 0 and uses == 0:
            continue
        if isinstance(record, Licence):
            _check(record, (), licence_allowance(record), balance.allowance.unit, held, uses)
            continue
        line_no = int(key.rsplit(":", 1)[1])
        index = next((n for n, x in enumerate(record.lines) if x.line == line_no), None)
        if index is None:
            message = f"line {line_no} has {held} {balance.allowance.unit} drawn on it"
            raise RegistryChangeError(record, ("lines",), message + " and cannot be removed")
        allowance = certificate_line_allowance(record.lines[index])
        _check(record, ("lines", index), allowance, balance.allowance.unit, held, uses)
    return heads


def _check(
    record: RegistryDocument,
    at: tuple[str | int, ...],
    allowance: Allowance,
    unit: str | None,
    held: Decimal,
    uses: int,
) -> None:
    if allowance.unit != unit:
        message = f"{allowance.unit} cannot replace {unit} while {held} {unit} is drawn"
        raise RegistryChangeError(record, (*at, "unit"), message)
    if allowance.limit is not None and allowance.limit < held:
        message = f"allows {allowance.limit} {unit}, below the {held} {unit} already drawn"
        raise RegistryChangeError(record, (*at, "quantity"), message)
    if allowance.max_uses is not None and allowance.max_uses < uses:
        message = f"{allowance.max_uses} is below the {uses} uses already taken"
        raise RegistryChangeError(record, (*at, "max_uses"), message)


def _update_heads(record: RegistryDocument, heads: dict[str, LedgerHead]) -> None:
    """Give the (locked) heads of ``record`` its new allowance."""
    allowances = (
        {licence_key(record.number): licence_allowance(record)}
        if isinstance(record, Licence)
        else {
            certificate_line_key(record.number, x.line): certificate_line_allowance(x)
            for x in record.lines
        }
    )
    for key, head in heads.items():
        allowance = allowances.get(key)
        if allowance is None or allowance == allowance_of(head):
            continue
        head.quantity, head.unit = allowance.quantity, allowance.unit
        head.tolerance, head.max_uses = allowance.tolerance, allowance.max_uses
