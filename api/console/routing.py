"""The console's routes and how their failures become pages.

Every console route runs through :class:`ConsoleRoute`: a use case's ``NotFoundError`` (also
another tenant's object) is the "page not found" page with status 404, a role that may not call
a use case is 403, a form without the session's CSRF token is 403, and a page that needs a
signed-in subject sends the visitor to the sign-in page. These are handled here, for the
console's routes only, so that the JSON API keeps its own error format.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute

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
                try:
                    return await handler(request)
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

            return guarded

    return APIRouter(prefix=PREFIX, route_class=ConsoleRoute, include_in_schema=False)


def _error(console: Console, request: Request, status: int, title: str) -> Response:
    return console.visit(request).render("error.html", status=status, title=title)
