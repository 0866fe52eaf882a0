"""The endpoints' signing secrets at rest: sealed with AES-256-GCM under a key from settings.

A signing secret cannot be kept only as a hash (every delivery needs it to sign), so it is
stored encrypted: a fresh 12-byte nonce per seal, and the endpoint's id as associated data, so
a sealed secret copied onto another endpoint's row does not open. Without the key
(``CUSTOMS_WEBHOOK_SECRET_KEY``) nothing is sealed or opened, and registering is refused.
"""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from core.errors import ConfigurationError, CustomsError

NONCE_BYTES = 12
KEY_BYTES = 32
#: The stored form's version, so a later key rotation can tell old seals from new ones.
FORMAT = "v1"


class UnsealError(CustomsError):
    """A sealed secret that does not open under this key (wrong key, or a tampered row)."""

    code = "webhook_secret_unreadable"


class SecretBox:
    """Seals and opens secrets with one AES-256-GCM key."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ConfigurationError(
                f"the webhook secret key must be {KEY_BYTES} bytes (base64), not {len(key)}"
            )
        self._aead = AESGCM(key)

    @classmethod
    def from_setting(cls, value: str) -> SecretBox:
        """The box of ``CUSTOMS_WEBHOOK_SECRET_KEY`` (base64 of 32 bytes)."""
        try:
            key = base64.b64decode(value.strip(), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ConfigurationError("CUSTOMS_WEBHOOK_SECRET_KEY is not base64") from exc
        return cls(key)

    def seal(self, secret: str, bound_to: str) -> str:
        """``secret`` encrypted, bound to ``bound_to`` (the endpoint's id)."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, secret.encode("utf-8"), bound_to.encode("utf-8"))
        return f"{FORMAT}:{base64.b64encode(nonce + sealed).decode('ascii')}"

    def open(self, stored: str, bound_to: str) -> str:
        """The secret sealed in ``stored`` for ``bound_to``; :class:`UnsealError` otherwise."""
        version, _, payload = stored.partition(":")
        if version != FORMAT:
            raise UnsealError(f"unknown sealed secret format {version!r}")
        try:
            raw = base64.b64decode(payload, validate=True)
            plain = self._aead.decrypt(
                raw[:NONCE_BYTES], raw[NONCE_BYTES:], bound_to.encode("utf-8")
            )
        except (binascii.Error, ValueError, InvalidTag) as exc:
            raise UnsealError("the webhook secret does not open under this key") from exc
        return plain.decode("utf-8")


def new_key_setting() -> str:
    """A fresh value for ``CUSTOMS_WEBHOOK_SECRET_KEY`` (documented for operators)."""
    return base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")
