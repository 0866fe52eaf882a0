"""How the console signs a person in, recognises them on every later page, and signs them out.

The console keeps no people or passwords itself: the identity use cases of the application
layer do (subjects, argon2id password hashes, mandates, offices, when their sessions were
ended). :class:`PasswordSignIn` is the port the pages call; :func:`from_application` binds it
to those use cases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from clearance.app import Actor, Application, console_sessions
from clearance.app.identity import NotAuthenticatedError, authenticate_password


class SignInRefusedError(Exception):
    """The name and password did not sign anyone in, or the subject signed in earlier may no
    longer act (one answer for every reason)."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _nothing_to_end(subject: str, signed_in_at: datetime) -> None:
    del subject, signed_in_at


@dataclass(frozen=True, slots=True)
class PasswordSignIn:
    """The console's way in: a password check, the actor of a signed-in subject now, and the
    end of its sessions."""

    #: Name and password → the actor; :class:`SignInRefusedError` otherwise.
    check: Callable[[str, str], Actor]
    #: Subject id and sign-in instant of a session → its actor now; :class:`SignInRefusedError`
    #: if disabled or gone, or its sessions were ended after that instant.
    current: Callable[[str, datetime], Actor]
    #: The session of a subject signed in at an instant signs out: its sessions end.
    sign_out: Callable[[str, datetime], None] = _nothing_to_end
    #: The instant a sign-in happens (the application's clock).
    clock: Callable[[], datetime] = field(default=_utc_now)

    def sign_in(self, name: str, password: str) -> tuple[Actor, datetime]:
        """The actor ``name`` signs in as and when, or :class:`SignInRefusedError`."""
        if not name or not password:
            raise SignInRefusedError
        return self.check(name, password), self.clock()


def from_application(application: Application) -> PasswordSignIn:
    """Password sign-in through the identity and console-session use cases."""

    def check(name: str, password: str) -> Actor:
        try:
            return authenticate_password(application, name, password)
        except NotAuthenticatedError as exc:
            raise SignInRefusedError from exc

    def current(subject: str, signed_in_at: datetime) -> Actor:
        try:
            return console_sessions.resume(application, subject, signed_in_at)
        except NotAuthenticatedError as exc:
            raise SignInRefusedError from exc

    def sign_out(subject: str, signed_in_at: datetime) -> None:
        console_sessions.sign_out(application, subject, signed_in_at)

    return PasswordSignIn(check, current, sign_out, application.clock.now)
