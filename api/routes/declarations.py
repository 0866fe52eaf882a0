"""Declarations: a filtered, cursor-paged list; one declaration with everything about it;
amend and invalidate; the raw messages and responses behind it."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api import links
from api.auth import App, CurrentActor, guarded_caller
from api.downloads import DOWNLOAD, download
from api.idempotent import answer_once
from api.lean import GuardedRoute
from api.params import MAX_ID, RowId
from api.problems import PROBLEM, problems
from clearance.app import Document, SubmissionOutcome, declarations, submissions
from clearance.app import declaration_search as search
from clearance.app import declarations_changes as changes
from clearance.app.declarations import DeclarationResource

router = APIRouter(prefix="/v1/declarations", tags=["declarations"])
#: The hottest route (reading one declaration) alone: api.asgi includes it before every other
#: router, so FastAPI's router tries one route, not every health, metrics, submission and
#: declaration route before it; and as a GuardedRoute it skips FastAPI's dependency
#: resolution behind the guard (api/lean.py, docs/api.md "Per-request cost, stop 24").
hot_router = APIRouter(prefix="/v1/declarations", tags=["declarations"], route_class=GuardedRoute)


class Invalidation(BaseModel):
    """Why the declaration is to be cancelled."""

    reason: str = Field(min_length=1, max_length=512)


class ChangeOutcome(BaseModel):
    """What an amendment or invalidation came to (the submission's outcome)."""

    conversation_id: str
    message_id: int
    status: str
    outcome: dict[str, Any]


@router.get(
    "",
    summary="Declarations the caller may see, newest first, filtered",
    response_model=search.DeclarationPage,
    responses={200: links.DECLARATION_PAGE, **problems(422)},
)
def list_declarations(
    request: Request,
    response: Response,
    app: App,
    actor: CurrentActor,
    status: search.StatusName | None = None,
    lane: search.LaneName | None = None,
    direction: search.DirectionName | None = None,
    office: Annotated[str | None, Query(pattern=search.OFFICE_PATTERN)] = None,
    trader: Annotated[str | None, Query(pattern=search.PARTY_PATTERN)] = None,
    accepted_from: date | None = None,
    accepted_to: date | None = None,
    commodity: Annotated[str | None, Query(pattern=r"^\d{2,10}$")] = None,
    cursor: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=search.MAX_PAGE)] = 50,
) -> search.DeclarationPage:
    """A page of declarations; ``next_cursor`` (and the ``Link`` header) ask for the next."""
    wanted = search.DeclarationFilter(
        status=status,
        lane=lane,
        direction=direction,
        office=office,
        trader=trader,
        accepted_from=accepted_from,
        accepted_to=accepted_to,
        commodity=commodity,
    )
    page = search.search(app, actor, wanted, before=cursor, limit=limit)
    if page.next_cursor is not None:
        following = request.url.include_query_params(cursor=page.next_cursor)
        response.headers["Link"] = f'<{following}>; rel="next"'
    return page


@hot_router.get(
    "/{number}",
    summary="One declaration with its assessment, decision, versions and responses",
    response_model=DeclarationResource,
    responses={200: links.DECLARATION, **problems(404)},
)
def show(number: str, request: Request) -> Response:
    """Everything stored about ``number`` (404 if the caller may not see it)."""
    app, actor = guarded_caller(request)  # the router's guard authenticated the caller
    resource = declarations.show_with_decision(app, actor, number)
    # The use case built and validated the model: serialise it once, without FastAPI's second
    # validation for ``response_model`` (which stays, for the document).
    return Response(resource.model_dump_json(by_alias=True), media_type="application/json")


@router.get(
    "/{number}/versions/{version}/message",
    summary="The message that made one version, as received",
    response_class=Response,
    responses={**DOWNLOAD, 404: PROBLEM},
)
def version_message(number: str, version: RowId, app: App, actor: CurrentActor) -> Response:
    """The raw interchange behind version ``version`` of ``number``."""
    return download(submissions.declaration_message(app, actor, number, version))


@router.get(
    "/{number}/responses/{answer_id}",
    summary="One response about the declaration, as sent",
    response_class=Response,
    responses={**DOWNLOAD, 404: PROBLEM},
)
def response_text(number: str, answer_id: RowId, app: App, actor: CurrentActor) -> Response:
    """A CUSRES, RES-DMS, 355 … exactly as sent."""
    return download(submissions.declaration_response(app, actor, number, answer_id))


@router.post(
    "/{number}/amendments",
    status_code=202,
    summary="Amend a declaration with a new canonical content",
    response_model=ChangeOutcome,
    responses=problems(404, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
async def amend(
    number: str,
    request: Request,
    app: App,
    actor: CurrentActor,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> Response:
    """A new version of ``number``; the ``Idempotency-Key`` is the change's reference, and
    the same key with another body is 422 (as for a submission)."""
    raw = await request.body()

    async def produce() -> Response:
        declaration = changes.read_declaration(Document(f"amendment of {number}", raw))
        outcome = await run_in_threadpool(
            changes.amend, app, actor, number, declaration, reference=idempotency_key
        )
        return _change(outcome)

    return await answer_once(app, actor, idempotency_key, ("POST", request.url.path, raw), produce)


@router.post(
    "/{number}/invalidation",
    status_code=202,
    summary="Invalidate (cancel) a declaration",
    response_model=ChangeOutcome,
    responses=problems(404, 422),
)
async def invalidate(
    number: str,
    body: Invalidation,
    request: Request,
    app: App,
    actor: CurrentActor,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> Response:
    """Cancel ``number`` (refusals name the listed cases and why they do not apply)."""

    async def produce() -> Response:
        outcome = await run_in_threadpool(
            changes.invalidate, app, actor, number, body.reason, reference=idempotency_key
        )
        return _change(outcome)

    request_parts = ("POST", request.url.path, body.model_dump_json().encode())
    return await answer_once(app, actor, idempotency_key, request_parts, produce)


def _change(outcome: SubmissionOutcome) -> Response:
    """The change's outcome as the 202 answer (a Response, so a replay can give it again)."""
    change = ChangeOutcome(
        conversation_id=str(outcome.message_id),
        message_id=outcome.message_id,
        status=outcome.status.value,
        outcome=outcome.to_json(),
    )
    return Response(change.model_dump_json(), status_code=202, media_type="application/json")
