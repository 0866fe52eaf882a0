"""Routes served without FastAPI's per-request dependency resolution: the hottest two.

FastAPI answers every request by resolving the route's dependencies: it walks the dependency
tree, looks each one up in a per-request cache, extracts and validates every parameter with
pydantic, and only then calls the endpoint. For ``GET /v1/declarations/{number}`` and
``POST /v1/submissions`` that is a third of what the event loop spends on the request
(docs/api.md, "Per-request cost, stop 24"), for inputs that need no validation: the request
itself, a ``str`` path parameter, an optional ``str`` header, and the caller.

:class:`GuardedRoute` keeps everything else of FastAPI's route (matching, the OpenAPI document,
the exception handlers, the body limit) and replaces only the handler, when the route is
exactly such a route behind the router's guard (:func:`api.auth.current_actor`): the handler
then runs the guard itself (:func:`api.auth.authenticate`, the same code: authentication, the
rate limit, the actor on ``request.state``), hands the endpoint its inputs, and returns the
``Response`` the endpoint made. Any other shape, a guard missing or a dependency it does not
know, keeps FastAPI's own handler: nothing is ever skipped that FastAPI would have run.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from api.auth import authenticate, current_actor
from api.hop import in_worker

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class GuardedRoute(APIRoute):
    """An ``APIRoute`` whose handler, behind the guard, skips FastAPI's dependency resolution.

    Only for endpoints that take nothing but ``Request``, ``str`` path parameters and optional
    ``str`` headers, and return a ``Response`` (their ``response_model`` documents the body).
    """

    def get_route_handler(self) -> Handler:
        """The lean handler when the (effective, as included) route qualifies, else FastAPI's."""
        standard = super().get_route_handler()
        dependant = _effective_dependant(self)
        if not _guarded(dependant) or not _plain_inputs(dependant):
            return standard
        return _lean_handler(dependant)


def lean_handler(route: APIRoute) -> Handler | None:
    """The lean handler of ``route`` as a router that guards it would include it (the route
    itself asks for nothing but plain inputs, no dependency of its own), else None.

    For :class:`api.hot.HotRoutes`, which is given only routers included behind the guard: the
    handler runs the guard itself, as :meth:`GuardedRoute.get_route_handler`'s does.
    """
    dependant = route.dependant
    if dependant.dependencies or not _plain_inputs(dependant):
        return None
    return _lean_handler(dependant)


def _effective_dependant(route: APIRoute) -> Dependant:
    # A router included with dependencies (the guard) builds the route's handler again, with
    # the included dependencies in an "effective" context it announces in a context variable
    # while it calls get_route_handler (FastAPI >= 0.16x). Read it as APIRoute itself does;
    # without it (another FastAPI), the route's own dependant has no guard: FastAPI's handler.
    from fastapi import routing

    variable = getattr(routing, "_effective_route_context_var", None)
    context = variable.get() if variable is not None else None
    if context is not None and getattr(context, "original_route", None) is route:
        effective: Dependant = context.dependant
        return effective
    return route.dependant


def _guarded(dependant: Dependant) -> bool:
    # The guard, and nothing but the guard, among the dependencies: anything else (another
    # dependency, an override hook) is FastAPI's to resolve.
    # A parameter's own dependency (``actor: CurrentActor``) has a name: the endpoint needs its
    # value, which only FastAPI's resolution hands it.
    guards = dependant.dependencies
    return bool(guards) and all(d.call is current_actor and d.name is None for d in guards)


def _plain_inputs(dependant: Dependant) -> bool:
    # Inputs that need no validation: ``str`` path parameters (the path's regex already
    # matched a non-empty segment) and optional ``str`` headers, nothing from the query, the
    # cookies or the body, no Response, BackgroundTasks or SecurityScopes parameter.
    if dependant.query_params or dependant.cookie_params or dependant.body_params:
        return False
    if (
        dependant.response_param_name
        or dependant.background_tasks_param_name
        or dependant.security_scopes_param_name
        or dependant.websocket_param_name
        or dependant.http_connection_param_name
    ):
        return False
    returns = typing.get_type_hints(dependant.call).get("return") if dependant.call else None
    if not (isinstance(returns, type) and issubclass(returns, Response)):
        return False  # a model to validate and serialise: FastAPI's work
    for field in dependant.path_params:
        if field.field_info.annotation is not str or field.field_info.metadata:
            return False
    for field in dependant.header_params:
        info = field.field_info
        if info.annotation != (str | None) or info.metadata or info.default is not None:
            return False
    return True


def _lean_handler(dependant: Dependant) -> Handler:
    endpoint = dependant.call
    assert endpoint is not None
    is_coroutine = inspect.iscoroutinefunction(endpoint)
    request_name = dependant.request_param_name
    paths = [field.name for field in dependant.path_params]
    headers = [(field.name, field.alias) for field in dependant.header_params]

    async def handle(request: Request) -> Response:
        await authenticate(request)  # the guard: 401 / 429 before anything else
        values: dict[str, Any] = {name: request.path_params[name] for name in paths}
        for name, alias in headers:
            values[name] = request.headers.get(alias)
        if request_name is not None:
            values[request_name] = request
        answer = await endpoint(**values) if is_coroutine else await in_worker(endpoint, **values)
        if not isinstance(answer, Response):
            raise TypeError(f"{endpoint.__name__} must return a Response on a GuardedRoute")
        return answer

    return handle
