"""Who is calling: ``Authorization: Bearer …`` on every route but the health checks.

The token is an API key (``gck_…``) or a JWT; telling them apart and checking them is the
identity module's work in the application layer. The API only takes the header apart, asks the
configured :data:`Authenticator`, and answers 401 (one message for every failure) or hands the
route an :class:`~clearance.app.Actor`. The rate limit is per authenticated subject.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.problems import ProblemError
from api.ratelimit import RateLimiter
from clearance.app import Actor, Application
from core.errors import CustomsError

#: Turns a bearer token into the acting subject; raises :class:`NotAuthenticatedError` (or any
#: ``CustomsError`` whose ``code`` is ``not_authenticated``) when it cannot.
Authenticator = Callable[[Application, str], Actor]

#: The one answer to a missing, malformed, unknown, revoked or expired credential.
REFUSAL = "a valid bearer credential (API key or token) is required"
_bearer = HTTPBearer(auto_error=False, description="An API key (gck_…) or a JWT.")


class NotAuthenticatedError(CustomsError):
    """The credential is missing or not valid (never says which)."""

    code = "not_authenticated"


def refuse_all(app: Application, token: str) -> Actor:
    """The authenticator of an API without an identity store: nobody gets in."""
    raise NotAuthenticatedError(REFUSAL)


def application(request: Request) -> Application:
    """The application the API was built over."""
    app: Application = request.app.state.application
    return app


def current_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    """The authenticated subject of this request, within its rate limit (else 401 / 429)."""
    unauthorised = ProblemError(
        401, "not_authenticated", REFUSAL, headers={"WWW-Authenticate": "Bearer"}
    )
    if credentials is None or not credentials.credentials:
        raise unauthorised
    authenticate: Authenticator = request.app.state.authenticator
    try:
        actor = authenticate(application(request), credentials.credentials)
    except CustomsError as exc:
        if exc.code != "not_authenticated" and not isinstance(exc, NotAuthenticatedError):
            raise
        raise unauthorised from exc
    limiter: RateLimiter = request.app.state.rate_limiter
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


#: The parameter type of a route that acts for the caller.
CurrentActor = Annotated[Actor, Depends(current_actor)]
#: The parameter type of a route that calls use cases.
App = Annotated[Application, Depends(application)]
