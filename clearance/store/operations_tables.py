"""Operations: the scheduler's claimed time slots and the outbox's deliveries.

The job queue itself (procrastinate) lives in its own PostgreSQL schema, outside these models
(``clearance/store/queue_schema.py``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clearance.store.tables import Base, BigId


class JobSlot(Base):
    """One run of a scheduled job, claimed for its time slot: a slot never runs twice."""

    __tablename__ = "job_slots"
    __table_args__ = (UniqueConstraint("job", "slot"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    job: Mapped[str] = mapped_column(String(64))
    #: The start of the slot (the scheduled time the run stands for), UTC.
    slot: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: Who claimed it (host and process of the scheduler leader).
    claimed_by: Mapped[str] = mapped_column(String(128))
    #: The queued job that does the work (PostgreSQL); None when run in process.
    queue_job_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    #: ``queued``, ``done`` or ``failed`` (with ``error``) once known.
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class OutboxDelivery(Base):
    """One answer delivered (or being delivered) to a partner's channel."""

    __tablename__ = "outbox_deliveries"
    __table_args__ = (UniqueConstraint("outbound_message_id", "channel"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    outbound_message_id: Mapped[int] = mapped_column(ForeignKey("outbound_messages.id"), index=True)
    #: ``folder`` (the partner's outbound mailbox folder).
    channel: Mapped[str] = mapped_column(String(16))
    #: Where it went: the file's path for a folder.
    target: Mapped[str] = mapped_column(String(512))
    #: ``delivered`` or ``failed`` (tried again with back-off until ``delivered``).
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
