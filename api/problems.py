"""Errors as ``application/problem+json`` (RFC 9457), each with a stable ``code``.

Every error leaves the API in this one shape: ``type`` (a URN naming the code), ``title``,
``status``, ``detail``, ``instance`` (the request path) and ``code``; EDI syntax problems add
``errors`` with segment / element / line / column. The mapping from the application layer's
errors to statuses is here and nowhere else (docs/api.md lists the codes).
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

from clearance.app import (
    ConflictError,
    NotFoundError,
    NotPermittedError,
    ProcessingError,
    RefusedError,
    StoreUnavailableError,
)
from clearance.app.monitoring import store_fault_seen
from core.errors import CustomsError

PROBLEM_JSON = "application/problem+json"
#: ``Retry-After`` of a 503 for a store that went away or is full: a server restart or a
#: fail-over takes seconds; a client that waits this long finds it back or is told again.
STORE_RETRY_AFTER_SECONDS = 5
log = logging.getLogger("customs.api")

#: The application layer's errors and the status each answers with (most specific first).
STATUSES: tuple[tuple[type[CustomsError], int], ...] = (
    (NotFoundError, 404),
    (RefusedError, 422),
    (ConflictError, 409),
    (NotPermittedError, 403),
    (StoreUnavailableError, 503),
    (ProcessingError, 500),
)


class Problem(BaseModel):
    """The body of every error answer (RFC 9457 members plus ``code`` and ``errors``)."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    code: str


#: The OpenAPI description of a problem answer, for a route's ``responses``.
PROBLEM: dict[str, Any] = {"model": Problem, "content": {PROBLEM_JSON: {}}}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses`` of a route that may answer these statuses with a problem."""
    return dict.fromkeys(statuses, PROBLEM)


class ProblemError(Exception):
    """Raised by the API's own code to answer with a problem."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail
        self.headers = headers or {}
        self.extra = extra


def problem_response(
    request: Request,
    status: int,
    code: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """The problem+json answer."""
    body = Problem(
        type=f"urn:customs:problem:{code}",
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=request.url.path,
        code=code,
        **extra,
    )
    return JSONResponse(
        body.model_dump(mode="json"), status_code=status, headers=headers, media_type=PROBLEM_JSON
    )


def install(app: FastAPI) -> None:
    """Answer every error of ``app`` as problem+json."""
    app.add_exception_handler(ProblemError, _problem)  # type: ignore[arg-type]
    app.add_exception_handler(CustomsError, _customs)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)


async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
    return problem_response(request, exc.status, exc.code, exc.detail, exc.headers, **exc.extra)


async def _customs(request: Request, exc: CustomsError) -> JSONResponse:
    status = next((s for kind, s in STATUSES if isinstance(exc, kind)), 400)
    extra: dict[str, Any] = {}
    headers: dict[str, str] | None = None
    if isinstance(exc, ProcessingError):
        # The raw bytes are kept and the message marked failed: say which, so it can be retried.
        extra["message_id"] = exc.message_id
        log.error("processing failed: %s", exc.message)
    if isinstance(exc, StoreUnavailableError):
        # The store went away or its disk is full: nothing was registered; send again later.
        store_fault_seen(exc, "api", path=request.url.path)
        headers = {"Retry-After": str(STORE_RETRY_AFTER_SECONDS)}
    return problem_response(request, status, exc.code, exc.message, headers, **extra)


async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [
        {"location": ".".join(str(p) for p in e.get("loc", ())), "message": str(e.get("msg"))}
        for e in exc.errors()
    ]
    detail = "; ".join(f"{e['location']}: {e['message']}" for e in errors[:5])
    return problem_response(request, 422, "invalid_request", detail, errors=errors)


async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = {404: "no_such_route", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return problem_response(
        request, exc.status_code, code, str(exc.detail), dict(exc.headers or {})
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem_response(request, 500, "internal_error", "an unexpected error occurred")
