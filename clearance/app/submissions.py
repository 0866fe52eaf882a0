"""A submission as its sender follows it: the stored message, its answers, its raw bytes.

``POST /v1/submissions`` answers with the message id as the conversation id; these use cases
read what became of it. Its sender, the brokers acting as it and an officer of one of its
declarations' offices read it (who may download it, :mod:`.access`); to anyone else it is
:class:`NotFoundError`, as an unknown one.
"""

from __future__ import annotations

import json
import time

from sqlalchemy import select

from clearance.app.access import (
    Permission,
    answers_visible,
    declarations_visible,
    raw_messages_visible,
    require,
    visible_declaration,
    visible_raw_message,
)
from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.errors import NotFoundError
from clearance.app.views import MessageSummary, View
from clearance.lifecycle.events import EventKind
from clearance.store.raw_archive import raw_content
from clearance.store.tables import (
    Declaration,
    DeclarationVersion,
    Event,
    InboundMessage,
    OutboundMessage,
)
from core.clock import as_utc


class AnswerView(View):
    """One answer we sent (acknowledgement or response), as sent."""

    answer_id: int
    format: str
    message_type: str
    declaration_number: str | None
    control_reference: str
    created_at: str
    text: str


class SubmissionView(View):
    """A received message and every answer it got so far."""

    message: MessageSummary
    declarations: list[str]
    answers: list[AnswerView]


class RawContent(View):
    """Bytes as received or sent, with what they are."""

    name: str
    format: str | None
    content: bytes


def show(app: Application, actor: Actor, message_id: int) -> SubmissionView:
    """Message ``message_id`` with its declarations and answers, to whoever may download it
    (:func:`~clearance.app.access.raw_messages_visible`: its sender, the brokers acting as it,
    an officer of one of its declarations' offices), else ``NotFoundError``.

    The record follows the file: an officer who may download an interchange reads its record
    too. It lists only the declarations and answers ``actor`` may see (an officer's own
    offices', as the console's page), since one interchange may carry other offices'."""
    require(actor, Permission.READ)
    with app.read() as session:
        row = visible_raw_message(session, actor, message_id)
        rows = session.execute(
            select(OutboundMessage, Declaration.number)
            .outerjoin(Declaration, Declaration.id == OutboundMessage.declaration_id)
            .where(OutboundMessage.inbound_message_id == row.id, answers_visible(actor))
            .order_by(OutboundMessage.id)
        ).all()
        numbers = session.scalars(
            select(Declaration.number)
            .where(Declaration.inbound_message_id == row.id, declarations_visible(actor))
            .order_by(Declaration.id)
        )
        answers = [_answer(a, number) for a, number in rows]
        return SubmissionView(
            message=MessageSummary(
                message_id=row.id,
                received_at=as_utc(row.received_at).isoformat(),
                sender=row.sender,
                channel=row.channel,
                filename=row.filename,
                format=row.format,
                message_type=row.message_type,
                control_reference=row.control_reference,
                size=row.size,
                sha256=row.sha256,
                status=row.status,
                error=row.error,
                duplicate_of=row.duplicate_of,
                answers=len(answers),
            ),
            declarations=list(numbers),
            answers=answers,
        )


#: Statuses of a message nobody has finished processing yet.
_PENDING = frozenset({"received", "failed"})


class Settled(View):
    """What became of a queued submission once it settled, or ``pending`` when it had not."""

    submission: SubmissionView
    #: True: still waiting for (or being retried by) a worker when the wait ended.
    pending: bool
    #: Why the whole interchange was refused before parsing (``sender``, ``format`` …), if so.
    refusal: str | None


def settle(
    app: Application, actor: Actor, message_id: int, *, within: float, every: float = 0.05
) -> Settled:
    """Message ``message_id`` once a worker has processed it, waiting at most ``within`` s.

    The HTTP front door queues on PostgreSQL and still answers syntax errors at once when the
    workers keep up: it waits here for the message's status to leave ``received``/``failed``
    (a failed message is retried by the queue, so it is not settled either).
    """
    deadline = time.monotonic() + within
    while True:
        view = show(app, actor, message_id)
        pending = view.message.status in _PENDING
        if not pending or time.monotonic() >= deadline:
            break
        time.sleep(every)
    refusal = None
    if view.message.status == "rejected" and not view.answers:
        refusal = _refusal_code(app, message_id)
    return Settled(submission=view, pending=pending, refusal=refusal)


