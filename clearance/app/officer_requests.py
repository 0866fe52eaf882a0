"""Officer work that involves the trader or the goods: requests for documents, the trader's
answer, and examination results.

Requests and examinations are the claiming officer's (or a supervisor's), on the version the
officer saw, like a decision. Only the trader or broker that sent the declaration answers a
request (``Permission.SUBMIT`` and the declaration visible to it); to everyone else the
declaration does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal

from pydantic import Field

from clearance.app.access import Permission, require, visible_declaration
from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.documents import Document
from clearance.app.errors import RefusedError
from clearance.app.officer_work import held_declaration, translated
from clearance.app.views import View
from clearance.officer import claims, documents, examinations


class RequestDocuments(View):
    """Which documents, why, by when; and the version the officer saw."""

    documents: list[str] = Field(min_length=1, max_length=20)
    reason: str = Field(min_length=1, max_length=512)
    due_on: date
    version: int | None = None


class Requested(View):
    """The request made and the answer sent to the trader (None: its channel has none)."""

    number: str
    request_id: int
    status: str
    response: str | None


class PresentedFile(View):
    """One file the trader presented, as stored."""

    filename: str
    size: int
    sha256: str


class Presented(View):
    """The files stored in answer to a request."""

    number: str
    request_id: int
    files: list[PresentedFile]


class Examine(View):
    """An examination's result: documentary or physical, what was checked and found."""

    kind: Literal["physical", "documentary"]
    outcome: Literal["conform", "discrepancy", "not_presented"]
    findings: str = Field(min_length=1, max_length=4000)
    containers: list[str] = Field(default_factory=list, max_length=200)
    seals: list[str] = Field(default_factory=list, max_length=200)
    version: int | None = None


class Examined(View):
    """The examination recorded, with the container numbers as stored."""

    number: str
    examination_id: int
    containers: list[str]


def request_documents(
    app: Application, actor: Actor, number: str, command: RequestDocuments
) -> Requested:
    """Ask the trader of ``number`` for documents; it is told in its own format.

    ``RefusedError`` for a blank document name, a due date before today, a declaration that
    no longer waits or is not claimed; ``ConflictError`` for another holder or a stale version.
    """
    require(actor, Permission.OFFICER)
    names = [name.strip() for name in command.documents]
    if not all(names) or any(len(name) > 70 for name in names):
        raise RefusedError("each requested document is named in 1 to 70 characters")
    now = app.clock.now()
    if command.due_on < now.date():
        raise RefusedError(f"due date {command.due_on.isoformat()} is in the past")
    with app.unit() as session, translated():
        row = held_declaration(session, actor, number, command.version)
        made = documents.request_documents(
            session, app.settings, row, names, command.reason, command.due_on, actor.subject, now
        )
        return Requested(
            number=row.number,
            request_id=made.request_id,
            status=made.status,
            response=made.response,
        )


def answer_request(
    app: Application, actor: Actor, number: str, request_id: int, files: Sequence[Document]
) -> Presented:
    """Present ``files`` in answer to request ``request_id`` of ``number`` (its sender only).

    Each file is stored byte for byte with its size and sha256, all or none:
    ``RefusedError`` names a file that is empty or over ``CUSTOMS_DOCUMENT_MAX_BYTES``, and a
    request that is answered already or not this declaration's.
    """
    require(actor, Permission.SUBMIT)
    with app.unit() as session, translated():
        row = visible_declaration(session, actor, number, for_update=True)
        claims.require_waiting(row)
        try:
            kept = documents.present_documents(
                session,
                row,
                request_id,
                [(f.name, f.content) for f in files],
                actor.subject,
                app.clock.now(),
                app.settings.document_max_bytes,
            )
        except (documents.RequestNotOpenError, documents.DocumentTooLargeError) as exc:
            raise RefusedError(exc.message) from exc
        return Presented(
            number=row.number,
            request_id=request_id,
            files=[PresentedFile(filename=p.filename, size=p.size, sha256=p.sha256) for p in kept],
        )


def record_examination(app: Application, actor: Actor, number: str, command: Examine) -> Examined:
    """Record what the claiming officer's examination of ``number`` found.

    ``RefusedError`` names a container number that fails its ISO 6346 check (nothing stored).
    """
    require(actor, Permission.OFFICER)
    seals = [seal.strip() for seal in command.seals]
    if not all(seals) or any(len(seal) > 35 for seal in seals):
        raise RefusedError("each seal number has 1 to 35 characters")
    with app.unit() as session, translated():
        row = held_declaration(session, actor, number, command.version)
        try:
            examination_id = examinations.record_examination(
                session,
                row,
                command.kind,
                command.outcome,
                command.findings,
                command.containers,
                seals,
                actor.subject,
                app.clock.now(),
            )
        except examinations.InvalidContainerError as exc:
            raise RefusedError(exc.message) from exc
        containers = examinations.container_numbers(command.containers)
        return Examined(number=row.number, examination_id=examination_id, containers=containers)


__all__ = [
    "Examine",
    "Examined",
    "Presented",
    "PresentedFile",
    "RequestDocuments",
    "Requested",
    "answer_request",
    "record_examination",
    "request_documents",
]
