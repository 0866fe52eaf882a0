"""The hottest routes dispatched ahead of FastAPI's router: a read of one declaration, a submission.

Behind the user middleware, FastAPI answers a request through Starlette's exception middleware,
its own exit-stack middleware, its router (which, for an included router, matches the router
and then its routes again, FastAPI >= 0.16x) and the route's wrapper with two more exit
stacks, before the route's handler runs. For ``GET /v1/declarations/{number}`` that was about
as much of the event loop's time as the handler itself, authentication included (docs/api.md,
"Stop 26: apiget").

:class:`HotRoutes` is a pure ASGI layer that sends a request for one of a few
:class:`api.lean.GuardedRoute` routes straight to that route's lean handler, wrapped exactly as
Starlette wraps a route's handler (``request_response``) inside Starlette's own
``ExceptionMiddleware`` with the application's exception handlers: the guard (authentication,
the rate limit) runs in the handler as before, errors answer as problem+json through the same
handlers, an unexpected error reaches the server-error middleware outside as before, and the
middleware outside this layer (the request clock, the body limit) is unchanged. Any other
request goes on to FastAPI. Only routes whose requests FastAPI's router would hand to the
same route are taken: each is behind the guard (:func:`HotRoutes.table` is given only routers
``api.asgi.build`` includes with it), and no route matched before it can match its paths.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI
from starlette.convertors import StringConvertor
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.routing import BaseRoute, Route, request_response
from starlette.types import ASGIApp, Receive, Scope, Send

from api.lean import GuardedRoute, lean_handler


@dataclass(frozen=True, slots=True)
class HotRoute:
    """One route taken ahead of the router: its methods, its path's regex, the route and its
    endpoint (for the scope, as FastAPI's router sets them) and the ASGI app that answers it."""

    methods: frozenset[str]
    path: re.Pattern[str]
    route: GuardedRoute
    endpoint: Callable[..., Any]
    app: ASGIApp


class HotRoutes:
    """Send requests for the hot routes to their handlers directly; all others to ``app``.

    ``api`` is the FastAPI application (its exception handlers, read when the first request
    arrives, as Starlette builds its middleware stack then); ``hot`` the routers whose lean
    routes are taken, all included behind the guard; ``ahead`` every router included before
    them (their routes must not match a hot path, else nothing is taken ahead of the router).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        api: FastAPI,
        hot: Sequence[APIRouter],
        ahead: Sequence[APIRouter],
    ) -> None:
        self.app = app
        self.api = api
        self.routes = table(hot, ahead)
        self._answers: dict[int, ASGIApp] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer a hot route's request with its handler, anything else with ``app``."""
        # Under a root path Starlette's router matches a path stripped of it: leave it to it.
        if scope["type"] == "http" and not scope.get("root_path"):
            method, path = scope["method"], scope["path"]
            for index, route in enumerate(self.routes):
                if method in route.methods:
                    match = route.path.match(path)
                    if match is not None:
                        # What FastAPI's router puts in the scope for a matched route.
                        scope["route"] = route.route
                        scope["endpoint"] = route.endpoint
                        scope["path_params"] = match.groupdict()
                        await self._answer(index)(scope, receive, send)
                        return
        await self.app(scope, receive, send)

    def _answer(self, index: int) -> ASGIApp:
        if self._answers is None:
            handlers = {
                key: handler
                for key, handler in self.api.exception_handlers.items()
                if key not in (500, Exception)  # the server-error middleware's, outside
            }
            self._answers = {
                i: ExceptionMiddleware(route.app, handlers=handlers)
                for i, route in enumerate(self.routes)
            }
        return self._answers[index]


def table(hot: Sequence[APIRouter], ahead: Sequence[APIRouter]) -> tuple[HotRoute, ...]:
    """The lean routes of ``hot`` (in order), or none if a route of ``ahead`` could take one
    of their paths first."""
    earlier: list[BaseRoute] = [route for router in ahead for route in router.routes]
    taken: list[HotRoute] = []
    for router in hot:
        for route in router.routes:
            if not isinstance(route, GuardedRoute):
                return ()  # the router's order is FastAPI's to keep
            handler = lean_handler(route)
            if handler is None or not _plain_path(route) or not route.methods:
                return ()
            # Among the hot routes the order is the router's: the first that matches answers.
            if any(not _fixed_apart(other, route) for other in earlier):
                return ()
            taken.append(
                HotRoute(
                    methods=frozenset(route.methods),
                    path=route.path_regex,
                    route=route,
                    endpoint=route.endpoint,
                    app=request_response(handler),
                )
            )
    return tuple(taken)


def _plain_path(route: Route) -> bool:
    # ``str`` segments only: the regex's groups are the path parameters, as Starlette's
    # router would convert them (the str converter hands the text on as it is).
    return all(isinstance(c, StringConvertor) for c in route.param_convertors.values())


def _fixed_apart(other: BaseRoute, route: Route) -> bool:
    # A route ahead of a hot one leaves its paths alone when its own path is fixed (no
    # parameters) and is not one of the hot route's paths.
    return (
        isinstance(other, Route)
        and not other.param_convertors
        and route.path_regex.match(other.path) is None
    )
