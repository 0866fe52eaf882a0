"""``POST /v1/submissions``: a raw interchange in, 202 with where to follow it.

The body is the file as a sender would put it in a mailbox: EDIFACT, X12, XML or a JSON
request; the format is detected from the bytes (the content type is checked only to refuse
what cannot be an interchange, e.g. a form). The raw bytes are stored before anything else.
A syntax error is answered at once with the acknowledgement in the sender's own format
(CONTRL, TA1/997/999, the XML or JSON receipt) and 400; anything parsed is 202 Accepted with
``Location`` and the conversation id (the stored message's id), and business outcomes
follow as events.

On PostgreSQL (``CUSTOMS_API_INTAKE=queue``, the default) the bytes are committed and one job is
queued for ``customs worker``; the request waits up to ``CUSTOMS_API_SUBMIT_WAIT_SECONDS`` for
the worker's answer and gives it as above, or 202 with status ``queued`` when the workers are
behind. On SQLite, and with ``CUSTOMS_API_INTAKE=inline``, the API process does the work.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import BaseModel

from api import downloads, links
from api.auth import App, CurrentActor, guarded_caller
from api.downloads import DOWNLOAD, download
from api.hop import in_worker
from api.idempotent import answer_once
from api.lean import GuardedRoute
from api.params import RowId
from api.problems import PROBLEM, ProblemError, problems
from api.settings import ApiSettings
from clearance.app import (
    Actor,
    Application,
    InterchangeStatus,
    SubmissionOutcome,
    messages,
    queueing,
    submissions,
)
from clearance.app.submissions import SubmissionView
from clearance.app.views import MessageSummary

router = APIRouter(prefix="/v1/submissions", tags=["submissions"])
#: The hottest route (submitting) alone: api.asgi includes it before every other router, so
#: FastAPI's router tries one route, not every health, metrics, submission and declaration
#: route before it; and as a GuardedRoute it skips FastAPI's dependency resolution behind the
#: guard (api/lean.py, docs/api.md "Per-request cost, stop 24").
hot_router = APIRouter(prefix="/v1/submissions", tags=["submissions"], route_class=GuardedRoute)

#: Media types an interchange may come as; anything else is 415.
ACCEPTED_TYPES = {
    "application/edifact",
    "application/edi-x12",
    "application/x12",
    "application/edi-consent",
    "application/xml",
    "text/xml",
    "application/json",
    "text/plain",
    "application/octet-stream",
}


class SubmissionAccepted(BaseModel):
    """What 202 says: where to follow the conversation, and what processing gave so far."""

    conversation_id: str
    message_id: int
    status: str
    location: str
    outcome: dict[str, Any]


@hot_router.post(
    "",
    status_code=202,
    summary="Submit an interchange (EDIFACT, X12, XML or JSON request)",
    response_model=SubmissionAccepted,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {t: {"schema": {"type": "string"}} for t in sorted(ACCEPTED_TYPES)},
        }
    },
    responses={
        202: links.SUBMISSION_ACCEPTED,
        400: {"description": "Syntax errors: the acknowledgement in the sender's format"},
        409: PROBLEM,
        413: PROBLEM,
        415: PROBLEM,
        422: PROBLEM,
    },
)
async def submit(
    request: Request,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> Response:
    """Store one interchange and process it (queued for the workers on PostgreSQL, with a wait
    for their answer); the same ``Idempotency-Key`` and body answer alike."""
    app, actor = guarded_caller(request)  # the router's guard authenticated the caller
    _check_media_type(request.headers.get("content-type"))
    raw = await _body(request)
    settings: ApiSettings = request.app.state.api_settings
    return await answer_once(
        app,
        actor,
        idempotency_key,
        ("POST", "/v1/submissions", raw),
        lambda: in_worker(_process, app, actor, raw, settings),
        repeated=_REPEATED,
    )


_REPEATED = {"location", "conversation-id"}

#: Which received interchanges a list shows: the newest of any status, the dead letters (failed,
#: and no job of theirs waits or runs: nothing will try them again), or the stuck ones (still
#: ``received`` long after they arrived: their processing died).
MessageState = Literal["all", "dead", "stuck"]


class SubmissionList(BaseModel):
    """Received interchanges, without their bytes."""

    submissions: list[MessageSummary]


@router.get(
    "",
    summary="Received interchanges: the newest, the dead letters or the stuck ones",
    response_model=SubmissionList,
    responses=problems(403, 422),
)
def list_submissions(
    app: App,
    actor: CurrentActor,
    state: MessageState = "all",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> SubmissionList:
    """The interchanges the caller may see (a trader its own, a broker its traders', the
    admin every sender's): the newest first, or the dead letters oldest first, or the stuck
    ones. A dead or stuck one is processed again with ``POST …/retry`` or ``…/requeue``."""
    if state == "dead":
        listed = queueing.dead_letters(app, actor, limit=limit)
    elif state == "stuck":
        listed = messages.list_stuck(app, actor, limit=limit)
    else:
        listed = messages.list_messages(app, actor, limit=limit)
    return SubmissionList(submissions=listed)


@router.get(
    "/{message_id}",
    summary="A submission and the answers it got",
    response_model=SubmissionView,
    responses=problems(404),
)
def show(message_id: RowId, app: App, actor: CurrentActor) -> SubmissionView:
    """The stored message (without its bytes) and every answer sent about it."""
    return submissions.show(app, actor, message_id)


@router.get(
    "/{message_id}/raw",
    summary="The interchange exactly as received",
    response_class=Response,
    responses={**DOWNLOAD, 404: PROBLEM},
)
def raw(message_id: RowId, app: App, actor: CurrentActor) -> Response:
    """The bytes as received."""
    content = submissions.raw_message(app, actor, message_id)
    return download(content)


@router.get(
    "/{message_id}/answers/{answer_id}",
    summary="One answer (acknowledgement or response) as sent",
    response_class=Response,
    responses={**DOWNLOAD, 404: PROBLEM},
)
def answer(message_id: RowId, answer_id: RowId, app: App, actor: CurrentActor) -> Response:
    """An acknowledgement or response exactly as sent."""
    return download(submissions.answer(app, actor, message_id, answer_id))


@router.post(
    "/{message_id}/retry",
    status_code=202,
    summary="Process a failed or stuck interchange again, here and now",
    response_model=SubmissionAccepted,
    responses={
        202: links.SUBMISSION_ACCEPTED,
        400: {"description": "Syntax errors: the acknowledgement in the sender's format"},
        **problems(403, 404, 409, 500),
    },
)
def retry(message_id: RowId, app: App, actor: CurrentActor) -> Response:
    """The stored bytes processed again by this server, as ``customs messages retry`` does;
    answered as a submission is. Of several retries at once one processes it, the others get
    409, as does an interchange that neither failed nor is stuck; 500 when it fails again (it
    stays failed, nothing half-written)."""
    return _answer_outcome(messages.retry(app, actor, message_id))


@router.post(
    "/{message_id}/requeue",
    status_code=202,
    summary="Queue a dead letter for the workers again",
    response_model=SubmissionAccepted,
    responses={
        202: links.SUBMISSION_ACCEPTED,
        400: {"description": "Syntax errors: the acknowledgement in the sender's format"},
        **problems(403, 404, 422, 500),
    },
)
def requeue(message_id: RowId, app: App, actor: CurrentActor, request: Request) -> Response:
    """A failed interchange queued again for ``customs worker`` (in this process on SQLite),
    as ``customs messages requeue`` does; the answer waits for the worker as a submission's
    does (``status: queued`` when the workers are behind). 422 when it has not failed."""
    queued = queueing.requeue(app, actor, message_id)
    if queued.outcome is not None:
        return _answer_outcome(queued.outcome)
    settings: ApiSettings = request.app.state.api_settings
    settled = submissions.settle(app, actor, message_id, within=settings.submit_wait_seconds)
    return _answer_settled(settled)


def _process(app: Application, actor: Actor, raw: bytes, settings: ApiSettings) -> Response:
    if settings.intake == "inline":
        outcome = messages.submit(app, actor, messages.Interchange(raw, None, channel="api"))
        return _answer_outcome(outcome)
    taken = queueing.take_in(app, actor, messages.Interchange(raw, None, channel="api"))
    if taken.outcome is not None:  # SQLite: processed in this process
        return _answer_outcome(taken.outcome)
    settled = submissions.settle(app, actor, taken.message_id, within=settings.submit_wait_seconds)
    return _answer_settled(settled)


def _answer_settled(settled: submissions.Settled) -> Response:
    """The answer to a queued submission from what the worker stored (or ``queued``)."""
    view = settled.submission
    message = view.message
    location = f"/v1/submissions/{message.message_id}"
    headers = {"Location": location, "Conversation-Id": str(message.message_id)}
    if message.status == InterchangeStatus.REJECTED.value and not view.declarations:
        if settled.refusal == "sender":
            raise ProblemError(
                403,
                "sender_refused",
                message.error or "the envelope names a sender this subject may not act as",
                headers=headers,
                message_id=message.message_id,
            )
        if not view.answers:  # refused before parsing: no format to answer in
            raise ProblemError(
                400,
                "unrecognised_interchange",
                message.error or "not an interchange",
                headers=headers,
                message_id=message.message_id,
            )
        acknowledgement = view.answers[0]
        return Response(
            acknowledgement.text,
            status_code=400,
            media_type=downloads.media_type(message.format),
            headers=headers,
        )
    status = "queued" if settled.pending else message.status
    body = SubmissionAccepted(
        conversation_id=str(message.message_id),
        message_id=message.message_id,
        status=status,
        location=location,
        outcome={
            "status": status,
            "declarations": [{"number": number} for number in view.declarations],
            "answers": [a.answer_id for a in view.answers],
        },
    )
    return Response(
        json.dumps(body.model_dump(mode="json"), ensure_ascii=False),
        status_code=202,
        media_type="application/json",
        headers=headers,
    )


def _answer_outcome(outcome: SubmissionOutcome) -> Response:
    """The answer to a submission processed in this process, from its outcome."""
    location = f"/v1/submissions/{outcome.message_id}"
    headers = {"Location": location, "Conversation-Id": str(outcome.message_id)}
    if _syntax_rejected(outcome):
        if any(e.code == "sender" for e in outcome.errors):
            # The envelope names a sender the subject may not act as: refused, nothing
            # registered, the raw bytes kept under the message id.
            raise ProblemError(
                403,
                "sender_refused",
                "; ".join(e.text for e in outcome.errors if e.code == "sender"),
                headers=headers,
                message_id=outcome.message_id,
                errors=[e.to_json() for e in outcome.errors],
            )
        if outcome.acknowledgement is None:  # not an interchange at all: no format to answer in
            raise ProblemError(
                400,
                "unrecognised_interchange",
                "; ".join(e.text for e in outcome.errors) or "not an interchange",
                headers=headers,
                message_id=outcome.message_id,
                errors=[e.to_json() for e in outcome.errors],
            )
        media_type = downloads.media_type(outcome.format)
        return Response(
            outcome.acknowledgement.text, status_code=400, media_type=media_type, headers=headers
        )
    body = SubmissionAccepted(
        conversation_id=str(outcome.message_id),
        message_id=outcome.message_id,
        status=outcome.status.value,
        location=location,
        outcome=outcome.to_json(),
    )
    return Response(
        json.dumps(body.model_dump(mode="json"), ensure_ascii=False),
        status_code=202,
        media_type="application/json",
        headers=headers,
    )


def _syntax_rejected(outcome: SubmissionOutcome) -> bool:
    """Refused as a whole, nothing registered: the interchange's syntax is at fault."""
    registered = any(d.number is not None for d in outcome.declarations)
    return outcome.status is InterchangeStatus.REJECTED and not (registered or outcome.manifests)


def _check_media_type(content_type: str | None) -> None:
    media_type = (content_type or "application/octet-stream").split(";")[0].strip().lower()
    if media_type not in ACCEPTED_TYPES:
        raise ProblemError(
            415,
            "unsupported_media_type",
            f"{media_type} is not an interchange; send EDIFACT, X12, XML or a JSON request",
        )


async def _body(request: Request) -> bytes:
    limit: int = request.app.state.api_settings.max_body_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ProblemError(413, "too_large", f"an interchange may have at most {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ProblemError(413, "too_large", f"an interchange may have at most {limit} bytes")
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw:
        raise ProblemError(422, "empty_body", "the body is empty: send the interchange")
    return raw
