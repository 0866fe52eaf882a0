"""Tariff schedule versions and the stored assessments (per declaration, item and line)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, DateTime, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clearance.store.tables import Base, BigId


class TariffSchedule(Base):
    """A loaded schedule file: every load of new content is a new version, kept for good."""

    __tablename__ = "tariff_schedules"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    version_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(256))
    regime: Mapped[str | None] = mapped_column(String(16))
    published: Mapped[date] = mapped_column(Date)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeclarationAssessmentRow(Base):
    """The assessment of one version of a declaration, with the schedule it used."""

    __tablename__ = "declaration_assessments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), index=True)
    declaration_version: Mapped[int] = mapped_column(Integer)
    schedule_version_id: Mapped[str] = mapped_column(String(64))
    regime: Mapped[str] = mapped_column(String(16))
    as_of: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    total_assessed: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    total_payable: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    complete: Mapped[bool]
    result: Mapped[str] = mapped_column(Text)  # the whole assessment as JSON
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AssessmentLine(Base):
    """One duty or tax line of one item (what CUSRES TAX/MOA and statistics read)."""

    __tablename__ = "assessment_lines"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("declaration_assessments.id"), index=True)
    item_sequence: Mapped[int] = mapped_column(Integer)
    tax: Mapped[str] = mapped_column(String(32))
    measure_type: Mapped[str] = mapped_column(String(32))
    measure_id: Mapped[str] = mapped_column(String(64))
    expression: Mapped[str] = mapped_column(String(256))
    base: Mapped[Decimal] = mapped_column(Numeric(20, 4))
    amount: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    currency: Mapped[str] = mapped_column(String(3))
