"""How the console signs a person in and recognises them on every later page.

The console keeps no people or passwords itself: the identity use cases of the application
layer do (subjects, argon2id password hashes, mandates, offices). :class:`PasswordSignIn` is
the port the pages call; :func:`from_application` binds it to those use cases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from clearance.app import Actor, Application
from clearance.app.console_sessions import resume
from clearance.app.identity import NotAuthenticatedError, authenticate_password


class SignInRefusedError(Exception):
    """The name and password did not sign anyone in, or the subject signed in earlier may no
    longer act (one answer for every reason)."""


@dataclass(frozen=True, slots=True)
class PasswordSignIn:
    """The console's way in: a password check, and the actor of a signed-in subject now."""

    #: Name and password → the actor; :class:`SignInRefusedError` otherwise.
    check: Callable[[str, str], Actor]
    #: Subject id of a session → its actor now; :class:`SignInRefusedError` if disabled or gone.
    current: Callable[[str], Actor]

    def sign_in(self, name: str, password: str) -> Actor:
        """The actor ``name`` signs in as, or :class:`SignInRefusedError`."""
        if not name or not password:
            raise SignInRefusedError
        return self.check(name, password)


def from_application(application: Application) -> PasswordSignIn:
    """Password sign-in through the identity use cases."""

    def check(name: str, password: str) -> Actor:
        try:
            return authenticate_password(application, name, password)
        except NotAuthenticatedError as exc:
            raise SignInRefusedError from exc

    def current(subject: str) -> Actor:
        try:
            return resume(application, subject)
        except NotAuthenticatedError as exc:
            raise SignInRefusedError from exc

    return PasswordSignIn(check, current)
