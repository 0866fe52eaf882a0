"""Later versions of transmitted export-rebate records: corrections and cancellations (issue 14).

Version 1 of a record is its row in ``rebate_records``; every later version is a row here and
travels to the tax authority in a batch, once, like a record (docs/rebates.md).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clearance.store.tables import Base, BigId

#: A correction or cancellation waiting for the next batch.
CORRECTION_PENDING = "pending"


class RebateCorrection(Base):
    """A later version of a transmitted export-rebate record: a correction or a cancellation.

    Version 1 is the record itself (``rebate_records``); each correction or cancellation is the
    next version, names the version it supersedes (``supersedes_id`` null: the record itself)
    and why, and travels to the tax authority in a batch like a record, once.
    """

    __tablename__ = "rebate_corrections"
    __table_args__ = (UniqueConstraint("record_id", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("rebate_records.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # correction | cancellation
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("rebate_corrections.id"))
    reason: Mapped[str] = mapped_column(Text)
    rebate_rate: Mapped[Decimal] = mapped_column(Numeric(8, 4))
    fob_cny: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    base: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    estimated_amount: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    status: Mapped[str] = mapped_column(String(32), index=True)  # pending → transmitted → …
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("rebate_batches.id"))
    reason_code: Mapped[str | None] = mapped_column(String(16))
    reason_text: Mapped[str | None] = mapped_column(Text)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
