"""Webhooks (issues 12 and 15): the endpoints subjects register and the deliveries to them.

An endpoint belongs to one subject (``owner_subject``) and receives the events that subject
may see, as ``GET /v1/events`` shows them to it. Its signing secret is stored sealed
(AES-256-GCM, :mod:`clearance.webhooks.sealing`), never in clear: it was shown once, at
creation. ``event_cursor`` is the last event id already fanned out to it.

A delivery is one event for one endpoint (unique): the signed body is fixed when it is made,
so every retry carries the same ``webhook-id`` and bytes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from clearance.store.tables import Base, BigId


class WebhookEndpoint(Base):
    """A URL a subject asked the events it may see to be posted to."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    #: The id the owner sees and uses (random, so ids of others cannot be guessed).
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    owner_subject: Mapped[str] = mapped_column(String(128), index=True)
    #: The owner's role when it registered; ``operator`` for the local command line.
    owner_role: Mapped[str] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str | None] = mapped_column(String(200))
    #: JSON list of event kinds to send; empty: every kind.
    event_types: Mapped[str] = mapped_column(Text)
    #: The signing secret, sealed (``v1:`` + base64 of nonce and ciphertext).
    secret_sealed: Mapped[str] = mapped_column(Text)
    #: ``active`` or ``disabled`` (with ``disabled_reason``).
    status: Mapped[str] = mapped_column(String(16))
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    secret_rotated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: The last event id considered for this endpoint (fan-out resumes after it).
    event_cursor: Mapped[int] = mapped_column(BigInteger)


class WebhookDelivery(Base):
    """One event posted (or to be posted) to one endpoint, with its attempts so far."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    #: The ``webhook-id`` header: the same on every attempt, so receivers can drop repeats.
    message_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(32))
    #: The JSON body, fixed at fan-out (what is signed on every attempt).
    payload: Mapped[str] = mapped_column(Text)
    #: ``pending`` (due at ``next_attempt_at``), ``delivered``, ``failed`` (gave up) or
    #: ``cancelled`` (the endpoint was disabled before it went out).
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
