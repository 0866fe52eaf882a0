"""Retention of raw messages: the bytes of old, finished messages move into zip archives.

A message received before the cut-off (``CUSTOMS_RAW_RETENTION_YEARS``) whose processing is
over (not ``received`` or ``failed``: those may still be processed or retried) is due. Due
messages go in batches (``CUSTOMS_RETENTION_BATCH``), oldest first: the batch is written to
a zip (:mod:`clearance.store.raw_archive`), read back and checked member by member against
each message's stored sha256, and only then, in one unit of work, the archive and its
members are recorded and the bytes emptied in ``inbound_messages``. A crash before that
commit leaves the bytes where they were (and at most an unrecorded zip, written again by the
next run); the row keeps its size and sha256, so the archive is found and checked on read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from clearance.lifecycle.events import EventKind
from clearance.lifecycle.notices import announce_once
from clearance.store import raw_archive
from clearance.store.housekeeping_tables import RawArchive, RawArchiveMember
from clearance.store.tables import InboundMessage
from core.clock import as_utc

#: Messages whose processing may still change them: never archived.
OPEN_STATUSES = ("received", "failed")


@dataclass(frozen=True, slots=True)
class Due:
    """A message to archive: id, its stored sha256, bytes, and when it came."""

    id: int
    sha256: str
    raw: bytes
    received_at: datetime


@dataclass(frozen=True, slots=True)
class Written:
    """A zip written and verified, not yet recorded."""

    path: str  # relative to the archive root
    sha256: str
    batch: tuple[Due, ...]


#: Most bytes read into one batch (a batch of very large interchanges is cut short; at least
#: one message is always taken), so a run's memory stays bounded whatever the batch setting.
BATCH_BYTES = 256 * 1024 * 1024


def due(session: Session, cutoff: datetime, limit: int) -> list[Due]:
    """Up to ``limit`` finished messages received before ``cutoff`` still in the hot table."""
    archived = select(RawArchiveMember.message_id)
    sizes = session.execute(
        select(InboundMessage.id, InboundMessage.size)
        .where(
            InboundMessage.received_at < cutoff,
            InboundMessage.status.not_in(OPEN_STATUSES),
            InboundMessage.size > 0,
            InboundMessage.id.not_in(archived),
        )
        .order_by(InboundMessage.id)
        .limit(limit)
    ).all()
    chosen: list[int] = []
    total = 0
    for message_id, size in sizes:
        if chosen and total + int(size) > BATCH_BYTES:
            break
        chosen.append(int(message_id))
        total += int(size)
    if not chosen:
        return []
    rows = session.execute(
        select(
            InboundMessage.id,
            InboundMessage.sha256,
            InboundMessage.raw,
            InboundMessage.received_at,
        )
        .where(InboundMessage.id.in_(chosen))
        .order_by(InboundMessage.id)
    )
    return [Due(int(i), str(s), bytes(r), as_utc(at)) for i, s, r, at in rows]


def write(root: Path, batch: list[Due]) -> Written:
    """Write ``batch`` into its zip under ``root`` and verify every member against its sha256."""
    first, last = batch[0], batch[-1]
    relative = f"raw/{first.received_at:%Y}/raw-{first.id:012d}-{last.id:012d}.zip"
    members = [(raw_archive.member_name(d.id), d.raw) for d in batch]
    raw_archive.write_archive(root / relative, members)
    expected = {raw_archive.member_name(d.id): d.sha256 for d in batch}
    digest = raw_archive.verify_archive(root / relative, expected)
    return Written(relative, digest, tuple(batch))


def record(session: Session, written: Written, now: datetime) -> int:
    """Record the verified archive and its members, and empty the archived bytes; how many."""
    batch = written.batch
    size = sum(len(d.raw) for d in batch)
    archive_id = session.scalar(
        insert(RawArchive)
        .values(
            path=written.path,
            members=len(batch),
            bytes=size,
            sha256=written.sha256,
            created_at=now,
        )
        .returning(RawArchive.id)
    )
    session.execute(
        insert(RawArchiveMember),
        [
            {
                "message_id": d.id,
                "archive_id": archive_id,
                "member": raw_archive.member_name(d.id),
                "sha256": d.sha256,
                "size": len(d.raw),
            }
            for d in batch
        ],
    )
    # One statement for the batch; every row must match (none may have been archived by a
    # concurrent run meanwhile: its member insert above would have failed first).
    done = session.execute(
        update(InboundMessage)
        .where(InboundMessage.id.in_([d.id for d in batch]), InboundMessage.raw != b"")
        .values(raw=b"")
    )
    emptied = int(done.rowcount or 0)  # type: ignore[attr-defined]
    if emptied != len(batch):
        raise raw_archive.ArchiveIntegrityError(
            f"{written.path}: {len(batch) - emptied} message(s) changed while being archived"
        )
    data = {
        "path": written.path,
        "members": len(batch),
        "bytes": size,
        "first_message": batch[0].id,
        "last_message": batch[-1].id,
        "sha256": written.sha256,
    }
    announce_once(session, EventKind.RAW_ARCHIVED, written.path, data, now)
    return emptied
