"""The console's session: a signed cookie holding who signed in, the CSRF token and the language.

The cookie is ``base64url(JSON) . base64url(HMAC-SHA256)``, signed with the installation's
console secret: the browser can read it but not change it. It is set ``HttpOnly`` (no script
reads it), ``SameSite=Lax`` (no cross-site form posts carry it) and ``Secure`` when served over
HTTPS. Every visitor gets one, signed in or not, so that the sign-in form has a CSRF token too;
signing in and out replace it with a fresh one (no session fixation).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

COOKIE = "customs_console"
#: How long a session lasts after sign-in; the officer signs in again after a working day.
LIFETIME = timedelta(hours=10)


@dataclass(frozen=True, slots=True)
class Session:
    """What the cookie holds: the subject signed in (if any), a CSRF token, the language.

    Only the subject's id, role (for the menu) and name (for the header) are kept: what it may
    see is asked of the application layer on every page (:attr:`PasswordSignIn.current`)."""

    csrf: str
    language: str
    expires: int  # POSIX seconds
    subject: str | None = None
    role: str | None = None
    name: str | None = None
    #: When the subject signed in (POSIX microseconds, the application's clock): a session
    #: signed in before the subject's sessions were ended (signed out, new password) is refused.
    signed_in_at: int | None = None
    #: A message for the next page only (Post/Redirect/Get): kind ("success" or "problem"),
    #: its English message id, and a detail in the application's words (may be empty).
    flash: tuple[str, str, str] | None = None

    @classmethod
    def anonymous(cls, language: str, now: datetime) -> Session:
        """A fresh session of a visitor who has not signed in."""
        return cls(
            csrf=secrets.token_urlsafe(32),
            language=language,
            expires=int((now + LIFETIME).timestamp()),
        )

    def signed_in(self, **who: object) -> Session:
        """A fresh session (new CSRF token) for the subject described by ``who``."""
        return replace(self, csrf=secrets.token_urlsafe(32), **who)  # type: ignore[arg-type]

    def with_language(self, language: str) -> Session:
        """The same session in another language."""
        return replace(self, language=language)

    def with_flash(self, flash: tuple[str, str, str] | None) -> Session:
        """The same session with a message for the next page (or none)."""
        return replace(self, flash=flash)


class SessionCodec:
    """Signs sessions into cookie values and reads them back, refusing any tampering."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def encode(self, session: Session) -> str:
        """The cookie value of ``session``."""
        body = json.dumps(
            {
                "c": session.csrf,
                "l": session.language,
                "e": session.expires,
                "s": session.subject,
                "r": session.role,
                "n": session.name,
                "t": session.signed_in_at,
                "f": list(session.flash) if session.flash else None,
            },
            separators=(",", ":"),
        ).encode()
        payload = _b64(body)
        return f"{payload}.{_b64(self._sign(payload))}"

    def decode(self, value: str | None, now: datetime) -> Session | None:
        """The session in ``value``, or None when it is missing, forged, malformed or expired."""
        if not value or value.count(".") != 1:
            return None
        payload, signature = value.split(".")
        try:
            given = _unb64(signature)
            if not hmac.compare_digest(given, self._sign(payload)):
                return None
            data = json.loads(_unb64(payload))
            session = Session(
                csrf=str(data["c"]),
                language=str(data["l"]),
                expires=int(data["e"]),
                subject=data["s"],
                role=data["r"],
                name=data["n"],
                signed_in_at=_int_or_none(data.get("t")),
                flash=_flash(data.get("f")),
            )
        except (ValueError, KeyError, TypeError, binascii.Error):
            return None
        return session if session.expires > now.timestamp() else None

    def _sign(self, payload: str) -> bytes:
        return hmac.new(self._secret, payload.encode(), hashlib.sha256).digest()


def signed_in_instant(session: Session) -> datetime:
    """When ``session``'s subject signed in (the epoch for a cookie that does not say)."""
    return datetime.fromtimestamp(0, UTC) + timedelta(microseconds=session.signed_in_at or 0)


def posix_microseconds(instant: datetime) -> int:
    """``instant`` (timezone-aware) as whole microseconds since the epoch, exactly."""
    return (instant - datetime.fromtimestamp(0, UTC)) // timedelta(microseconds=1)


def _int_or_none(value: object) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError("not a time")
    return value


def _flash(value: object) -> tuple[str, str, str] | None:
    if not isinstance(value, list) or len(value) != 3:
        return None
    return str(value[0]), str(value[1]), str(value[2])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
