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

from sqlalchemy import bindparam, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, defer

from clearance.store.tables import InboundMessage
from core.clock import as_utc
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


__all__ = [
    "NotRetryableError",
    "UnknownMessageError",
    "claim",
    "is_stuck",
    "refuse_unless_retryable",
    "stuck_cutoff",
]
