"""Idempotency keys: the same request sent again gets the same answer, once.

A front door that honours ``Idempotency-Key`` calls :func:`begin` before doing the work and
:func:`complete` (or :func:`abandon` on an unexpected failure) after it. Keys belong to the
subject that sent them. This sits on top of the intake's own duplicate detection (sender,
control reference, content): that one protects the store from a resent interchange whatever
door it came through; this one gives an HTTP client back the exact answer it missed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.errors import ConflictError, RefusedError
from clearance.store.api_tables import IdempotencyRecord

#: The longest key accepted (the column's width).
MAX_KEY_LENGTH = 255


class KeyReusedError(RefusedError):
    """The key was used before for a different request."""

    code = "idempotency_key_reused"


class KeyInFlightError(ConflictError):
    """The first request with this key is still being processed."""

    code = "idempotency_key_in_flight"


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """An answer as it was given: status, media type, the headers worth repeating, body."""

    status_code: int
    media_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def begin(app: Application, actor: Actor, key: str, fingerprint: str) -> StoredAnswer | None:
    """Claim ``key`` for a request with this ``fingerprint``; the earlier answer if it has one.

    None: the caller does the work now and then calls :func:`complete`. Refused
    (:class:`KeyReusedError`) when the key came with another request before;
    :class:`KeyInFlightError` while that request is still being processed.
    """
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        raise RefusedError(f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable characters")
    try:
        with app.unit() as session:
            session.add(
                IdempotencyRecord(
                    subject=actor.subject,
                    key=key,
                    fingerprint=fingerprint,
                    state="in_flight",
                    created_at=app.clock.now(),
                )
            )
        return None
    except IntegrityError:
        pass  # the key exists: what became of its request decides the answer
    with app.read() as session:
        row = _row(session, actor, key)
        if row is None:  # abandoned between our insert and this read: the caller may retry
            raise KeyInFlightError(f"a request with Idempotency-Key {key!r} is being processed")
        if row.fingerprint != fingerprint:
            raise KeyReusedError(
                f"Idempotency-Key {key!r} was used for a different request; use a new key"
            )
        if row.state != "done" or row.status_code is None or row.body is None:
            raise KeyInFlightError(f"a request with Idempotency-Key {key!r} is being processed")
        return StoredAnswer(
            status_code=row.status_code,
            media_type=row.media_type or "application/octet-stream",
            body=row.body,
            headers=json.loads(row.headers or "{}"),
        )


def complete(app: Application, actor: Actor, key: str, answer: StoredAnswer) -> None:
    """Record the answer given to the request that claimed ``key``."""
    with app.unit() as session:
        row = _row(session, actor, key)
        if row is None:
            return
        row.state = "done"
        row.status_code = answer.status_code
        row.media_type = answer.media_type
        row.headers = json.dumps(answer.headers, sort_keys=True)
        row.body = answer.body
        row.completed_at = app.clock.now()


def abandon(app: Application, actor: Actor, key: str) -> None:
    """Forget an in-flight ``key`` whose request failed unexpectedly, so it may be retried."""
    with app.unit() as session:
        session.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.subject == actor.subject,
                IdempotencyRecord.key == key,
                IdempotencyRecord.state == "in_flight",
            )
        )


def _row(session: Session, actor: Actor, key: str) -> IdempotencyRecord | None:
    return session.scalars(
        select(IdempotencyRecord).where(
            IdempotencyRecord.subject == actor.subject, IdempotencyRecord.key == key
        )
    ).one_or_none()
