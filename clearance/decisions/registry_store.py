"""Registry loads in the database: ``customs registry load`` and the snapshot decisions use.

A load is every record of the files given together (all or nothing), kept as canonical JSON
Lines and versioned by the content hash (``rules.registry.records_digest``). The snapshot in
force is the load of the newest registry change (a file load here, or one record registered or
revoked, :mod:`clearance.decisions.registry_changes`); any earlier load can be rebuilt for a
replay or a reassessment.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated

from pydantic import Field, TypeAdapter
from sqlalchemy import select
from sqlalchemy.orm import Session

from clearance.store import reference_stamps
from clearance.store.control_tables import RegistryChange, RegistryLoad
from clearance.store.counters import serialise
from clearance.store.deferred import transaction_cache
from rules.errors import RegistryIssue, RegistryLoadError
from rules.registry import Registries, RegistryRecord, read_registry_sources
from rules.registry import records_digest as digest_of

_ADAPTER: TypeAdapter[RegistryRecord] = TypeAdapter(
    Annotated[RegistryRecord, Field(discriminator="record")]
)
#: Parsed snapshots by content hash (a load never changes, so the cache never goes stale).
_CACHE: dict[str, Registries] = {}


#: The load in force, without its records (read for every declaration; built once): the load
#: of the newest registry change (a file load, or one record registered or revoked).
_LATEST = (
    select(RegistryLoad.id, RegistryLoad.content_hash)
    .join(RegistryChange, RegistryChange.load_id == RegistryLoad.id)
    .order_by(RegistryChange.id.desc())
    .limit(1)
)
#: The counter whose row lock serialises every change of the registry in force, so that a
#: change never builds on a snapshot another change is replacing.
LOCK = "registry-changes"


@dataclass(frozen=True, slots=True)
class Loaded:
    """The outcome of a load: its id, hash, how many records, and whether it is new."""

    id: int
    content_hash: str
    record_count: int
    created: bool


def load_files(session: Session, paths: list[Path], now: datetime) -> Loaded:
    """Validate ``paths`` together and store them as one load (``RegistryLoadError`` if bad)."""
    return load_sources(session, [(str(p), _read(p)) for p in paths], now)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        issue = RegistryIssue(str(path), 1, 1, f"cannot read file: {exc.strerror}")
        raise RegistryLoadError((issue,)) from exc


def load_sources(
    session: Session, sources: list[tuple[str, bytes]], now: datetime, actor: str | None = None
) -> Loaded:
    """Validate ``(name, content)`` sources together and store them as one load, in force."""
    # Every check, all sources at once: nothing is stored unless every one is clean.
    records = list(read_registry_sources(sources))
    Registries.from_records(records)
    names = [name for name, _ in sources]
    content_hash = digest_of(records)
    serialise(session, LOCK)
    existing = session.scalars(
        select(RegistryLoad).where(RegistryLoad.content_hash == content_hash)
    ).one_or_none()
    if existing is not None:
        return Loaded(existing.id, content_hash, existing.record_count, False)
    based_on = in_force(session)
    row = store_load(session, records, content_hash, names, now)
    record_change(session, row.id, based_on, "load", now, actor=actor)
    return Loaded(row.id, content_hash, len(records), True)


def store_load(
    session: Session,
    records: Sequence[RegistryRecord],
    content_hash: str,
    names: list[str],
    now: datetime,
) -> RegistryLoad:
    """Insert one load: the canonical records as sorted JSON Lines."""
    lines = sorted(
        json.dumps(r.model_dump(mode="json"), sort_keys=True, ensure_ascii=False) for r in records
    )
    row = RegistryLoad(
        content_hash=content_hash,
        filenames=json.dumps(names, ensure_ascii=False),
        record_count=len(records),
        records="\n".join(lines),
        loaded_at=now,
    )
    session.add(row)
    session.flush()
    return row


def record_change(
    session: Session,
    load_id: int,
    based_on: int | None,
    action: str,
    now: datetime,
    *,
    kind: str | None = None,
    number: str | None = None,
    reason: str | None = None,
    actor: str | None = None,
) -> None:
    """Make load ``load_id`` the one in force, recording what changed, why and by whom."""
    session.add(
        RegistryChange(
            load_id=load_id,
            based_on_load_id=based_on,
            action=action,
            kind=kind,
            number=number,
            reason=reason,
            actor=actor,
            changed_at=now,
        )
    )
    session.flush()


def in_force(session: Session) -> int | None:
    """The id of the load in force (None when nothing is loaded), without its records."""
    row = session.execute(_LATEST).one_or_none()
    return None if row is None else int(row.id)


def latest(session: Session) -> tuple[int | None, Registries]:
    """The load in force and its snapshot; ``(None, empty)`` when nothing is loaded."""
    row = session.execute(_LATEST).one_or_none()
    if row is None:
        return None, Registries()
    return row.id, snapshot(session, row.id, row.content_hash)


def latest_in_unit(session: Session) -> tuple[int | None, Registries]:
    """:func:`latest`, read once per unit of work (transaction): the declarations of one
    interchange are checked against the registries in force when it started; a change made
    meanwhile applies from the next interchange on."""
    cache = transaction_cache(session, "registries.latest")
    if "latest" not in cache:
        # The stamp in force comes with the unit's other reference stamps (one statement,
        # read inside the unit, so never stale); the snapshot is parsed once per process.
        stamp = reference_stamps.registry_in_unit(session)
        found = (
            (None, Registries())
            if stamp is None
            else (stamp.load_id, snapshot(session, stamp.load_id, stamp.content_hash))
        )
        cache["latest"] = found
    latest_load: tuple[int | None, Registries] = cache["latest"]
    return latest_load


def snapshot(session: Session, load_id: int | None, content_hash: str | None = None) -> Registries:
    """The snapshot of load ``load_id`` (empty for None), rebuilt from its stored records."""
    if load_id is None:
        return Registries()
    if content_hash is not None and content_hash in _CACHE:
        return _CACHE[content_hash]
    row = session.get(RegistryLoad, load_id)
    if row is None:
        raise LookupError(f"no registry load {load_id}")
    if row.content_hash not in _CACHE:
        records = [_ADAPTER.validate_json(line) for line in row.records.splitlines() if line]
        digest = stored_digest(row.records, row.content_hash)
        _CACHE[row.content_hash] = Registries.from_records(records, digest)
    return _CACHE[row.content_hash]


def parsed_versions() -> int:
    """How many registry versions this process has parsed (and keeps: the cache never
    lets one go); :mod:`clearance.intake.collector` settles objects anew when it grows."""
    return len(_CACHE)


def stored_digest(text: str, content_hash: str) -> str | None:
    """``content_hash`` when it is the sha256 of the stored ``text``, else None.

    A load stores its records as the sorted canonical JSON lines that its content hash (the
    records' digest, :func:`rules.registry.records_digest`) was computed over, so the hash of
    the text is the digest of the records read back from it: hashing the text (about 1 ms for
    3,000 records) replaces dumping every record to canonical JSON again (about 27 ms), paid
    by the first interchange after each registry change. Text that is not what its hash says
    (an edited row) gets the digest worked out from the records, as before.
    """
    actual = hashlib.sha256(text.encode()).hexdigest()
    return content_hash if actual == content_hash else None
