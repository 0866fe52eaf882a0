"""The customs-offices registry (issue 12): the offices declarations and officers name.

An office code is 关区代码 (4 digits) in China and an 8-character office reference
(``GB000051``) for the EU/UK-style declarations. The registry is reference data: loading a
file replaces each office it names by code; declarations and officers' offices are checked
against it (docs/offices.md).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from clearance.store.tables import Base


class CustomsOffice(Base):
    """One customs office, valid from a date and, once closed, until one."""

    __tablename__ = "customs_offices"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))  # English
    name_zh: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
