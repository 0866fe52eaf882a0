"""The officer work around one declaration as its pages show it: who holds it, the requests for
documents with the files presented in answer, and the examinations recorded.

Anyone who may see the declaration sees its requests (the trader answers them); the claim and
the examinations are officers' matters, shown to officers (and the operator) only.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select

from clearance.app import disclosure
from clearance.app.access import Permission, require, visible_declaration
from clearance.app.actor import OFFICE_ROLES, Actor
from clearance.app.context import Application
from clearance.app.documents import Document
from clearance.app.errors import NotFoundError
from clearance.app.views import View
from clearance.officer import claims
from clearance.store.officer_tables import DocumentRequest, Examination, PresentedDocument
from core.clock import as_utc

#: Roles that see who holds a declaration and what its examinations found.


class PresentedFileView(View):
    """A file the trader presented: name, size, digest, who and when."""

    file_id: int
    filename: str
    size: int
    sha256: str
    presented_by: str
    presented_at: str


class RequestView(View):
    """A request for documents and the files presented in answer."""

    request_id: int
    documents: list[str]
    reason: str
    due_on: str
    requested_by: str
    requested_at: str
    status: str  # open | answered
    answered_at: str | None
    files: list[PresentedFileView]


class ExaminationView(View):
    """An examination's result as recorded."""

    kind: str
    outcome: str
    findings: str
    containers: list[str]
    seals: list[str]
    officer: str
    recorded_at: str


class CaseFile(View):
    """The officer work around one declaration."""

    number: str
    holder: str | None  # None: nobody holds it, or the actor is not an officer
    held_since: str | None
    requests: list[RequestView]
    examinations: list[ExaminationView]


def case_file(app: Application, actor: Actor, number: str) -> CaseFile:
    """The case file of ``number`` (``NotFoundError`` if ``actor`` may not see it)."""
    require(actor, Permission.READ)
    officer = actor.sees_everything or actor.role in OFFICE_ROLES
    with app.read() as session:
        row = visible_declaration(session, actor, number)
        held = claims.holder(session, row) if officer else None
        requests = session.scalars(
            select(DocumentRequest)
            .where(DocumentRequest.declaration_id == row.id)
            .order_by(DocumentRequest.id)
        ).all()
        files = session.execute(
            select(PresentedDocument)
            .where(PresentedDocument.request_id.in_([r.id for r in requests]))
            .order_by(PresentedDocument.id)
        ).scalars()
        by_request: dict[int, list[PresentedFileView]] = {}
        for f in files:
            by_request.setdefault(f.request_id, []).append(
                PresentedFileView(
                    file_id=f.id,
                    filename=f.filename,
                    size=f.size,
                    sha256=f.sha256,
                    presented_by=f.presented_by,
                    presented_at=as_utc(f.presented_at).isoformat(),
                )
            )
        examinations = (
            session.scalars(
                select(Examination)
                .where(Examination.declaration_id == row.id)
                .order_by(Examination.id)
            ).all()
            if officer
            else []
        )
        return CaseFile(
            number=row.number,
            holder=None if held is None else held.officer,
            held_since=None if held is None else as_utc(held.since).isoformat(),
            requests=[
                RequestView(
                    request_id=r.id,
                    documents=json.loads(r.documents),
                    reason=r.reason,
                    due_on=r.due_on.isoformat(),
                    requested_by=disclosure.officer(actor, r.requested_by),
                    requested_at=as_utc(r.requested_at).isoformat(),
                    status=r.status,
                    answered_at=_iso(r.answered_at),
                    files=by_request.get(r.id, []),
                )
                for r in requests
            ],
            examinations=[
                ExaminationView(
                    kind=e.kind,
                    outcome=e.outcome,
                    findings=e.findings,
                    containers=json.loads(e.containers),
                    seals=json.loads(e.seals),
                    officer=e.officer,
                    recorded_at=as_utc(e.recorded_at).isoformat(),
                )
                for e in examinations
            ],
        )


def _iso(at: datetime | None) -> str | None:
    return None if at is None else as_utc(at).isoformat()


def presented_file(app: Application, actor: Actor, number: str, file_id: int) -> Document:
    """A file presented for ``number``, as stored (``NotFoundError`` otherwise)."""
    require(actor, Permission.READ)
    with app.read() as session:
        row = visible_declaration(session, actor, number)
        found = session.execute(
            select(PresentedDocument)
            .join(DocumentRequest, DocumentRequest.id == PresentedDocument.request_id)
            .where(PresentedDocument.id == file_id, DocumentRequest.declaration_id == row.id)
        ).scalar_one_or_none()
        if found is None:
            raise NotFoundError(f"no presented file {file_id} for declaration {number}")
        return Document(found.filename, found.content)
