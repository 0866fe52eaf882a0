"""Officer work: who holds a flagged declaration, documents asked for and presented,
examinations recorded.

A claim is one row per declaration (the unique key is what stops two holders even if a row
lock were forgotten); its history is in the event log (``claimed``, ``unclaimed``,
``claim_reassigned``). Presented documents keep their bytes exactly as received, with size and
sha256.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clearance.store.tables import Base, BigId


class OfficerClaim(Base):
    """The officer who holds a flagged declaration now (no row: nobody)."""

    __tablename__ = "officer_claims"

    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), primary_key=True)
    declaration_number: Mapped[str] = mapped_column(String(18), unique=True)
    officer: Mapped[str] = mapped_column(String(64), index=True)
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DocumentRequest(Base):
    """An officer's request for documents from the trader: which, why, by when."""

    __tablename__ = "document_requests"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), index=True)
    declaration_version: Mapped[int] = mapped_column(Integer)
    documents: Mapped[str] = mapped_column(Text)  # JSON list of the documents asked for
    reason: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))  # open | answered
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PresentedDocument(Base):
    """One file a trader presented in answer to a request, stored as received."""

    __tablename__ = "presented_documents"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("document_requests.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    presented_by: Mapped[str] = mapped_column(String(64))
    presented_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Examination(Base):
    """The result of a documentary or physical examination, recorded by the claiming officer."""

    __tablename__ = "examinations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), index=True)
    declaration_version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # physical | documentary
    outcome: Mapped[str] = mapped_column(String(24))
    findings: Mapped[str] = mapped_column(Text)
    containers: Mapped[str] = mapped_column(Text)  # JSON list of ISO 6346 numbers
    seals: Mapped[str] = mapped_column(Text)  # JSON list of seal numbers
    officer: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
