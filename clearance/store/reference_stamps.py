"""The versions of reference data in force, read together once per unit of work.

Every interchange is checked against the registry load in force and assessed with the tariff
schedule in force of its regime. Both are versioned by content hash, and the parsed snapshot or
schedule of a hash is kept per process by its store (:mod:`clearance.decisions.registry_store`,
:mod:`clearance.assessment.tariff_store`); what has to be read per interchange is only which
hash is in force. Read one at a time through SQLAlchemy, each read cost more than the indexed
query behind it (about 20-30 µs of client CPU each), and most interchanges hold one
declaration, so the reads were paid per declaration.

This module therefore reads both stamps, and whether the decisions' risk ruleset version is
stored, with one statement the first time any is asked in a unit of work (transaction), and
keeps them for the rest of it. The stamps are read inside the unit, so a change committed by
another process before the unit started (or, on PostgreSQL's READ COMMITTED, before its first
read) is always seen: a process-wide memo keyed by the stamp can never hand out a version
other than the one in force.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, bindparam, exists, null, select
from sqlalchemy.orm import Session

from clearance.store.control_tables import RegistryChange, RegistryLoad, RulesetRow
from clearance.store.deferred import transaction_cache
from clearance.store.tariff_tables import TariffSchedule
from core.db import DriverStatement


@dataclass(frozen=True, slots=True)
class RegistryStamp:
    """The registry load in force: its id and content hash."""

    load_id: int
    content_hash: str


@dataclass(frozen=True, slots=True)
class Stamps:
    """What one read returned: the registry load in force and, when a regime was asked, the
    content hash of the tariff schedule in force for it (None when nothing is loaded)."""

    registry: RegistryStamp | None
    tariff_hash: str | None


def _latest_load() -> Select[Any]:
    # The load of the newest registry change (a file load, or one record registered or
    # revoked): the same load the join of changes and loads picked before.
    return select(RegistryChange.load_id).order_by(RegistryChange.id.desc()).limit(1)


def _latest_schedule(regime: bool) -> Select[Any]:
    statement = (
        select(TariffSchedule.content_hash)
        .order_by(TariffSchedule.published.desc(), TariffSchedule.id.desc())
        .limit(1)
    )
    if regime:
        statement = statement.where(TariffSchedule.regime == bindparam("regime"))
    return statement


_RULESET = select(RulesetRow.id).where(RulesetRow.version == bindparam("ruleset"))


def _stamps(tariff: bool | None) -> Select[Any]:
    """One row of scalar subqueries: the registry load in force, its hash, (``tariff`` True:
    of the bound regime, False: of any regime, None: not asked) the schedule's hash, and
    whether the risk ruleset version bound as ``ruleset`` is stored."""
    load = _latest_load().scalar_subquery()
    content_hash = select(RegistryLoad.content_hash).where(RegistryLoad.id == load)
    schedule = null() if tariff is None else _latest_schedule(tariff).scalar_subquery()
    return select(
        load.label("registry_load"),
        content_hash.scalar_subquery().label("registry_hash"),
        schedule.label("tariff_hash"),
        exists(_RULESET).label("ruleset_stored"),
    )


# Built once (statement building costs more than the query): by what the first caller knows;
# each compiled once per dialect and run on the driver's cursor.
_REGISTRY_ONLY = DriverStatement(_stamps(None))
_WITH_ANY_SCHEDULE = DriverStatement(_stamps(False))
_WITH_SCHEDULE_OF = DriverStatement(_stamps(True))
_SCHEDULE_ANY = DriverStatement(_latest_schedule(False))
_SCHEDULE_OF = DriverStatement(_latest_schedule(True))
_RULESET_ID = DriverStatement(_RULESET.limit(1))

_CACHE = "reference.stamps"
_REGISTRY = "registry"
#: The risk ruleset version the last unit of work asked about: which version the next unit's
#: stamps read asks about too (the decision step asks after the tariff step has read them).
#: Only a guess of the question, never an answer: the answer is read inside each unit.
_EXPECTED_RULESET: list[str] = [""]


def registry_in_unit(session: Session) -> RegistryStamp | None:
    """The registry load in force for this unit of work (None when nothing is loaded)."""
    cache = transaction_cache(session, _CACHE)
    if _REGISTRY not in cache:
        _read(session, cache, None, ask_tariff=False)
    stamp: RegistryStamp | None = cache[_REGISTRY]
    return stamp


def tariff_in_unit(session: Session, regime: str | None) -> str | None:
    """The content hash of the schedule in force of ``regime`` (of any regime for None) for
    this unit of work; the registry stamp is read with it when the unit has not read it."""
    cache = transaction_cache(session, _CACHE)
    key = ("tariff", regime)
    if key not in cache:
        if _REGISTRY in cache:  # a second regime in the unit: its schedule alone
            connection = _connection(session)
            if regime is None:
                cache[key] = _SCHEDULE_ANY.first(connection)
            else:
                cache[key] = _SCHEDULE_OF.first(connection, regime=regime)
        else:
            _read(session, cache, regime, ask_tariff=True)
    content_hash: str | None = cache[key]
    return content_hash


def ruleset_stored_in_unit(session: Session, version: str) -> bool:
    """Whether risk ruleset ``version`` is stored, as read in this unit of work (with the
    other stamps when this process asked about the same version before)."""
    cache = transaction_cache(session, _CACHE)
    key = ("ruleset", version)
    if key not in cache:
        _EXPECTED_RULESET[0] = version
        # Without a flush, as before: a ruleset row is stored flushed, nothing pending matters.
        found = _RULESET_ID.first(session.connection(), ruleset=version)
        cache[key] = found is not None
    stored: bool = cache[key]
    return stored


def ruleset_stored(session: Session, version: str) -> None:
    """Note that ruleset ``version`` was stored in (or for) this unit of work."""
    transaction_cache(session, _CACHE)[("ruleset", version)] = True


def _read(
    session: Session, cache: dict[object, object], regime: str | None, ask_tariff: bool
) -> None:
    connection = _connection(session)
    ruleset = _EXPECTED_RULESET[0]
    if not ask_tariff:
        (row,) = _REGISTRY_ONLY.rows(connection, ruleset=ruleset)
    elif regime is None:
        (row,) = _WITH_ANY_SCHEDULE.rows(connection, ruleset=ruleset)
    else:
        (row,) = _WITH_SCHEDULE_OF.rows(connection, regime=regime, ruleset=ruleset)
    load_id, registry_hash, tariff_hash, ruleset_found = row[0], row[1], row[2], row[3]
    found = None if load_id is None else RegistryStamp(int(load_id), str(registry_hash))
    cache[_REGISTRY] = found
    if ask_tariff:
        cache[("tariff", regime)] = tariff_hash
    if ruleset:  # an answer the unit already holds (a row it stored) is kept
        cache.setdefault(("ruleset", ruleset), bool(ruleset_found))


def _connection(session: Session) -> Connection:
    # On the unit's connection: the ORM's execution costs more than these indexed queries.
    # A registry change or schedule added to this session and not yet flushed is flushed
    # first, as the ORM's autoflush would have.
    if session.new:
        session.flush()
    return session.connection()
