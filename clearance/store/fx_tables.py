"""FX monitoring and the goods feed to the FX authority (issue 14; docs/fx-monitoring.md).

Bank feeds are kept as received (bytes, sha256) before they are parsed; each receipt or payment
is one row, unique per (bank, bank reference), so importing a file again changes nothing. The
goods side is one row per version of a released declaration (original, correction, cancellation),
valued per item in CNY and USD at the official rate of the declaration day. Classes are an
append-only history per trader.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from clearance.store.tables import Base, BigId


class FxBankFeed(Base):
    """One bank feed file, stored before parsing: ``received`` → ``imported`` / ``refused``."""

    __tablename__ = "fx_bank_feeds"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    filename: Mapped[str | None] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    rows: Mapped[int | None] = mapped_column(Integer)
    created: Mapped[int | None] = mapped_column(Integer)  # transactions new with this file
    actor: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class FxTransaction(Base):
    """A receipt or payment a bank reported for a trader, in its currency and in USD."""

    __tablename__ = "fx_transactions"
    __table_args__ = (
        UniqueConstraint("bank", "reference"),
        Index("ix_fx_transactions_trader_date", "trader", "value_date"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("fx_bank_feeds.id"))
    line: Mapped[int] = mapped_column(Integer)
    bank: Mapped[str] = mapped_column(String(12))
    reference: Mapped[str] = mapped_column(String(35))
    trader: Mapped[str] = mapped_column(String(18))
    kind: Mapped[str] = mapped_column(String(8))  # receipt | payment
    value_date: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    amount_usd: Mapped[Decimal] = mapped_column(Numeric(20, 2))


class FxGoods(Base):
    """One version of a released declaration on the goods side, valued at its day's rate.

    ``current`` marks the newest version of each declaration (indicators read only those; a
    cancellation counts nothing). ``feed_batch_id`` is set when the row is sent to the FX
    authority, so no row is sent twice.
    """

    __tablename__ = "fx_goods"
    __table_args__ = (
        UniqueConstraint("declaration_id", "version", "kind"),
        Index("ix_fx_goods_trader_date", "trader", "declared_on"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), index=True)
    declaration_number: Mapped[str] = mapped_column(String(18))
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # original | correction | cancellation
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("fx_goods.id"))
    current: Mapped[bool] = mapped_column(Boolean)
    trader: Mapped[str] = mapped_column(String(35))
    flow: Mapped[str] = mapped_column(String(6))  # import | export
    office: Mapped[str] = mapped_column(String(8))
    declared_on: Mapped[date] = mapped_column(Date)
    items: Mapped[int] = mapped_column(Integer)
    value_cny: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    value_usd: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    feed_batch_id: Mapped[int | None] = mapped_column(ForeignKey("fx_feed_batches.id"))


class FxFeedBatch(Base):
    """A goods feed file sent to the FX authority, with its control record."""

    __tablename__ = "fx_feed_batches"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    record_count: Mapped[int] = mapped_column(Integer)
    originals: Mapped[int] = mapped_column(Integer)
    corrections: Mapped[int] = mapped_column(Integer)
    cancellations: Mapped[int] = mapped_column(Integer)
    cny_total: Mapped[Decimal] = mapped_column(Numeric(22, 2))
    usd_total: Mapped[Decimal] = mapped_column(Numeric(22, 2))
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class FxClass(Base):
    """One class notice of a trader (append-only): the newest row is the class in force."""

    __tablename__ = "fx_classes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    trader: Mapped[str] = mapped_column(String(35), index=True)
    grade: Mapped[str] = mapped_column(String(1))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    objection_deadline: Mapped[date | None] = mapped_column(Date)
    reasons: Mapped[str] = mapped_column(Text)  # JSON list of {code, text}
    indicators: Mapped[str] = mapped_column(Text)  # JSON: the figures the class came from
    policy_version: Mapped[str] = mapped_column(String(64))
    classified_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str | None] = mapped_column(String(64))


class FxObjection(Base):
    """A trader's objection to one of its B/C class notices, and the FX authority's ruling.

    ``pending`` → ``upheld`` (the class stands) or ``granted`` (``granted_grade``, lower than
    the notice's, and ``result_class_id``: the notice the ruling appended). One objection per
    notice (unique ``class_id``): a second one, pending or decided, is refused.
    """

    __tablename__ = "fx_objections"
    __table_args__ = (Index("ix_fx_objections_trader", "trader"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("fx_classes.id"), unique=True)
    trader: Mapped[str] = mapped_column(String(35))
    filed_by: Mapped[str] = mapped_column(String(64))
    filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    grounds: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8))  # pending | upheld | granted
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str | None] = mapped_column(Text)
    granted_grade: Mapped[str | None] = mapped_column(String(1))
    result_class_id: Mapped[int | None] = mapped_column(ForeignKey("fx_classes.id"), unique=True)
