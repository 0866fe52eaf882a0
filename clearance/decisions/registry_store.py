"""Registry loads in the database: ``customs registry load`` and the snapshot decisions use.

A load is every record of the files given together (all or nothing), kept as canonical JSON
Lines and versioned by the content hash (``rules.registry.records_digest``). The latest load is
the snapshot in force; any earlier one can be rebuilt for a replay or a reassessment.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated

from pydantic import Field, TypeAdapter
from sqlalchemy import select
from sqlalchemy.orm import Session

from clearance.store.control_tables import RegistryLoad
from rules.errors import RegistryIssue, RegistryLoadError
from rules.registry import Registries, RegistryRecord, read_registry_sources
from rules.registry import records_digest as digest_of

_ADAPTER: TypeAdapter[RegistryRecord] = TypeAdapter(
    Annotated[RegistryRecord, Field(discriminator="record")]
)
#: Parsed snapshots by content hash (a load never changes, so the cache never goes stale).
_CACHE: dict[str, Registries] = {}


#: The load in force, without its records (read for every declaration; built once).
_LATEST = (
    select(RegistryLoad.id, RegistryLoad.content_hash).order_by(RegistryLoad.id.desc()).limit(1)
)


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


def load_sources(session: Session, sources: list[tuple[str, bytes]], now: datetime) -> Loaded:
    """Validate ``(name, content)`` sources together and store them as one load."""
    # Every check, all sources at once: nothing is stored unless every one is clean.
    records = list(read_registry_sources(sources))
    Registries.from_records(records)
    names = [name for name, _ in sources]
    content_hash = digest_of(records)
    existing = session.scalars(
        select(RegistryLoad).where(RegistryLoad.content_hash == content_hash)
    ).one_or_none()
    if existing is not None:
        return Loaded(existing.id, content_hash, existing.record_count, False)
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
    return Loaded(row.id, content_hash, len(records), True)


def latest(session: Session) -> tuple[int | None, Registries]:
    """The load in force and its snapshot; ``(None, empty)`` when nothing is loaded."""
    row = session.execute(_LATEST).one_or_none()
    if row is None:
        return None, Registries()
    return row.id, snapshot(session, row.id, row.content_hash)


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
        _CACHE[row.content_hash] = Registries.from_records(records)
    return _CACHE[row.content_hash]
