"""How the console signs a person in: a name and password become an :class:`Actor`.

The console does not keep people or passwords itself: the application layer's identity use
cases do (subjects, argon2id password hashes, mandates, offices). :class:`PasswordSignIn` is the
port the pages call; :func:`from_application` binds it to those use cases.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from clearance.app import Actor, Application


class SignInRefusedError(Exception):
    """The name and password did not sign anyone in (one answer for every reason)."""


#: Checks a name and password; returns the actor, or raises :class:`SignInRefusedError`.
CheckPassword = Callable[[str, str], Actor]


@dataclass(frozen=True, slots=True)
class PasswordSignIn:
    """The console's way in: a password check, and whether it is set up at all."""

    check: CheckPassword
    available: bool = True

    def sign_in(self, name: str, password: str) -> Actor:
        """The actor ``name`` signs in as, or :class:`SignInRefusedError`."""
        if not self.available or not name or not password:
            raise SignInRefusedError
        return self.check(name, password)


def _unavailable(name: str, password: str) -> Actor:
    raise SignInRefusedError


def from_application(application: Application) -> PasswordSignIn:
    """Password sign-in through the identity use cases (``clearance.app.identity``).

    An installation without them (an older application layer) gets a sign-in that refuses
    everyone, and the sign-in page says that password sign-in is not set up.
    """
    try:
        identity = importlib.import_module("clearance.app.identity")
    except ModuleNotFoundError:
        return PasswordSignIn(_unavailable, available=False)
    authenticate = getattr(identity, "authenticate_password", None)
    failure = getattr(identity, "NotAuthenticatedError", None)
    if authenticate is None or failure is None:
        return PasswordSignIn(_unavailable, available=False)

    def check(name: str, password: str) -> Actor:
        try:
            actor: Actor = authenticate(application, name, password)
        except failure as exc:
            raise SignInRefusedError from exc
        return actor

    return PasswordSignIn(check)
