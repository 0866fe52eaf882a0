"""Submitting interchanges and handling the stored messages: submit, retry, list."""

from __future__ import annotations

from dataclasses import dataclass

from clearance.app.access import Permission, require, require_sender, visible_message
from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.errors import ConflictError, StoreUnavailableError
from clearance.app.monitoring import store_fault_seen
from clearance.app.queries import list_messages as _list_messages
from clearance.app.tenant_scope import tenant_read
from clearance.app.views import MessageSummary
from clearance.flow.outcome import SubmissionOutcome
from clearance.intake.claims import NotRetryableError, stuck_cutoff


@dataclass(frozen=True, slots=True)
class Interchange:
    """One received file: its bytes, where it came from, and who claims to send it."""

    content: bytes
    filename: str | None = None
    #: The sender id to file it under instead of the envelope's own. The operator may name
    #: anyone; a subject only a party id it acts as, and the envelope's own sender must be
    #: one too (:mod:`clearance.flow.senders`).
    sender: str | None = None
    channel: str = "file"


def submit(app: Application, actor: Actor, interchange: Interchange) -> SubmissionOutcome:
    """Store the raw bytes, then process them in one unit of work; the outcome per file.

    An interchange whose envelope names a sender ``actor`` may not act as is rejected with
    a ``sender`` error (kept, never registered). Raises
    :class:`clearance.intake.pipeline.ProcessingError` (the message kept, ``failed``,
    retryable) only for unexpected failures; bad input is an outcome, not an exception.
    """
    require_submit(actor, interchange)
    try:
        with app.guard():
            return app.pipeline.submit(
                interchange.content,
                sender=interchange.sender,
                filename=interchange.filename,
                channel=interchange.channel,
                submitted_by=submitter_of(actor),
                senders=senders_of(actor),
            )
    except StoreUnavailableError as exc:
        # Nothing registered; the raw bytes, if stored, stay ``received`` (retryable once
        # stuck, queued again by a worker's sweep on PostgreSQL).
        store_fault_seen(exc, "intake")
        raise


def require_submit(actor: Actor, interchange: Interchange) -> None:
    """Refuse (:class:`NotPermittedError`) unless ``actor`` may submit ``interchange``: the
    permission, and the sender it names instead of the envelope's, if any. Every intake use
    case asks this before storing anything."""
    require(actor, Permission.SUBMIT)
    if interchange.sender is not None:
        require_sender(actor, interchange.sender)


def submitter_of(actor: Actor) -> str | None:
    """The subject stored as a message's submitter (None: the local operator)."""
    return None if actor.sees_everything else actor.subject


def retry(app: Application, actor: Actor, message_id: int) -> SubmissionOutcome:
    """Process a stored message that failed, or is stuck ``received``, again from its raw bytes.

    Of several retries of one message at once exactly one processes it; the others get
    :class:`ConflictError` (being processed, or processed already), as does a message that
    is neither failed nor stuck. A trader or broker retries the messages it may see; the admin
    (the service's operator) any sender's.
    """
    require(actor, Permission.RETRY)
    with app.read() as session:
        visible_message(session, actor, message_id)
    with app.guard():
        try:
            return app.pipeline.retry(message_id, senders_of(actor))
        except NotRetryableError as exc:
            raise ConflictError(exc.message) from None


def senders_of(actor: Actor) -> frozenset[str] | None:
    """The senders ``actor`` may file interchanges as (None: anyone, the operator)."""
    return None if actor.sees_everything else actor.party_ids


def list_messages(app: Application, actor: Actor, *, limit: int = 100) -> list[MessageSummary]:
    """The newest received messages ``actor`` may see, without their raw bytes."""
    require(actor, Permission.READ)
    with tenant_read(app, actor) as session:
        return _list_messages(session, actor, limit=limit)


def list_stuck(app: Application, actor: Actor, *, limit: int = 100) -> list[MessageSummary]:
    """Messages ``actor`` may see that are still ``received`` long after they arrived
    (``CUSTOMS_STUCK_AFTER_SECONDS``): their processing died; ``retry`` takes them."""
    require(actor, Permission.READ)
    before = stuck_cutoff(app.clock.now(), app.settings)
    with tenant_read(app, actor) as session:
        return _list_messages(session, actor, limit=limit, stuck_before=before)
