"""Tables of statistical confidentiality: traders' requests and the tables already published.

``stat_confidentiality_requests`` holds a trader's request that its figures be kept
confidential (filed by the trader for its own party, reviewed by a statistics manager); an
accepted request makes every cell the trader contributes to confidential in protection.

``stat_published_tables`` and ``stat_published_cells`` record each protected table released
to the public, cell by cell with its suppression: a later table sharing margins with it is
protected together with it, so that no confidential cell can be worked out by combining the
two (docs/statistics.md, "Linked tables").
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Boolean, DateTime, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clearance.store.tables import Base, BigId


class StatConfidentialityRequest(Base):
    """A trader's request that its figures be confidential, and how it was reviewed."""

    __tablename__ = "stat_confidentiality_requests"
    __table_args__ = (Index("ix_stat_conf_requests_party_status", "party", "status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    party: Mapped[str] = mapped_column(String(35))  # the trader (USCC) the request protects
    filed_by: Mapped[str] = mapped_column(String(64))  # the subject that filed it
    reason: Mapped[str] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(10))  # pending, accepted, rejected
    filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    review_note: Mapped[str | None] = mapped_column(String(1000))


class StatPublishedTable(Base):
    """A protected table released to the public: its query and the figures it was built on."""

    __tablename__ = "stat_published_tables"
    __table_args__ = (Index("ix_stat_published_tables_frame", "frame"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    #: What the cells are a partition of: flow, period range and filters (canonical JSON).
    frame: Mapped[str] = mapped_column(String(500))
    row_axis: Mapped[str] = mapped_column(String(16))
    column_axis: Mapped[str | None] = mapped_column(String(16))
    seq: Mapped[int] = mapped_column(BigInteger)  # the fact sequence the figures included
    cells: Mapped[int] = mapped_column(Integer)
    #: The table's additive lines over cell positions, JSON: [[total, [member, …]], …].
    lines: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(64))


class StatPublishedCell(Base):
    """One cell of a published table (value in CNY cents; suppressed cells keep theirs too)."""

    __tablename__ = "stat_published_cells"

    table_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)  # row-major, margins too
    row: Mapped[str] = mapped_column(String(40))
    column: Mapped[str] = mapped_column(String(40))
    value_cents: Mapped[Decimal] = mapped_column(Numeric(22, 0))
    suppressed: Mapped[bool] = mapped_column(Boolean)
    confidential: Mapped[bool] = mapped_column(Boolean)  # failed a primary rule (or a request)
