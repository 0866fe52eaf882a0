"""Uploading an interchange through the browser, following what became of it, and downloads.

An upload goes through the same submission use case as the API and the command line
(``clearance.app.messages.submit``): the raw bytes are stored before anything is parsed, and
the syntax answer (CONTRL, 997 …) is what the page then shows and offers for download.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from api.console.declaration_page import render_declaration
from api.console.forms import ANSWER_MAX_FILES, UPLOAD_MAX_BYTES, FieldError
from api.console.i18n import N_
from api.console.pages import PREFIX, Console
from api.console.portal import PORTAL
from clearance.app import (
    Document,
    ProcessingError,
    RefusedError,
    case_file,
    message_files,
    messages,
    officer_requests,
)

_READ_CHUNK = 1024 * 1024


def add_routes(router: APIRouter, console: Console) -> None:
    """The upload, message and download pages of ``console`` on ``router``."""

    @router.get("/portal/upload")
    def upload_page(request: Request) -> Response:
        """The upload form."""
        visit = console.visit(request)
        visit.actor(*PORTAL)
        return visit.render("portal/upload.html", errors=[])

    @router.post("/portal/upload")
    def upload(
        request: Request,
        csrf_token: Annotated[str, Form()] = "",
        file: Annotated[UploadFile | None, File()] = None,
    ) -> Response:
        """Submit the file; then show its message (Post/Redirect/Get)."""
        visit = console.visit(request)
        actor = visit.actor(*PORTAL)
        visit.check_csrf(csrf_token)
        content, error = _read(file)
        if error is not None:
            return visit.render("portal/upload.html", status=400, errors=[error])
        name = (file.filename if file is not None else None) or "upload"
        interchange = messages.Interchange(content, filename=name[:255], channel="portal")
        try:
            outcome = messages.submit(console.application, actor, interchange)
            message_id = outcome.message_id
        except ProcessingError as exc:  # kept, marked failed: the message page says so
            message_id = exc.message_id
        return visit.redirect(f"{PREFIX}/messages/{message_id}?uploaded=1")

    @router.get("/messages/{message_id}")
    def message(request: Request, message_id: int, uploaded: int = 0) -> Response:
        """A received message: status, declarations, answers to download."""
        visit = console.visit(request)
        actor = visit.actor()
        files = message_files.show(console.application, actor, message_id)
        return visit.render("message.html", m=files, uploaded=bool(uploaded))

    @router.get("/messages/{message_id}/raw")
    def raw(request: Request, message_id: int) -> Response:
        """The message's bytes as received."""
        visit = console.visit(request)
        return _download(message_files.raw(console.application, visit.actor(), message_id))

    @router.post("/declarations/{number}/requests/{request_id}/answer")
    def answer_request(
        request: Request,
        number: str,
        request_id: int,
        csrf_token: Annotated[str, Form()] = "",
        files: Annotated[list[UploadFile] | None, File()] = None,
    ) -> Response:
        """The trader presents documents in answer to an officer's request."""
        visit = console.visit(request)
        actor = visit.actor(*PORTAL)
        visit.check_csrf(csrf_token)
        documents: list[Document] = []
        error: FieldError | None = None
        for upload in [f for f in files or [] if f.filename]:
            content, error = _read(upload)
            if error is not None:
                break
            documents.append(Document(str(upload.filename)[:255], content))
        if error is None and not documents:
            error = FieldError("files", N_("Choose a file to upload"))
        if error is None and len(documents) > ANSWER_MAX_FILES:
            error = FieldError("files", N_("Choose at most 5 files at once"))
        if error is not None:
            field = FieldError(f"files-{request_id}", error.message)
            return render_declaration(visit, number, errors=[field], status=400)
        try:
            officer_requests.answer_request(
                console.application, actor, number, request_id, documents
            )
        except RefusedError as exc:
            visit.flash(N_("This could not be done."), str(exc), problem=True)
        else:
            visit.flash(N_("Your documents were presented to customs."))
        return visit.redirect(f"{PREFIX}/declarations/{number}")

    @router.get("/declarations/{number}/presented/{file_id}")
    def presented(request: Request, number: str, file_id: int) -> Response:
        """A file presented in answer to a request, as stored."""
        visit = console.visit(request)
        document = case_file.presented_file(console.application, visit.actor(), number, file_id)
        return _download(document)

    @router.get("/answers/{answer_id}")
    def answer(request: Request, answer_id: int) -> Response:
        """One answer as sent."""
        visit = console.visit(request)
        return _download(message_files.answer(console.application, visit.actor(), answer_id))


def _read(file: UploadFile | None) -> tuple[bytes, FieldError | None]:
    if file is None or not file.filename:
        return b"", FieldError("file", N_("Choose a file to upload"))
    chunks: list[bytes] = []
    size = 0
    while chunk := file.file.read(_READ_CHUNK):
        size += len(chunk)
        if size > UPLOAD_MAX_BYTES:
            return b"", FieldError("file", N_("The file must be smaller than 10 MB"))
        chunks.append(chunk)
    if size == 0:
        return b"", FieldError("file", N_("The file is empty"))
    return b"".join(chunks), None


def _download(document: Document) -> Response:
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in document.name.split("/")[-1])
    return Response(
        document.content,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="{safe or "file"}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
