"""The ASGI application: ``build(settings)`` for tests and embedding, ``create()`` for uvicorn.

``customs serve`` runs ``uvicorn api.asgi:create --factory``: one :class:`Application` per
process, shared by every request (each use case opens its own unit of work).
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from api import problems
from api.auth import Authenticator, current_actor, refuse_all
from api.ratelimit import RateLimiter
from api.routes import (
    declarations,
    events,
    health,
    statistics,  # issue 14
    submissions,
)
from api.settings import ApiSettings, load_api_settings
from clearance.app import Application, open_application
from core.settings import Settings, load_settings

TITLE = "Golden Customs API"
VERSION = "1.0.0"
OPENAPI_PATH = "/v1/openapi.json"
#: Routers whose every route needs an authenticated subject.
PROTECTED = (submissions.router, declarations.router, events.router, statistics.router)


def build(
    settings: Settings | None = None,
    *,
    application: Application | None = None,
    authenticator: Authenticator | None = None,
    api_settings: ApiSettings | None = None,
) -> FastAPI:
    """The API over ``application`` (opened, and migrated, from ``settings`` when not given)."""
    application = application or open_application(settings or load_settings())
    api_settings = api_settings or load_api_settings()
    app = FastAPI(
        title=TITLE,
        version=VERSION,
        description="Customs declarations over HTTP: submissions, declarations, events.",
        openapi_url=None,  # served below, behind authentication like every /v1 route
        docs_url=None,
        redoc_url=None,
    )
    app.state.application = application
    app.state.authenticator = authenticator or default_authenticator()
    app.state.api_settings = api_settings
    app.state.rate_limiter = RateLimiter(api_settings.rate_per_second, api_settings.rate_burst)
    problems.install(app)
    app.include_router(health.router)
    for router in PROTECTED:  # each route asks for the actor too; this guards one that forgot
        app.include_router(router, dependencies=[Depends(current_actor)])
    _serve_openapi(app)
    _mount_console(app)
    return app


def create() -> FastAPI:
    """The factory uvicorn calls (``customs serve``): settings from the environment."""
    return build()


def openapi_document(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document of ``app`` (what ``/v1/openapi.json`` serves)."""
    return app.openapi()


def default_authenticator() -> Authenticator:
    """The identity module's bearer check when the application layer has one, else nobody."""
    if importlib.util.find_spec("clearance.app.identity") is None:
        return refuse_all
    identity = importlib.import_module("clearance.app.identity")
    check: Authenticator = identity.authenticate_bearer
    return check


def _serve_openapi(app: FastAPI) -> None:
    @app.get(OPENAPI_PATH, include_in_schema=False, dependencies=[Depends(current_actor)])
    def openapi(request: Request) -> JSONResponse:
        return JSONResponse(openapi_document(request.app))


def _mount_console(app: FastAPI) -> None:
    # The officer console and trader portal (issue 13) live in api/console when present and
    # mount themselves on the same application: one process serves both.
    if importlib.util.find_spec("api.console") is not None:
        console = importlib.import_module("api.console")
        console.mount(app)
