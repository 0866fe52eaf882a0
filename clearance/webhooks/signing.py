"""Signatures as the Standard Webhooks convention makes them (https://www.standardwebhooks.com).

A delivery carries three headers: ``webhook-id`` (the same on every retry of one event, so a
receiver can drop duplicates), ``webhook-timestamp`` (integer seconds since the epoch, so a
receiver can refuse replays) and ``webhook-signature``: ``v1,`` and the base64 of
HMAC-SHA256 over ``{id}.{timestamp}.{body}`` keyed with the secret's bytes. The secret is shown
to its owner as ``whsec_`` and the base64 of 32 random bytes, as the convention's libraries
expect it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from core.errors import CustomsError

SECRET_PREFIX = "whsec_"
#: Random bytes in a new secret (the convention asks for 24 to 64).
SECRET_BYTES = 32
SIGNATURE_VERSION = "v1"


class BadSecretError(CustomsError):
    """A string that is not a ``whsec_`` secret."""

    code = "webhook_bad_secret"


def new_secret() -> str:
    """A new signing secret, ``whsec_`` + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def secret_bytes(secret: str) -> bytes:
    """The key bytes of a ``whsec_`` secret."""
    if not secret.startswith(SECRET_PREFIX):
        raise BadSecretError("a webhook secret starts with whsec_")
    try:
        return base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except ValueError as exc:
        raise BadSecretError("a webhook secret is whsec_ and base64") from exc


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header of ``body``: ``v1,<base64 HMAC-SHA256>``."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_bytes(secret), signed, hashlib.sha256).digest()
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode('ascii')}"


def headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """Every header of a delivery of ``body`` (the signature's three and the content type)."""
    return {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, message_id, timestamp, body),
    }
