"""Who may process a stored message, and when: the claim under a row lock, stuck messages.

A message is processed by exactly one unit of work. The unit of work that processes it first
locks its ``inbound_messages`` row (``SELECT … FOR UPDATE``; SQLite's single writer lock does
the same there) and checks, under that lock, that the message is still in a state that may be
processed: ``received`` for a fresh submission, ``failed`` or stuck ``received`` for a retry.
Three operators retrying the same message at once therefore process it once; the others are
told it is being processed, or that it already was.

A message is *stuck* when it is still ``received`` ``stuck_after_seconds`` after it arrived: the
process that took it died (``kill -9``, a machine lost) and its unit of work was rolled back,
so nothing of it was written. It can be retried like a failed one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, defer, make_transient_to_detached

from clearance.store.tables import InboundMessage
from core.clock import as_utc
from core.db import DriverStatement
from core.errors import CustomsError
from core.settings import Settings

RECEIVED = "received"
FAILED = "failed"
#: PostgreSQL's SQLSTATE for "could not obtain lock" (``FOR UPDATE NOWAIT``).
_LOCK_NOT_AVAILABLE = "55P03"


class NotRetryableError(CustomsError):
    """The message may not be processed now: it is being processed, or already was."""

    code = "not_retryable"


class UnknownMessageError(CustomsError):
    """No stored message has this id."""

    code = "unknown_message"


def stuck_cutoff(now: datetime, settings: Settings) -> datetime:
    """Messages received before this instant and still ``received`` are stuck."""
    return now - timedelta(seconds=settings.stuck_after_seconds)


def is_stuck(inbound: InboundMessage, now: datetime, settings: Settings) -> bool:
    """Is ``inbound`` still ``received`` long after it arrived (its processing died)?"""
    return inbound.status == RECEIVED and as_utc(inbound.received_at) <= stuck_cutoff(now, settings)


def refuse_unless_retryable(inbound: InboundMessage, now: datetime, settings: Settings) -> None:
    """Raise :class:`NotRetryableError` unless ``inbound`` is failed or stuck."""
    if inbound.status == FAILED or is_stuck(inbound, now, settings):
        return
    seconds = settings.stuck_after_seconds
    if inbound.status == RECEIVED:
        raise NotRetryableError(
            f"message {inbound.id} is received and may still be being processed; only failed "
            f"messages are retried, and received ones after {seconds} s "
            "(CUSTOMS_STUCK_AFTER_SECONDS)"
        )
    # A processed message would only be answered as a duplicate of itself.
    raise NotRetryableError(
        f"message {inbound.id} is {inbound.status}; only failed messages are retried, and "
        f"received ones stuck for {seconds} s (CUSTOMS_STUCK_AFTER_SECONDS)"
    )


def claim(
    session: Session,
    message_id: int,
    now: datetime,
    settings: Settings,
    *,
    retrying: bool,
) -> InboundMessage:
    """Lock message ``message_id`` for this unit of work and check it may be processed.

    A retry does not wait for a lock another worker holds (``NOWAIT``): that worker is
    processing the message right now, which is what the retry wanted.
    """
    try:
        inbound = _on_sqlite(session, message_id)
        if inbound is _ORM:
            inbound = session.scalars(_CLAIMS[retrying], {"message_id": message_id}).one_or_none()
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
            raise NotRetryableError(
                f"message {message_id} is being processed right now by another worker"
            ) from None
        raise
    if inbound is None:
        raise UnknownMessageError(f"no message {message_id}")
    if retrying:
        refuse_unless_retryable(inbound, now, settings)
    elif inbound.status != RECEIVED:
        raise NotRetryableError(f"message {message_id} is {inbound.status} already")
    return inbound


#: The claim's SELECT, built once per kind (building and cache-keying it, with its options,
#: cost more than running it: once per interchange). True: a retry's, ``NOWAIT``.
_CLAIMS = {
    retrying: select(InboundMessage)
    .where(InboundMessage.id == bindparam("message_id"))
    .with_for_update(nowait=retrying)
    .execution_options(populate_existing=True)
    .options(defer(InboundMessage.raw))  # the caller has the bytes: not read again
    for retrying in (False, True)
}


#: :func:`_on_sqlite` could not take the message: the ORM's SELECT does.
_ORM: Any = object()
_TABLE = cast(Table, InboundMessage.__table__)
#: Every column the claim loads (``raw`` is deferred: the caller has the bytes).
_LOADED = tuple(column for column in _TABLE.c if column.name != "raw")
#: SQLite's read of the claimed row, on the driver with the columns' result processors.
_SQLITE = DriverStatement(select(*_LOADED).where(_TABLE.c.id == bindparam("message_id")))


def _on_sqlite(session: Session, message_id: int) -> InboundMessage | Any | None:
    """SQLite: the message as the claim's ORM SELECT would load it, read on the driver.

    The ORM's SELECT of one row cost about 0.2 ms of CPU, once per interchange, mostly in
    the ORM's execution and loading (ADR 0006, stop 25). SQLite has no row locks (the unit's
    ``BEGIN IMMEDIATE`` holds the write lock), so the row is read with the driver's SQL, its
    values converted by the same result processors (:class:`core.db.DriverStatement`), and
    the object is put into the session as loaded: unchanged attributes, ``raw`` left unloaded
    (read on access, as deferred). Anywhere else, or when the session already holds objects
    (the ORM's ``populate_existing`` then matters), :data:`_ORM`.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite" or session.identity_map:
        return _ORM
    rows = _SQLITE.rows(connection, message_id=message_id)
    if not rows:
        return None
    values = {column.key: value for column, value in zip(_LOADED, rows[0], strict=True)}
    inbound = InboundMessage(**values)
    make_transient_to_detached(inbound)  # as loaded: no changes pending, raw unloaded
    session.add(inbound)
    return inbound


__all__ = [
    "NotRetryableError",
    "UnknownMessageError",
    "claim",
    "is_stuck",
    "refuse_unless_retryable",
    "stuck_cutoff",
]
