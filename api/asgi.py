"""The ASGI application: ``build(settings)`` for tests and embedding, ``create()`` for uvicorn.

``customs serve`` runs ``uvicorn api.asgi:create --factory``: one :class:`Application` per
process, shared by every request (each use case opens its own unit of work).
"""

from __future__ import annotations

import importlib
import importlib.util
import time
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import problems as problem_answers
from api.auth import Authenticator, current_actor, identity_bearer, identity_cached_bearer
from api.hot import HotRoutes
from api.metrics import metrics_router
from api.params import checked_query
from api.problems import problems
from api.ratelimit import RateLimiter
from api.routes import admin, declarations, events, health, officer, reference, submissions
from api.routes import fx as fx_routes
from api.routes import offices as office_routes
from api.routes import statistics as statistics_routes
from api.routes import trader_records as trader_record_routes
from api.routes import webhooks as webhook_routes
from api.settings import ApiSettings, load_api_settings
from api.threads import limiting_threads, thread_limit
from clearance.app import Application, open_application
from core.logs import REQUEST_STARTED
from core.runtime import settle_heap
from core.settings import Settings, load_settings

TITLE = "Golden Customs API"
VERSION = "1.0.0"
OPENAPI_PATH = "/v1/openapi.json"
#: The two hottest routes, each in a router of its own, included first behind the guard:
#: FastAPI's router matches routers in order, every route of a router before the next
#: (docs/api.md, stop 24), and api.hot.HotRoutes answers them ahead of that router (stop 26).
HOT = (declarations.hot_router, submissions.hot_router)
#: Routers whose every route needs an authenticated subject.
PROTECTED = (
    *HOT,
    submissions.router,
    declarations.router,
    events.router,
    reference.router,
    officer.router,
    admin.router,
    fx_routes.router,  # FX monitoring (issue 14)
    statistics_routes.router,  # trade statistics (issue 14)
    webhook_routes.router,  # webhooks (issues 12 and 15)
    trader_record_routes.router,  # a trader's licences and rebate records (issue 12)
    office_routes.router,  # the customs-offices registry (issue 12)
)


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
        # FastAPI's own OpenTelemetry hooks: no SDK is installed and none is configured, yet
        # they check for one on every request; off, the event loop saves that (stop 23).
        telemetry={"tracing": False, "metrics": False, "logs": False},
        lifespan=limiting_threads(thread_limit(api_settings, application)),
    )
    app.state.application = application
    app.state.authenticator = authenticator or identity_bearer
    # The no-I/O shortcut belongs to the identity module's check only: another authenticator
    # (tests, embedders) is asked every time.
    app.state.cached_authenticator = identity_cached_bearer if authenticator is None else None
    app.state.api_settings = api_settings
    app.state.rate_limiter = RateLimiter(api_settings.rate_per_second, api_settings.rate_burst)
    problem_answers.install(app)
    # Counts and times only, no tenant data: restrict who reaches it at the network edge.
    ahead = (health.router, metrics_router(application))
    for router in ahead:
        app.include_router(router)
    for router in PROTECTED:  # each route asks for the actor too; this guards one that forgot
        # An unknown or repeated one-value query parameter is 422 (api/params.py); not on the
        # hot routes, which take no query and whose lean handler runs nothing but the guard.
        guards = [Depends(current_actor)]
        if router not in HOT:
            guards.append(Depends(checked_query))
        app.include_router(router, dependencies=guards, responses=problems(401, 403, 429, 503))
    _serve_openapi(app)
    _mount_console(app, application)
    # Innermost of the three: the request clock runs for the hot routes too.
    app.add_middleware(HotRoutes, api=app, hot=HOT, ahead=ahead)
    body_limit = max(api_settings.max_body_bytes, application.settings.document_max_bytes)
    app.add_middleware(BodyLimit, limit=body_limit)
    app.add_middleware(RequestClock)
    return app


class RequestClock:
    """Marks when the application began on an HTTP request, for the access line's
    ``duration_ms`` (core/logs.py): a pure ASGI layer, one clock read a request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Note the start of an HTTP request, then hand it on."""
        if scope["type"] == "http":
            REQUEST_STARTED.set(time.perf_counter())
        await self.app(scope, receive, send)


class BodyLimit:
    """Refuses (413 ``too_large``) a request body over ``limit`` bytes on every ``/v1`` route
    but ``POST /v1/submissions`` (which checks its own, as it streams): an amendment, a
    presented document, a JSON command is otherwise read whole into memory, however large.

    A pure ASGI layer: a request without a body method, or to another path, goes through
    untouched; the others are read up to the limit (by ``Content-Length`` first, else as they
    come) and handed on as read.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Hand the request on, or answer 413 when its body is over the limit."""
        if (
            scope["type"] != "http"
            or scope["method"] not in _BODY_METHODS
            or not scope["path"].startswith("/v1/")
            or scope["path"] == SUBMISSIONS_PATH
        ):
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                await self._refuse(scope, receive, send)
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            body: bytes = message.get("body", b"")
            size += len(body)
            if size > self.limit:
                await self._refuse(scope, receive, send)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        read = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        handed = False

        async def replay() -> Message:
            nonlocal handed
            if handed:
                return await receive()
            handed = True
            return read

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        answer = problem_answers.problem_response(
            request, 413, "too_large", f"a request body may have at most {self.limit} bytes"
        )
        await answer(scope, receive, send)


#: The methods whose requests carry a body.
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
#: The route that limits its own body (``CUSTOMS_API_MAX_BODY_BYTES``, streamed).
SUBMISSIONS_PATH = "/v1/submissions"


def create() -> FastAPI:
    """The factory uvicorn calls (``customs serve``): settings from the environment, the
    process's garbage-collector policy applied once the API is built (core/runtime.py)."""
    app = build()
    settle_heap(app.state.application.settings)
    return app


def openapi_document(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document of ``app`` (what ``/v1/openapi.json`` serves)."""
    return app.openapi()


def _serve_openapi(app: FastAPI) -> None:
    @app.get(OPENAPI_PATH, include_in_schema=False, dependencies=[Depends(current_actor)])
    def openapi(request: Request) -> JSONResponse:
        return JSONResponse(openapi_document(request.app))


def _mount_console(app: FastAPI, application: Application) -> None:
    # The officer console and trader portal (issue 13) live in api/console when present and
    # mount themselves on the same application: one process serves both.
    if importlib.util.find_spec("api.console") is not None:
        console = importlib.import_module("api.console")
        console.mount(app, application)
