"""Raw messages moved out of the hot table into zip archives, and read back from them.

An archive is one zip file under ``CUSTOMS_ARCHIVE_ROOT`` holding one member per message
(``000000000042.raw``, the bytes exactly as received) and a ``SHA256SUMS`` member listing
each member's sha256. It is written aside, synced, renamed into place, then opened again and
every member read and hashed against the message's stored ``sha256`` before anything leaves
the hot table (:mod:`clearance.lifecycle.retention`). Reading an archived message checks its
hash again: a member that no longer matches is refused, never served.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from clearance.store.housekeeping_tables import RawArchive, RawArchiveMember
from clearance.store.tables import InboundMessage
from core.errors import StoreUnavailableError

SUMS = "SHA256SUMS"


class ArchiveIntegrityError(StoreUnavailableError):
    """An archive is missing, unreadable, or a member's bytes do not match their sha256."""

    code = "archive_integrity"


def member_name(message_id: int) -> str:
    """The member holding message ``message_id``'s bytes."""
    return f"{message_id:012d}.raw"


def sha256_of(content: bytes) -> str:
    """Hex sha256 of ``content``."""
    return hashlib.sha256(content).hexdigest()


def write_archive(path: Path, members: Sequence[tuple[str, bytes]]) -> None:
    """Write ``members`` (name, bytes) and their SHA256SUMS into the zip ``path``, durably."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    sums = "".join(f"{sha256_of(content)}  {name}\n" for name, content in members)
    with temporary.open("wb") as handle:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, content in members:
                archive.writestr(name, content)
            archive.writestr(SUMS, sums)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(path)
    _sync_folder(path.parent)


def verify_archive(path: Path, expected: dict[str, str]) -> str:
    """Read every member of ``path`` back and check its sha256; the zip file's own sha256.

    ``expected`` maps member name to sha256. Raises :class:`ArchiveIntegrityError` when a
    member is missing or differs, or the SHA256SUMS member disagrees.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            listed = _sums(archive.read(SUMS).decode("ascii"))
            for name, digest in expected.items():
                found = sha256_of(archive.read(name))
                if found != digest or listed.get(name) != digest:
                    raise ArchiveIntegrityError(f"{path}: member {name} does not match its sha256")
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise ArchiveIntegrityError(f"{path}: cannot be read back: {exc}") from exc
    return sha256_of(path.read_bytes())


def read_member(path: Path, member: str, digest: str) -> bytes:
    """The bytes of ``member`` in archive ``path``, refused unless their sha256 is ``digest``."""
    try:
        with zipfile.ZipFile(path) as archive:
            content = archive.read(member)
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        problem = f"archived message {member} unreadable in {path}: {exc}"
        raise ArchiveIntegrityError(problem) from exc
    if sha256_of(content) != digest:
        raise ArchiveIntegrityError(f"archived message {member} in {path} fails its sha256 check")
    return content


def raw_content(session: Session, message: InboundMessage, root: Path | None) -> bytes:
    """The bytes of ``message`` exactly as received: from the hot table, or from its archive."""
    if message.raw or message.size == 0:
        return message.raw
    member = session.get(RawArchiveMember, message.id)
    if member is None:
        return message.raw
    archive = session.get(RawArchive, member.archive_id)
    if archive is None or root is None:
        raise ArchiveIntegrityError(
            f"message {message.id} is archived and CUSTOMS_ARCHIVE_ROOT is not set"
        )
    return read_member(root / archive.path, member.member, member.sha256)


def _sums(text: str) -> dict[str, str]:
    pairs = (line.split("  ", 1) for line in text.splitlines() if line.strip())
    return {name: digest for digest, name in pairs}


def _sync_folder(folder: Path) -> None:
    # The rename itself must survive a crash before the hot bytes are dropped.
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
