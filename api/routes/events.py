"""``GET /v1/events``: the lifecycle event log after a cursor, only what the caller may see."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.auth import App, CurrentActor
from api.problems import Problem
from clearance.app import events
from clearance.app.views import EventPage

router = APIRouter(prefix="/v1/events", tags=["events"])


@router.get(
    "",
    summary="Events after a cursor, oldest first",
    response_model=EventPage,
    responses={422: {"model": Problem, "content": {"application/problem+json": {}}}},
)
def pull(
    app: App,
    actor: CurrentActor,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=events.MAX_PAGE)] = 100,
) -> EventPage:
    """Ask again with ``after=next_cursor`` to follow the log without missing an event."""
    return events.pull(app, actor, after=after, limit=limit)
