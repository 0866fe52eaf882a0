"""One received message as its sender follows it: what became of it, and the files themselves.

The portal shows a message after an upload (its status, the declarations it carried, the answers
we sent) and lets its sender download the raw bytes and each answer; an officer may download
those of a declaration of its offices. Who may see what is :mod:`.access`'s
(``raw_messages_visible``, ``answers_visible``); anything else is ``NotFoundError``.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from clearance.app.access import (
    Permission,
    answers_visible,
    declarations_visible,
    require,
    visible_raw_message,
)
from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.documents import Document
from clearance.app.errors import NotFoundError
from clearance.app.views import View
from clearance.store.raw_archive import raw_content
from clearance.store.tables import Declaration, InboundMessage, OutboundMessage
from core.clock import as_utc

#: File name extension of an answer, by its format.
_EXTENSIONS = {"edifact": "edi", "x12": "x12", "xml": "xml", "json": "json"}


class AnswerFile(View):
    """One answer we sent, without its content."""

    answer_id: int
    message_type: str
    format: str
    control_reference: str
    declaration_number: str | None
    created_at: str


class MessageFiles(View):
    """A received message: what it is, what became of it, and the answers to it."""

    message_id: int
    received_at: str
    sender: str
    channel: str
    filename: str | None
    format: str | None
    message_type: str | None
    control_reference: str | None
    size: int
    status: str
    error: str | None
    duplicate_of: int | None
    declarations: list[str]  # numbers registered from it that the actor may see
    answers: list[AnswerFile]


def show(app: Application, actor: Actor, message_id: int) -> MessageFiles:
    """Message ``message_id`` with its declarations and answers (``NotFoundError`` otherwise)."""
    require(actor, Permission.READ)
    with app.read() as session:
        message = _message(session, actor, message_id)
        numbers = session.scalars(
            select(Declaration.number)
            .where(Declaration.inbound_message_id == message_id, declarations_visible(actor))
            .order_by(Declaration.id)
        ).all()
        rows = session.execute(
            select(OutboundMessage, Declaration.number)
            .outerjoin(Declaration, Declaration.id == OutboundMessage.declaration_id)
            .where(OutboundMessage.inbound_message_id == message_id, answers_visible(actor))
            .order_by(OutboundMessage.id)
        ).all()
        return MessageFiles(
            message_id=message.id,
            received_at=as_utc(message.received_at).isoformat(),
            sender=message.sender,
            channel=message.channel,
            filename=message.filename,
            format=message.format,
            message_type=message.message_type,
            control_reference=message.control_reference,
            size=message.size,
            status=message.status,
            error=message.error,
            duplicate_of=message.duplicate_of,
            declarations=list(numbers),
            answers=[
                AnswerFile(
                    answer_id=answer.id,
                    message_type=answer.message_type,
                    format=answer.format,
                    control_reference=answer.control_reference,
                    declaration_number=number,
                    created_at=as_utc(answer.created_at).isoformat(),
                )
                for answer, number in rows
            ],
        )


def raw(app: Application, actor: Actor, message_id: int) -> Document:
    """The bytes of message ``message_id`` exactly as received."""
    require(actor, Permission.READ)
    with app.read() as session:
        message = _message(session, actor, message_id)
        content = raw_content(session, message, app.settings.archive_root)
        return Document(message.filename or f"message-{message.id}", content)


def answer(app: Application, actor: Actor, answer_id: int) -> Document:
    """Answer ``answer_id`` (a CONTRL, CUSRES, 997 …) exactly as sent, UTF-8."""
    require(actor, Permission.READ)
    with app.read() as session:
        row = session.scalars(
            select(OutboundMessage).where(OutboundMessage.id == answer_id, answers_visible(actor))
        ).one_or_none()
        if row is None:
            raise NotFoundError(f"no answer {answer_id}")
        extension = _EXTENSIONS.get(row.format, "txt")
        name = f"{row.message_type.lower()}-{row.control_reference}.{extension}"
        return Document(name, row.content.encode("utf-8"))


def _message(session: Session, actor: Actor, message_id: int) -> InboundMessage:
    return visible_raw_message(session, actor, message_id)
