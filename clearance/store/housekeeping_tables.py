"""Housekeeping: what the scheduled sweeps announced once, and the raw-message archives.

``housekeeping_notices`` makes an announcement (a licence expired, a quota period opened, a
rebate batch written) happen once: its key is unique, so a sweep run twice, or by two
processes, inserts it once. ``raw_archives`` and ``raw_archive_members`` record where the bytes
of an old raw message went when retention moved them out of ``inbound_messages``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clearance.store.tables import Base, BigId


class HousekeepingNotice(Base):
    """One announcement of a sweep, made once: (kind, key) is unique."""

    __tablename__ = "housekeeping_notices"
    __table_args__ = (UniqueConstraint("kind", "key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    #: e.g. ``licence_expired``, ``quota_period_opened``, ``rebate_batch_written``.
    kind: Mapped[str] = mapped_column(String(32))
    #: What it is about, with what makes it new: ``26-AA-310045@2026-12-31``.
    key: Mapped[str] = mapped_column(String(128))
    #: Free JSON detail (what was announced, where a file went).
    data: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RawArchive(Base):
    """One zip file of raw messages, verified member by member before the hot bytes went."""

    __tablename__ = "raw_archives"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    #: Relative to ``CUSTOMS_ARCHIVE_ROOT``: ``raw/2023/raw-0000000001-0000001000.zip``.
    path: Mapped[str] = mapped_column(String(255), unique=True)
    members: Mapped[int] = mapped_column(Integer)
    #: Sum of the members' sizes (the bytes taken out of the hot table).
    bytes: Mapped[int] = mapped_column(BigId)
    #: sha256 of the zip file as written and verified.
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RawArchiveMember(Base):
    """Where the bytes of one archived raw message are: archive, member name, hash."""

    __tablename__ = "raw_archive_members"

    message_id: Mapped[int] = mapped_column(ForeignKey("inbound_messages.id"), primary_key=True)
    archive_id: Mapped[int] = mapped_column(ForeignKey("raw_archives.id"), index=True)
    member: Mapped[str] = mapped_column(String(64))
    #: sha256 of the member's bytes (the message's own ``sha256``), checked on every read.
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigId)
