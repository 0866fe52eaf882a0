"""Who is calling: ``Authorization: Bearer …`` on every route but the health checks.

The token is an API key (``gck_…``) or a JWT; telling them apart and checking them is the
identity module's work in the application layer. The API only takes the header apart, asks the
configured :data:`Authenticator`, and answers 401 (one message for every failure) or hands the
route an :class:`~clearance.app.Actor`. The rate limit is per authenticated subject.

The dependencies here are ``async``: FastAPI runs a plain ``def`` dependency in its thread pool,
a hop per dependency per request. An API key this process verified lately is known without I/O
(:func:`clearance.app.identity.cached_bearer`) and is answered on the event loop; only a key
not seen lately (or a JWT) goes to the thread pool to be looked up in the store.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from api.problems import ProblemError
from api.ratelimit import RateLimiter
from clearance.app import Actor, Application, identity
from core.errors import CustomsError

#: Turns a bearer token into the acting subject; raises :class:`NotAuthenticatedError` (or any
#: ``CustomsError`` whose ``code`` is ``not_authenticated``) when it cannot.
Authenticator = Callable[[Application, str], Actor]
#: The same without I/O: the actor if it is known already, else None (then ask the
#: :data:`Authenticator`).
CachedAuthenticator = Callable[[Application, str], Actor | None]

#: The one answer to a missing, malformed, unknown, revoked or expired credential.
REFUSAL = "a valid bearer credential (API key or token) is required"
_bearer = HTTPBearer(auto_error=False, description="An API key (gck_…) or a JWT.")


class NotAuthenticatedError(CustomsError):
    """The credential is missing or not valid (never says which)."""

    code = "not_authenticated"


def identity_bearer(app: Application, token: str) -> Actor:
    """The identity module's check of a bearer credential: an API key (``gck_…``) or a JWT
    from the organisation's identity provider (verified against ``CUSTOMS_JWKS``)."""
    return identity.authenticate_bearer(app, token)


def identity_cached_bearer(app: Application, token: str) -> Actor | None:
    """The actor of an API key the identity module verified lately in this process."""
    return identity.cached_bearer(app, token)


def refuse_all(app: Application, token: str) -> Actor:
    """The authenticator of an API without an identity store: nobody gets in."""
    raise NotAuthenticatedError(REFUSAL)


async def application(request: Request) -> Application:
    """The application the API was built over."""
    app: Application = request.app.state.application
    return app


async def current_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    """The authenticated subject of this request, within its rate limit (else 401 / 429)."""
    return await admit(request, None if credentials is None else credentials.credentials)


async def authenticate(request: Request) -> Actor:
    """:func:`current_actor` without FastAPI's dependency resolution, for
    :class:`api.lean.GuardedRoute`: the bearer credential read from the ``Authorization``
    header as FastAPI's ``HTTPBearer`` reads it, then the same checks."""
    return await admit(request, bearer_token(request.headers.get("authorization")))


def bearer_token(authorization: str | None) -> str | None:
    """The credential of an ``Authorization: Bearer …`` header value, else None (as
    ``HTTPBearer(auto_error=False)``: any other scheme, or nothing after it, is no credential)."""
    if not authorization:
        return None
    scheme, _, credential = authorization.partition(" ")
    credential = credential.strip()
    if not scheme or not credential or scheme.lower() != "bearer":
        return None
    return credential


async def admit(request: Request, token: str | None) -> Actor:
    """The subject ``token`` authenticates, within its rate limit (else 401 / 429); kept on
    ``request.state.actor`` for :func:`guarded_caller`."""
    if not token:
        raise _unauthorised()
    # The application's state once: each ``request.app.state.x`` is a property and a
    # ``State.__getattr__``, about 1.7 µs on the event loop (docs/api.md, stop 27).
    state = request.app.state
    app: Application = state.application
    cached: CachedAuthenticator | None = state.cached_authenticator
    try:
        actor = None if cached is None else cached(app, token)
        if actor is None:
            authenticator: Authenticator = state.authenticator
            actor = await run_in_threadpool(authenticator, app, token)
    except CustomsError as exc:
        if exc.code != "not_authenticated" and not isinstance(exc, NotAuthenticatedError):
            raise
        raise _unauthorised() from exc
    limiter: RateLimiter = state.rate_limiter
    wait = limiter.take(actor.subject)
    if wait > 0:
        raise ProblemError(
            429,
            "rate_limited",
            f"too many requests from {actor.subject}; retry after the given seconds",
            headers={"Retry-After": limiter.retry_after(wait)},
        )
    request.state.actor = actor
    return actor


def _unauthorised() -> ProblemError:
    # Made when refused only: building it for every request cost the event loop more than
    # the rate limit's check (docs/api.md, stop 26).
    return ProblemError(401, "not_authenticated", REFUSAL, headers={"WWW-Authenticate": "Bearer"})


def guarded_caller(request: Request) -> tuple[Application, Actor]:
    """The application and the subject the router's guard (:func:`current_actor`, which every
    protected router runs first) authenticated for this request.

    For the hottest routes (submitting, reading one declaration): taking the caller from the
    guard instead of the ``App`` and ``CurrentActor`` dependencies leaves FastAPI three
    dependencies to resolve instead of six on every request (docs/api.md, Figures, stop 23).
    A route served without the guard has no actor here and is refused, never let through.
    """
    actor = getattr(request.state, "actor", None)
    if not isinstance(actor, Actor):
        raise ProblemError(
            401, "not_authenticated", REFUSAL, headers={"WWW-Authenticate": "Bearer"}
        )
    app: Application = request.app.state.application
    return app, actor


#: The parameter type of a route that acts for the caller.
CurrentActor = Annotated[Actor, Depends(current_actor)]
#: The parameter type of a route that calls use cases.
App = Annotated[Application, Depends(application)]
