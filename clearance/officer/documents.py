"""Documents an officer asks the trader for, and the files the trader presents in answer.

A request names the documents, why, and by when. The declaration then waits for documents
(status ``documents_required``; the ledgers keep what they hold, as for any waiting status),
the trader is told in its own format (:mod:`clearance.officer.notify`) and the carrier of a
manifested bill gets the X12 350 hold the X12 channel sends for that status. The trader's
files are kept byte for byte with size and sha256; nothing is stored unless every file fits.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clearance.decisions.carrier import tell_carrier
from clearance.decisions.records import set_status
from clearance.flow.outcome import ErrorReport
from clearance.lifecycle.events import EventKind, append_event
from clearance.officer.notify import tell_trader
from clearance.store.officer_tables import DocumentRequest, PresentedDocument
from clearance.store.tables import Declaration as DeclarationRow
from core.errors import CustomsError
from core.settings import Settings

DOCUMENTS_REQUIRED = "documents_required"
#: The reason code of each requested document in the answers (ERC 9321 is an..8).
REQUEST_CODE = "DOCREQ"


class RequestNotOpenError(CustomsError):
    """The request is answered already, or is not one of this declaration's."""

    code = "request_not_open"


class DocumentTooLargeError(CustomsError):
    """A presented file is empty or over the size limit; the message names it."""

    code = "document_too_large"


@dataclass(frozen=True, slots=True)
class Requested:
    """What a request made: its id and the answer sent (None: the channel has none)."""

    request_id: int
    status: str
    response: str | None


@dataclass(frozen=True, slots=True)
class Presented:
    """One stored file: its name, size and sha256."""

    filename: str
    size: int
    sha256: str


def request_documents(
    session: Session,
    settings: Settings,
    row: DeclarationRow,
    documents: Sequence[str],
    reason: str,
    due_on: date,
    officer: str,
    now: datetime,
) -> Requested:
    """Record the request, move the declaration to ``documents_required``, tell the trader
    (and the carrier of a manifested bill). The caller holds ``row`` locked and checked."""
    request = DocumentRequest(
        declaration_id=row.id,
        declaration_version=row.version,
        documents=json.dumps(list(documents), ensure_ascii=False),
        reason=reason,
        due_on=due_on,
        requested_by=officer,
        requested_at=now,
        status="open",
    )
    session.add(request)
    session.flush()
    previous = row.status
    if previous != DOCUMENTS_REQUIRED:
        set_status(session, row.id, DOCUMENTS_REQUIRED, now)
        tell_carrier(session, row.number, DOCUMENTS_REQUIRED, now)
    reasons = [
        ErrorReport(code=REQUEST_CODE, text=f"{name}: {reason} (due {due_on.isoformat()})")
        for name in documents
    ]
    response = tell_trader(session, settings, row, DOCUMENTS_REQUIRED, reasons, now)
    data = {
        "by": officer,
        "request_id": request.id,
        "documents": list(documents),
        "reason": reason,
        "due_on": due_on.isoformat(),
        "previous_status": previous,
    }
    append_event(
        session, EventKind.DOCUMENTS_REQUESTED, now, declaration_number=row.number, data=data
    )
    return Requested(request.id, DOCUMENTS_REQUIRED, response)


def present_documents(
    session: Session,
    row: DeclarationRow,
    request_id: int,
    files: Sequence[tuple[str, bytes]],
    by: str,
    now: datetime,
    max_bytes: int,
) -> list[Presented]:
    """Store ``files`` as the answer to open request ``request_id`` of ``row``.

    Every file is checked before any is stored, so a refusal leaves nothing behind.
    """
    request = session.scalars(
        select(DocumentRequest)
        .where(DocumentRequest.id == request_id, DocumentRequest.declaration_id == row.id)
        .with_for_update()
    ).one_or_none()
    if request is None or request.status != "open":
        state = "no" if request is None else "an answered"
        raise RequestNotOpenError(
            f"declaration {row.number} has {state} document request {request_id}"
        )
    if not files:
        raise DocumentTooLargeError("no file presented")
    for name, content in files:
        if not content or len(content) > max_bytes:
            raise DocumentTooLargeError(
                f"{name}: {len(content)} bytes; a presented document holds 1 to {max_bytes} bytes"
            )
    stored = [
        Presented(name, len(content), hashlib.sha256(content).hexdigest())
        for name, content in files
    ]
    for (name, content), kept in zip(files, stored, strict=True):
        session.add(
            PresentedDocument(
                request_id=request.id,
                filename=name[:255],
                size=kept.size,
                sha256=kept.sha256,
                content=content,
                presented_by=by,
                presented_at=now,
            )
        )
    request.status, request.answered_at = "answered", now
    data = {
        "by": by,
        "request_id": request.id,
        "files": [{"filename": p.filename, "size": p.size, "sha256": p.sha256} for p in stored],
    }
    append_event(
        session, EventKind.DOCUMENTS_PRESENTED, now, declaration_number=row.number, data=data
    )
    return stored
