"""The console's routes and how their failures become pages.

Every console route runs through :class:`ConsoleRoute`: a use case's ``NotFoundError`` (also
another tenant's object) is the "page not found" page with status 404, a role that may not call
a use case is 403, a form without the session's CSRF token is 403, and a page that needs a
signed-in subject sends the visitor to the sign-in page. A form or address the route cannot
read (a word where a number belongs: 422; a malformed form: 400) and a form larger than
:data:`~api.console.forms.BODY_MAX_BYTES` (413, refused from its ``Content-Length`` before it is
parsed; one sent without ``Content-Length``, chunked, as soon as what was read of it passes the
limit, so that it is never read or spooled whole) are error pages too, as is any address under
``/console`` that names no page (:func:`add_not_found`). These are handled here, for the
console's routes only, in the session's language, so that the JSON API keeps its own error
format.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from importlib.resources.abc import Traversable
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.routing import Match, Route
from starlette.types import Message, Receive, Scope, Send

from api.console.forms import BODY_MAX_BYTES
from api.console.i18n import N_
from api.console.pages import (
    PREFIX,
    Console,
    CsrfError,
    SignInRequiredError,
    WrongRoleError,
)
from clearance.app import NotFoundError, NotPermittedError, StoreUnavailableError


def console_router(console: Console) -> APIRouter:
    """An empty router whose routes render the console's error pages."""

    class ConsoleRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def guarded(request: Request) -> Response:
                if _declared_size(request) > BODY_MAX_BYTES:
                    await _drain(request)
                    return _error(console, request, 413, N_("The file is too large"))
                limited = _limit_undeclared(request)
                try:
                    return await handler(request)
                except BodyTooLargeError:
                    assert limited is not None
                    await limited.drain()
                    return _error(console, request, 413, N_("The file is too large"))
                except SignInRequiredError as exc:  # its visit may have ended the session
                    return exc.visit.sign_in_redirect()
                except NotFoundError:
                    return _error(console, request, 404, N_("Page not found"))
                except (NotPermittedError, WrongRoleError):
                    return _error(console, request, 403, N_("You cannot use this page"))
                except CsrfError:
                    return _error(console, request, 403, N_("This form has expired"))
                except StoreUnavailableError:
                    return _error(console, request, 503, N_("The service is unavailable"))
                except RequestValidationError:
                    return _error(console, request, 422, N_("The form or address is not valid"))
                except HTTPException as exc:  # the form could not be read, or was too large
                    title = TITLES.get(exc.status_code, N_("The form could not be read"))
                    return _error(console, request, exc.status_code, title)

            return guarded

    return APIRouter(prefix=PREFIX, route_class=ConsoleRoute, include_in_schema=False)


def add_not_found(app: FastAPI, console: Console, pages: APIRouter) -> None:
    """Answer every address under ``/console`` that names no page with the "page not found"
    page (any method), and an address that names a page with a method it does not answer
    with 405 "This method is not allowed" and ``Allow`` (as the API does; ``pages``, the
    console's router, says which methods it answers). Added after the console's pages and its
    static files, so it only catches what they leave."""

    @app.api_route(
        PREFIX + "/{rest:path}",
        methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        include_in_schema=False,
    )
    def not_found(request: Request, rest: str) -> Response:
        del rest
        allowed = _allowed_methods(pages, request)
        if allowed:
            answer = _error(console, request, 405, N_("This method is not allowed"))
            answer.headers["Allow"] = ", ".join(allowed)
            return answer
        return _error(console, request, 404, N_("Page not found"))


def _allowed_methods(pages: APIRouter, request: Request) -> list[str]:
    """The methods the console's pages answer at the request's address (none: no page is
    there), HEAD with every GET (:mod:`api.console.head`). Starlette matches a page's address
    asked with another method as PARTIAL and goes on to the catch-all; this asks the pages."""
    methods: set[str] = set()
    for route in pages.routes:
        if isinstance(route, Route) and route.methods:
            match, _ = route.matches(request.scope)
            if match is not Match.NONE:
                methods |= route.methods
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


#: What the console's static files answer.
STATIC_METHODS = ("GET", "HEAD")


class ConsoleStatic(StaticFiles):
    """The console's static files; another method than GET or HEAD is the console's 405 page
    with ``Allow``, as for its pages, not Starlette's plain-text answer."""

    def __init__(self, console: Console, directory: Traversable) -> None:
        super().__init__(directory=str(directory))
        self.console = console

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the file, or answer a method it does not take with the 405 page."""
        if scope["type"] == "http" and scope["method"] not in STATIC_METHODS:
            request = Request(scope, receive)
            answer = _error(self.console, request, 405, N_("This method is not allowed"))
            answer.headers["Allow"] = ", ".join(STATIC_METHODS)
            await answer(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


#: The error pages' titles by HTTP status, for errors raised below the pages.
TITLES = {
    405: N_("This method is not allowed"),
    413: N_("The file is too large"),
    422: N_("The form or address is not valid"),
}
#: How much of a form too large to read is read and thrown away before the page answers, so
#: that the browser, still sending, sees the answer rather than a reset connection; beyond it
#: the connection is closed.
DRAIN_MAX_BYTES = 4 * BODY_MAX_BYTES


class BodyTooLargeError(HTTPException):
    """A body sent without ``Content-Length`` went past :data:`BODY_MAX_BYTES` as it was read.

    An ``HTTPException`` so that FastAPI's form reading lets it through as it is (it turns any
    other failure while reading a form into a 400)."""

    def __init__(self) -> None:
        super().__init__(413)


class _LimitedBody:
    """The request's body as it comes (chunked, no ``Content-Length``), counted: the form parser
    gets it in the pieces the client sends and :class:`BodyTooLargeError` once it passes
    :data:`BODY_MAX_BYTES`, so that a body too large is never read (spooled to disk) whole."""

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self.read = 0
        self.done = False

    async def __call__(self) -> Message:
        message = await self._receive()
        if message["type"] != "http.request":
            return message
        self.read += len(message.get("body", b""))
        self.done = not message.get("more_body", False)
        if self.read > BODY_MAX_BYTES:
            raise BodyTooLargeError()
        return message

    async def drain(self) -> None:
        """Read and throw away what the client is still sending, up to
        :data:`DRAIN_MAX_BYTES` in all (as for a declared size), so that it sees the answer."""
        while not self.done and self.read <= DRAIN_MAX_BYTES:
            message = await self._receive()
            if message["type"] != "http.request":
                return
            self.read += len(message.get("body", b""))
            self.done = not message.get("more_body", False)


def _limit_undeclared(request: Request) -> _LimitedBody | None:
    """Count the body of a request that declares no size as it is read (None: it declares one,
    checked against the limit before anything is read)."""
    if "content-length" in request.headers:
        return None
    limited = _LimitedBody(request.receive)
    # The handler reads the form through this same request object (FastAPI's request handler
    # is given it): its body now comes through the counter.
    request._receive = limited
    return limited


def _declared_size(request: Request) -> int:
    try:
        return int(request.headers.get("content-length", "0"))
    except ValueError:
        return 0


async def _drain(request: Request) -> None:
    if _declared_size(request) > DRAIN_MAX_BYTES:
        return
    async for _chunk in request.stream():
        pass


def _error(console: Console, request: Request, status: int, title: str) -> Response:
    return console.visit(request).render("error.html", status=status, title=title)
