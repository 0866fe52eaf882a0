"""Tables of the HTTP API's own bookkeeping: idempotency keys of submissions.

An ``Idempotency-Key`` is scoped to the subject that sent it: two subjects may use the same
key. The row is written ``in_flight`` before the submission is processed and completed with
the answer given, so a retry with the same key and body gets the same answer, a retry with
another body is refused, and a retry while the first is still running is told so.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clearance.store.tables import Base, BigId


class IdempotencyRecord(Base):
    """One (subject, key): the request's fingerprint and, once done, the answer given."""

    __tablename__ = "api_idempotency_keys"
    __table_args__ = (UniqueConstraint("subject", "key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(String(128))
    key: Mapped[str] = mapped_column(String(255))
    #: sha256 of what identifies the request (method, path, body): another body is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))  # in_flight | done
    status_code: Mapped[int | None] = mapped_column(Integer)
    media_type: Mapped[str | None] = mapped_column(String(128))
    #: Headers of the answer worth repeating (Location …) as a JSON object.
    headers: Mapped[str | None] = mapped_column(Text)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
