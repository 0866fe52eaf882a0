"""Identity: subjects, their party ids and offices, API keys, brokers' mandates.

A subject is whoever calls the service: a trader, a broker, an officer, an agency, a
statistician or an admin. Secrets are never stored: an API key only as the sha256 of the
whole key (it is high-entropy, so a fast hash is enough), a password only as an argon2id hash.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clearance.store.tables import Base, BigId


class Subject(Base):
    """One caller of the service, with the role its permissions follow from."""

    __tablename__ = "subjects"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    #: argon2id hash (PHC string) for people who sign in with a password; None: no password.
    password_hash: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: Console sessions signed in before this instant are refused (set when the subject signs
    #: out or its password changes); None: none has been ended.
    sessions_valid_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SubjectParty(Base):
    """A party id (USCC, EORI, customs code) a subject is: a trader's own, an agency's own."""

    __tablename__ = "subject_parties"
    __table_args__ = (UniqueConstraint("subject_id", "party_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subject_id: Mapped[str] = mapped_column(ForeignKey("subjects.id"), index=True)
    scheme: Mapped[str] = mapped_column(String(16))
    party_id: Mapped[str] = mapped_column(String(70), index=True)


class SubjectOffice(Base):
    """A customs office an officer works for."""

    __tablename__ = "subject_offices"
    __table_args__ = (UniqueConstraint("subject_id", "office"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subject_id: Mapped[str] = mapped_column(ForeignKey("subjects.id"), index=True)
    office: Mapped[str] = mapped_column(String(8))


class ApiKey(Base):
    """An API key: ``gck_<key_id>_<secret>``; only the sha256 of the whole key is kept."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    #: The public part of the key, to find its row without comparing secrets.
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    subject_id: Mapped[str] = mapped_column(ForeignKey("subjects.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: The permissions the key is limited to, space-separated as an OAuth ``scope`` (e.g.
    #: ``read quote``); null: unscoped, every permission of the subject's role (migration 0028).
    scopes: Mapped[str | None] = mapped_column(String(500))


class Mandate(Base):
    """A trader's mandate to a broker to declare on its behalf, dated and revocable."""

    __tablename__ = "mandates"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    broker_id: Mapped[str] = mapped_column(ForeignKey("subjects.id"), index=True)
    trader_party_id: Mapped[str] = mapped_column(String(70), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    granted_by: Mapped[str] = mapped_column(String(64))
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
