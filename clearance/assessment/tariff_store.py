"""Tariff schedule versions in the store, and the schedule the pipeline assesses with.

Every ``customs tariff load`` of new content is a new version; loading the same content again
changes nothing. The pipeline assesses with the latest version loaded; an assessment stores
the version it used, so it can be recomputed with that schedule later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from clearance.store import reference_stamps
from clearance.store.deferred import transaction_cache
from clearance.store.tariff_tables import TariffSchedule
from tariffs import Schedule, TariffError, loads_schedule


@dataclass(frozen=True, slots=True)
class Loaded:
    """What a load did: the version, and whether it was new."""

    version_id: str
    name: str
    content_hash: str
    created: bool


def load_file(session: Session, path: Path, now: datetime) -> Loaded:
    """Store the schedule in ``path`` as a new version (all or nothing; idempotent).

    Raises :class:`tariffs.TariffLoadError` (naming file, line and column) for a bad file and
    :class:`tariffs.TariffError` when its version id is already taken by other content.
    """
    return load_content(session, str(path), path.read_bytes(), now)


def load_content(session: Session, name: str, data: bytes, now: datetime) -> Loaded:
    """Store schedule file ``name`` with content ``data`` as a new version (see load_file)."""
    path = Path(name)
    schedule = loads_schedule(data, filename=name)  # validates everything first
    version = schedule.version
    held = session.scalars(
        select(TariffSchedule).where(TariffSchedule.content_hash == version.content_hash)
    ).one_or_none()
    if held is not None:
        return Loaded(held.version_id, held.name, held.content_hash, created=False)
    taken = session.scalars(
        select(TariffSchedule).where(TariffSchedule.version_id == version.id)
    ).one_or_none()
    if taken is not None:
        raise TariffError(
            f"{path}: schedule version {version.id} is already loaded with other content; "
            "give the new file a new version id in its schedule record"
        )
    session.add(
        TariffSchedule(
            version_id=version.id,
            name=version.name,
            regime=version.regime,
            published=version.published,
            content_hash=version.content_hash,
            filename=path.name,
            content=data.decode("utf-8"),
            loaded_at=now,
        )
    )
    return Loaded(version.id, version.name, version.content_hash, created=True)


def versions(session: Session) -> list[TariffSchedule]:
    """Every stored version, oldest load first."""
    return list(session.scalars(select(TariffSchedule).order_by(TariffSchedule.id)))


def latest(session: Session, regime: str | None = None) -> Schedule | None:
    """The most recently published schedule (of ``regime``, when given), or None.

    Reads only the version's content hash and fetches the content, hundreds of kilobytes,
    only for a version this process has not parsed yet.
    """
    if regime is None:
        content_hash = session.scalars(_LATEST_HASH).first()
    else:
        content_hash = session.scalars(_LATEST_HASH_OF, {"regime": regime}).first()
    return _schedule(session, content_hash)


def latest_in_unit(session: Session, regime: str | None = None) -> Schedule | None:
    """:func:`latest`, read once per unit of work (transaction) and regime.

    Every declaration of one interchange is assessed with the schedule in force when its
    unit of work first asked, instead of one ``SELECT`` per declaration; a version loaded
    meanwhile applies from the next interchange on. The version's hash is read with the
    unit's other reference stamps (:mod:`clearance.store.reference_stamps`: one statement
    per interchange, inside the unit, so never stale); the schedule is parsed once per
    process and version.
    """
    cache = transaction_cache(session, "tariffs.latest")
    if regime not in cache:
        cache[regime] = _schedule(session, reference_stamps.tariff_in_unit(session, regime))
    schedule: Schedule | None = cache[regime]
    return schedule


def _schedule(session: Session, content_hash: str | None) -> Schedule | None:
    if content_hash is None:
        return None
    return _PARSED.get(content_hash) or _by_hash(session, content_hash)


# Built once: asked once per interchange (statement building cost more than the query).
_LATEST_HASH = (
    select(TariffSchedule.content_hash)
    .order_by(TariffSchedule.published.desc(), TariffSchedule.id.desc())
    .limit(1)
)
_LATEST_HASH_OF = _LATEST_HASH.where(TariffSchedule.regime == bindparam("regime"))


def get(session: Session, version_id: str) -> Schedule:
    """The schedule of one stored version."""
    row = session.scalars(
        select(TariffSchedule).where(TariffSchedule.version_id == version_id)
    ).one_or_none()
    if row is None:
        raise TariffError(f"no tariff schedule version {version_id!r} is loaded")
    return _parsed(row.content_hash, row.content, row.filename)


def _by_hash(session: Session, content_hash: str) -> Schedule:
    row = session.scalars(
        select(TariffSchedule).where(TariffSchedule.content_hash == content_hash)
    ).one()
    return _parsed(row.content_hash, row.content, row.filename)


_PARSED: dict[str, Schedule] = {}


def parsed_versions() -> int:
    """How many schedule versions this process has parsed (and keeps: the cache never lets
    one go); :mod:`clearance.intake.collector` settles objects anew when it grows."""
    return len(_PARSED)


def _parsed(content_hash: str, content: str, filename: str) -> Schedule:
    # Parsing builds the lookup indexes; do it once per version and process.
    schedule = _PARSED.get(content_hash)
    if schedule is None:
        schedule = _PARSED[content_hash] = loads_schedule(content, filename=filename)
    return schedule


def latest_of_each_regime(session: Session) -> list[Schedule]:
    """The latest schedule of every regime that has one (for sweeps over all quotas)."""
    regimes = session.scalars(select(TariffSchedule.regime).distinct()).all()
    found = [latest(session, regime) for regime in sorted(r for r in regimes if r is not None)]
    if None in regimes:  # schedules loaded without a regime: the latest of all stands for them
        found.append(latest(session))
    return [s for s in found if s is not None]
