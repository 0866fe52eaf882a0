"""The tables of trade statistics: facts per released item, their revisions, publications.

``stat_facts`` holds one row per goods item of a released declaration, as it is counted now;
``stat_revisions`` keeps every change made to a fact after it was first counted (an amendment
or an invalidation after release), so that a published figure that changes can be flagged.
``stat_state`` holds the cursors of the incremental refresh, ``stat_snapshots`` the columnar
copy the aggregates are computed from (docs/statistics.md).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from clearance.store.tables import Base, BigId


class StatFact(Base):
    """One statistical record: a goods item of a released declaration, as counted now."""

    __tablename__ = "stat_facts"
    __table_args__ = (
        UniqueConstraint("declaration_number", "item_sequence"),
        Index("ix_stat_facts_seq", "seq"),
        Index("ix_stat_facts_trader", "trader"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    declaration_number: Mapped[str] = mapped_column(String(18))
    item_sequence: Mapped[int] = mapped_column(Integer)
    flow: Mapped[str] = mapped_column(String(1))  # M import, X export (UN Comtrade)
    stat_date: Mapped[date] = mapped_column(Date)
    period: Mapped[int] = mapped_column(Integer)  # YYYYMM of stat_date
    hs: Mapped[str] = mapped_column(String(10))  # the national code as declared (6–10 digits)
    partner: Mapped[str] = mapped_column(String(2))  # origin (M) / final destination (X)
    consignment: Mapped[str] = mapped_column(String(2))  # consignment (M) / arrival (X)
    trade_mode: Mapped[str] = mapped_column(String(4))
    office: Mapped[str] = mapped_column(String(8))
    transport_mode: Mapped[str] = mapped_column(String(1))
    trader: Mapped[str] = mapped_column(String(35))
    region: Mapped[str] = mapped_column(String(6))
    value_cny: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    value_usd: Mapped[Decimal | None] = mapped_column(Numeric(20, 2))
    quantity1: Mapped[Decimal | None] = mapped_column(Numeric(20, 3))
    unit1: Mapped[str | None] = mapped_column(String(8))
    quantity2: Mapped[Decimal | None] = mapped_column(Numeric(20, 3))
    unit2: Mapped[str | None] = mapped_column(String(8))
    net_mass: Mapped[Decimal | None] = mapped_column(Numeric(20, 3))
    counted: Mapped[bool] = mapped_column(Boolean)  # False: withdrawn (invalidated after release)
    revision: Mapped[int] = mapped_column(Integer)  # 0 as first counted, +1 per change
    source_event_id: Mapped[int] = mapped_column(BigInteger)  # 0 for generated facts
    seq: Mapped[int] = mapped_column(BigInteger)  # change sequence (stat_state "fact-seq")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StatRevision(Base):
    """A change to a counted fact: what it was, what it became, and the event that did it."""

    __tablename__ = "stat_revisions"
    __table_args__ = (Index("ix_stat_revisions_period", "period"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    fact_id: Mapped[int] = mapped_column(BigInteger, index=True)
    declaration_number: Mapped[str] = mapped_column(String(18))
    item_sequence: Mapped[int] = mapped_column(Integer)
    period: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(32))  # the event kind: amended, invalidated
    event_id: Mapped[int] = mapped_column(BigInteger)
    seq: Mapped[int] = mapped_column(BigInteger)
    value_cny_before: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    value_cny_after: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StatState(Base):
    """Named counters of the statistics: the event cursor, the fact change sequence."""

    __tablename__ = "stat_state"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class StatPublication(Base):
    """A period's figures published (first, later, final): what they were based on."""

    __tablename__ = "stat_publications"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    period: Mapped[int] = mapped_column(Integer, index=True)
    seq: Mapped[int] = mapped_column(BigInteger)  # the fact sequence the figures included
    final: Mapped[bool] = mapped_column(Boolean)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(64))


class StatSnapshot(Base):
    """The columnar copy of the facts up to ``seq``: numpy arrays in .npz blobs, one per
    ``part`` (a run of facts in id order; part 0 also holds the label lists), so that no blob
    comes near PostgreSQL's 1 GB limit on a value at ten million facts (migration 0018)."""

    __tablename__ = "stat_snapshots"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    part: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    rows: Mapped[int] = mapped_column(BigInteger)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
