"""The customs-offices registry over HTTP (issue 12): public reference data, read by any
authenticated subject; loaded by the admin (``POST /v1/offices``) as ``customs offices load``
loads it at the command line: the same use case, the same lines, the same errors."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from api.auth import App, CurrentActor
from api.problems import problems
from clearance.app import Document, offices
from clearance.app.offices import OfficesLoaded, OfficeView

router = APIRouter(tags=["reference data"])


@router.get(
    "/v1/offices",
    summary="Every customs office of the registry, by code",
    response_model=list[OfficeView],
)
def list_offices(app: App, actor: CurrentActor) -> list[OfficeView]:
    """关区代码 and EU/UK office references with their names, country and validity."""
    return offices.list_offices(app, actor)


@router.post(
    "/v1/offices",
    summary="Load customs offices (JSON lines, as customs offices load): all or nothing",
    response_model=OfficesLoaded,
    responses=problems(403, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
        }
    },
)
async def load_offices(
    request: Request,
    app: App,
    actor: CurrentActor,
    filename: Annotated[str, Query(min_length=1, max_length=255)] = "offices.jsonl",
) -> OfficesLoaded:
    """The body is an offices file (docs/cli.md): one JSON object per line, upserted by code.

    A bad line refuses the whole body (422, ``filename:line: field: message`` for every bad
    line) and nothing is written; offices the body does not name are kept. The admin's (and
    the operator's) work: 403 for every other role.
    """
    document = Document(filename, await request.body())
    return await run_in_threadpool(offices.load, app, actor, [document])


@router.get(
    "/v1/offices/{code}",
    summary="One customs office",
    response_model=OfficeView,
    responses=problems(404),
)
def show_office(code: str, app: App, actor: CurrentActor) -> OfficeView:
    """404 (problem+json) for a code the registry does not hold."""
    return offices.show_office(app, actor, code)
