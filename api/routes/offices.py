"""The customs-offices registry over HTTP (issue 12): public reference data, read by any
authenticated subject; loading it is ``customs offices load`` (the admin's and operator's)."""

from __future__ import annotations

from fastapi import APIRouter

from api.auth import App, CurrentActor
from api.problems import problems
from clearance.app import offices
from clearance.app.offices import OfficeView

router = APIRouter(tags=["reference data"])


@router.get(
    "/v1/offices",
    summary="Every customs office of the registry, by code",
    response_model=list[OfficeView],
)
def list_offices(app: App, actor: CurrentActor) -> list[OfficeView]:
    """关区代码 and EU/UK office references with their names, country and validity."""
    return offices.list_offices(app, actor)


@router.get(
    "/v1/offices/{code}",
    summary="One customs office",
    response_model=OfficeView,
    responses=problems(404),
)
def show_office(code: str, app: App, actor: CurrentActor) -> OfficeView:
    """404 (problem+json) for a code the registry does not hold."""
    return offices.show_office(app, actor, code)