def _refusal_code(app: Application, message_id: int) -> str | None:
    """The code the pipeline gave a whole-file refusal (recorded on its event), if any."""
    with app.read() as session:
        data = session.scalar(
            select(Event.data)
            .where(Event.inbound_message_id == message_id)
            .where(Event.kind == EventKind.SYNTAX_REJECTED.value)
            .order_by(Event.id.desc())
            .limit(1)
        )
    if data is None:
        return None
    code = json.loads(data).get("code")
    return str(code) if code else "format"


def raw_message(app: Application, actor: Actor, message_id: int) -> RawContent:
    """The bytes of message ``message_id`` exactly as received."""
    require(actor, Permission.READ)
    with app.read() as session:
        # Who may download it, not who may see the message's record: an officer downloads an
        # interchange carrying a declaration of its offices here as in the console.
        row = visible_raw_message(session, actor, message_id)
        return RawContent(
            name=row.filename or f"message-{row.id}",
            format=row.format,
            content=raw_content(session, row, app.settings.archive_root),
        )


def answer(app: Application, actor: Actor, message_id: int, answer_id: int) -> RawContent:
    """Answer ``answer_id`` of message ``message_id``, as sent."""
    require(actor, Permission.READ)
    with app.read() as session:
        visible_raw_message(session, actor, message_id)
        row = session.scalars(
            select(OutboundMessage).where(
                OutboundMessage.id == answer_id,
                OutboundMessage.inbound_message_id == message_id,
                answers_visible(actor),
            )
        ).one_or_none()
        if row is None:
            raise NotFoundError(f"no answer {answer_id} to message {message_id}")
        return _raw_answer(row)


def declaration_response(app: Application, actor: Actor, number: str, answer_id: int) -> RawContent:
    """Answer ``answer_id`` about declaration ``number``, as sent, to whoever may see the
    declaration and the answer (:func:`~clearance.app.access.answers_visible`): not the
    carrier's X12 350 about it, say."""
    require(actor, Permission.READ)
    with app.read() as session:
        declaration = visible_declaration(session, actor, number)
        row = session.scalars(
            select(OutboundMessage).where(
                OutboundMessage.id == answer_id,
                OutboundMessage.declaration_id == declaration.id,
                answers_visible(actor),
            )
        ).one_or_none()
        if row is None:
            raise NotFoundError(f"no response {answer_id} about declaration {number}")
        return _raw_answer(row)


def declaration_message(app: Application, actor: Actor, number: str, version: int) -> RawContent:
    """The message that made version ``version`` of declaration ``number``, as received.

    The whole interchange, which may carry other declarations: only for whom may download it
    (:func:`~clearance.app.access.raw_messages_visible`), else ``NotFoundError``."""
    require(actor, Permission.READ)
    with app.read() as session:
        declaration = visible_declaration(session, actor, number)
        row = session.scalars(
            select(InboundMessage)
            .join(DeclarationVersion, DeclarationVersion.inbound_message_id == InboundMessage.id)
            .where(
                DeclarationVersion.declaration_id == declaration.id,
                DeclarationVersion.version == version,
                raw_messages_visible(actor),
            )
        ).one_or_none()
        if row is None:
            raise NotFoundError(f"no version {version} of declaration {number}")
        return RawContent(
            name=row.filename or f"message-{row.id}",
            format=row.format,
            content=raw_content(session, row, app.settings.archive_root),
        )


def _answer(row: OutboundMessage, number: str | None) -> AnswerView:
    return AnswerView(
        answer_id=row.id,
        format=row.format,
        message_type=row.message_type,
        declaration_number=number,
        control_reference=row.control_reference,
        created_at=as_utc(row.created_at).isoformat(),
        text=row.content,
    )


def _raw_answer(row: OutboundMessage) -> RawContent:
    name = f"{row.message_type.lower()}-{row.control_reference}"
    return RawContent(name=name, format=row.format, content=row.content.encode("utf-8"))
