"""The tables of the store (SQLAlchemy 2.0 typed mappings).

Raw bytes are kept exactly as received; the canonical declaration is kept as JSON beside the
columns that queries need. Every schema change is an Alembic migration under
``clearance/store/migrations``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
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
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """Declarative base of every table."""


class InboundMessage(Base):
    """Everything a sender ever sent, stored before parsing."""

    __tablename__ = "inbound_messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    sender: Mapped[str] = mapped_column(String(35))
    channel: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str | None] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    format: Mapped[str | None] = mapped_column(String(16))
    message_type: Mapped[str | None] = mapped_column(String(16))
    control_reference: Mapped[str | None] = mapped_column(String(35))
    status: Mapped[str] = mapped_column(String(16), index=True)
    error: Mapped[str | None] = mapped_column(Text)
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"))
    #: The subject that sent it (issue 12); None: the local operator, or before 0009.
    submitted_by: Mapped[str | None] = mapped_column(String(64))
    #: The sending party's other identifier (0026): a DecMessage declarant is filed under its
    #: USCC and known by its customs code too; a subject acting as either sees the message.
    sender_alias: Mapped[str | None] = mapped_column(String(35))


class InterchangeKey(Base):
    """One row per (sender, interchange control reference): the dedupe key.

    The unique constraint is what makes a resend safe also when two workers take the same
    interchange at the same moment: the second insert fails and is answered as a duplicate.
    """

    __tablename__ = "interchange_keys"
    __table_args__ = (UniqueConstraint("sender", "control_reference"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    sender: Mapped[str] = mapped_column(String(35))
    control_reference: Mapped[str] = mapped_column(String(35))
    sha256: Mapped[str] = mapped_column(String(64))
    #: Indexed (0019): an interchange rejected as a whole deletes its key by it.
    inbound_message_id: Mapped[int] = mapped_column(ForeignKey("inbound_messages.id"), index=True)


class Declaration(Base):
    """A registered declaration; its content history lives in ``declaration_versions``."""

    __tablename__ = "declarations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(18), unique=True)
    sender: Mapped[str] = mapped_column(String(35), index=True)
    sender_reference: Mapped[str] = mapped_column(String(35))
    message_reference: Mapped[str] = mapped_column(String(70))  # UNH 0062, LRN, ClientSeqNo
    #: Indexed (0019): a resend's answer and a submission's page look declarations up by it.
    inbound_message_id: Mapped[int] = mapped_column(ForeignKey("inbound_messages.id"), index=True)
    direction: Mapped[str] = mapped_column(String(6))
    office: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(24), index=True)
    lane: Mapped[str | None] = mapped_column(String(8))
    decision: Mapped[str | None] = mapped_column(String(24))
    accepted_on: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)
    canonical: Mapped[str] = mapped_column(Text)
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: Ownership (issue 12): the trader it is for (domestic consignee's or consignor's USCC,
    #: else EORI) and the subject that sent it; None before 0009 (visible by sender only).
    trader_id: Mapped[str | None] = mapped_column(String(35), index=True)
    submitted_by: Mapped[str | None] = mapped_column(String(64))
    #: The sender's other identifier, as on its message (0026): a subject acting as it sees,
    #: amends and cancels the declaration as the sender.
    sender_alias: Mapped[str | None] = mapped_column(String(35), index=True)


class DeclarationVersion(Base):
    """Every content version of a declaration (original, amendments, cancellation)."""

    __tablename__ = "declaration_versions"
    __table_args__ = (UniqueConstraint("declaration_id", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"))
    version: Mapped[int] = mapped_column(Integer)
    function: Mapped[str] = mapped_column(String(16))
    canonical: Mapped[str] = mapped_column(Text)
    inbound_message_id: Mapped[int] = mapped_column(ForeignKey("inbound_messages.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeclarationItem(Base):
    """The current goods items of a declaration, in columns for queries and statistics."""

    __tablename__ = "declaration_items"
    __table_args__ = (UniqueConstraint("declaration_id", "sequence"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"))
    sequence: Mapped[int] = mapped_column(Integer)
    commodity_code: Mapped[str] = mapped_column(String(10), index=True)
    origin_country: Mapped[str | None] = mapped_column(String(2))
    destination_country: Mapped[str | None] = mapped_column(String(2))
    value: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    currency: Mapped[str | None] = mapped_column(String(3))


class OutboundMessage(Base):
    """Every answer we produced (CONTRL, CUSRES …), stored before it is delivered."""

    __tablename__ = "outbound_messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    inbound_message_id: Mapped[int] = mapped_column(ForeignKey("inbound_messages.id"), index=True)
    #: Indexed (0019): a declaration's answers are read by it.
    declaration_id: Mapped[int | None] = mapped_column(ForeignKey("declarations.id"), index=True)
    message_reference: Mapped[str | None] = mapped_column(String(70))
    format: Mapped[str] = mapped_column(String(16))
    message_type: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(35))
    control_reference: Mapped[str] = mapped_column(String(35))
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Event(Base):
    """The append-only lifecycle log; ``id`` is the cursor followers page by."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_declaration", "declaration_number"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(32))
    #: Indexed (0019): a rejected submission's refusal code is its latest event by message.
    inbound_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("inbound_messages.id"), index=True
    )
    declaration_number: Mapped[str | None] = mapped_column(String(18))
    data: Mapped[str] = mapped_column(Text)


class NumberSequence(Base):
    """The last sequence used per (office, year, direction) for declaration numbers."""

    __tablename__ = "number_sequences"

    office: Mapped[str] = mapped_column(String(4), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    direction_digit: Mapped[str] = mapped_column(String(1), primary_key=True)
    last_value: Mapped[int] = mapped_column(BigInteger)


class ControlReferenceCounter(Base):
    """Our own interchange control references for outbound interchanges (UNB 0020)."""

    __tablename__ = "control_reference_counters"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_value: Mapped[int] = mapped_column(BigInteger)
