"""Officer work over HTTP: the queue, claims, decisions, document requests, examinations and
the audit history, through the same use cases as ``customs officer …``. The trader answers a
document request here too. Another office's declaration is 404, as an unknown one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from api.auth import App, CurrentActor
from api.params import RowId
from api.problems import problems
from clearance.app import Document, officer, officer_requests, officer_work, rebates
from clearance.app.officer_work import Lane, Status

router = APIRouter(prefix="/v1", tags=["officer work"])
ERRORS = problems(404, 409, 422)


@router.get(
    "/officer/queue",
    summary="Flagged declarations of the caller's offices, with counts",
    response_model=officer_work.WorkQueue,
    responses=ERRORS,
)
def queue(
    app: App,
    actor: CurrentActor,
    office: Annotated[list[str] | None, Query()] = None,
    lane: Annotated[list[Lane] | None, Query()] = None,
    status: Annotated[list[Status] | None, Query()] = None,
    claimed_by: str | None = None,
    unclaimed: bool = False,
    min_age_hours: Annotated[int | None, Query(ge=0, le=1_000_000)] = None,
    max_age_hours: Annotated[int | None, Query(ge=0, le=1_000_000)] = None,
    sort: Annotated[str, Query(pattern="^(oldest|newest|lane|number)$")] = "oldest",
    limit: Annotated[int, Query(ge=1, le=officer_work.MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> officer_work.WorkQueue:
    """One page of the queue and the counts over the whole filter."""
    query = officer_work.queue_filter(
        offices=office or [],
        lanes=lane or [],
        statuses=status or [],
        claimed_by=claimed_by,
        unclaimed=unclaimed,
        min_age_hours=min_age_hours,
        max_age_hours=max_age_hours,
        sort=sort,
        limit=limit,
        offset=offset,
    )
    return officer_work.queue(app, actor, query)


@router.post(
    "/declarations/{number}/claim",
    summary="Claim a flagged declaration (409 names the holder)",
    response_model=officer_work.ClaimView,
    responses=ERRORS,
)
def claim(number: str, app: App, actor: CurrentActor) -> officer_work.ClaimView:
    """The caller holds the declaration until it decides, gives it up or is reassigned."""
    return officer_work.claim(app, actor, number)


@router.post(
    "/declarations/{number}/unclaim",
    summary="Give up a claim",
    response_model=officer_work.ClaimView,
    responses=ERRORS,
)
def unclaim(
    number: str, body: officer_work.Release, app: App, actor: CurrentActor
) -> officer_work.ClaimView:
    """The holder, or a supervisor for anyone's claim."""
    return officer_work.unclaim(app, actor, number, body)


@router.post(
    "/declarations/{number}/reassign",
    summary="Give a declaration to another officer (supervisors)",
    response_model=officer_work.ClaimView,
    responses=ERRORS,
)
def reassign(
    number: str, body: officer_work.Reassign, app: App, actor: CurrentActor
) -> officer_work.ClaimView:
    """Whoever held it; the history names both."""
    return officer_work.reassign(app, actor, number, body)


@router.post(
    "/declarations/{number}/decision",
    summary="Release, reject or inspect (the version seen is checked)",
    response_model=officer.Decided,
    responses=ERRORS,
)
def decide(number: str, body: officer.Decide, app: App, actor: CurrentActor) -> officer.Decided:
    """409 when the declaration moved on since the version the officer saw."""
    return officer.decide(app, actor, number, body)


@router.post(
    "/declarations/{number}/document-requests",
    status_code=201,
    summary="Ask the trader for documents (answered in the trader's own format)",
    response_model=officer_requests.Requested,
    responses=ERRORS,
)
def request_documents(
    number: str, body: officer_requests.RequestDocuments, app: App, actor: CurrentActor
) -> officer_requests.Requested:
    """Which documents, why, by when."""
    return officer_requests.request_documents(app, actor, number, body)


@router.post(
    "/declarations/{number}/document-requests/{request_id}/documents",
    status_code=201,
    summary="The trader presents a document in answer to a request",
    response_model=officer_requests.Presented,
    responses=ERRORS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
async def present_document(
    number: str,
    request_id: RowId,
    request: Request,
    app: App,
    actor: CurrentActor,
    filename: Annotated[str, Query(min_length=1, max_length=255)],
) -> officer_requests.Presented:
    """The body is the file, stored byte for byte with its size and sha256."""
    document = Document(filename, await request.body())
    return await run_in_threadpool(
        officer_requests.answer_request, app, actor, number, request_id, [document]
    )


@router.post(
    "/declarations/{number}/examinations",
    status_code=201,
    summary="Record an examination's result (the claiming officer)",
    response_model=officer_requests.Examined,
    responses=ERRORS,
)
def examine(
    number: str, body: officer_requests.Examine, app: App, actor: CurrentActor
) -> officer_requests.Examined:
    """Container numbers are checked (ISO 6346)."""
    return officer_requests.record_examination(app, actor, number, body)


@router.post(
    "/declarations/{number}/exit-confirmation",
    summary="Confirm the exit of a released export's goods: it is cleared (结关)",
    response_model=rebates.ExitConfirmation,
    responses=problems(403, 404, 422),
)
def confirm_exit(number: str, app: App, actor: CurrentActor) -> rebates.ExitConfirmation:
    """An officer of the declaration's office (or the operator). Its rebate records become
    ``confirmed``; the declarant is told where its channel has a notice. A second call
    changes nothing and answers the first confirmation's time with ``already: true``."""
    return rebates.confirm_exit(app, actor, number)


@router.get(
    "/declarations/{number}/history",
    summary="Every officer action on the declaration, in order",
    response_model=list[officer_work.HistoryEntry],
    responses=ERRORS,
)
def history(number: str, app: App, actor: CurrentActor) -> list[officer_work.HistoryEntry]:
    """Claims, requests, examinations, decisions: the audit trail."""
    return officer_work.history(app, actor, number)
