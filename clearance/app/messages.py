"""Submitting interchanges and handling the stored messages: submit, retry, list."""

from __future__ import annotations

from dataclasses import dataclass

from clearance.app.access import Permission, require, require_sender, visible_message
from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.errors import ConflictError
from clearance.app.queries import list_messages as _list_messages
from clearance.app.views import MessageSummary
from clearance.flow.outcome import SubmissionOutcome
from clearance.intake.claims import NotRetryableError, stuck_cutoff


@dataclass(frozen=True, slots=True)
class Interchange:
    """One received file: its bytes, where it came from, and who claims to send it."""

    content: bytes
    filename: str | None = None
    #: The sender id to file it under instead of the envelope's own (the operator only).
    sender: str | None = None
    channel: str = "file"


def submit(app: Application, actor: Actor, interchange: Interchange) -> SubmissionOutcome:
    """Store the raw bytes, then process them in one unit of work; the outcome per file.

    Raises :class:`clearance.intake.pipeline.ProcessingError` (the message kept, ``failed``,
    retryable) only for unexpected failures; bad input is an outcome, not an exception.
    """
    require(actor, Permission.SUBMIT)
    if interchange.sender is not None:
        require_sender(actor, interchange.sender)
    with app.guard():
        return app.pipeline.submit(
            interchange.content,
            sender=interchange.sender,
            filename=interchange.filename,
            channel=interchange.channel,
        )


def retry(app: Application, actor: Actor, message_id: int) -> SubmissionOutcome:
    """Process a stored message that failed, or is stuck ``received``, again from its raw bytes.

    Of several retries of one message at once exactly one processes it; the others get
    :class:`ConflictError` (being processed, or processed already), as does a message that
    is neither failed nor stuck.
    """
    require(actor, Permission.SUBMIT)
    with app.read() as session:
        visible_message(session, actor, message_id)
    with app.guard():
        try:
            return app.pipeline.retry(message_id)
        except NotRetryableError as exc:
            raise ConflictError(exc.message) from None


def list_messages(app: Application, actor: Actor, *, limit: int = 100) -> list[MessageSummary]:
    """The newest received messages ``actor`` may see, without their raw bytes."""
    require(actor, Permission.READ)
    with app.read() as session:
        return _list_messages(session, actor, limit=limit)


def list_stuck(app: Application, actor: Actor, *, limit: int = 100) -> list[MessageSummary]:
    """Messages ``actor`` may see that are still ``received`` long after they arrived
    (``CUSTOMS_STUCK_AFTER_SECONDS``): their processing died; ``retry`` takes them."""
    require(actor, Permission.READ)
    before = stuck_cutoff(app.clock.now(), app.settings)
    with app.read() as session:
        return _list_messages(session, actor, limit=limit, stuck_before=before)
