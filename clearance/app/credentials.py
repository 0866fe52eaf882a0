"""Secrets: API keys made, shown once and kept only as a hash; argon2id password hashes.

An API key is ``gck_<key id>_<secret>``: the key id (public, 12 hex digits) finds the stored
row, the secret (256 random bits) proves possession. Only the sha256 of the whole key is kept:
a key this random needs no slow hash, and a fast one keeps every request cheap. Passwords,
chosen by people and guessable, get argon2id (argon2-cffi's defaults, RFC 9106's second
recommended profile).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

#: Every API key starts with this, so that secret scanners and people recognise one.
API_KEY_PREFIX = "gck_"
_KEY_ID_HEX = 12

_hasher = PasswordHasher()
#: Verified against when no subject or no password is found, so that an unknown name costs
#: as much time as a wrong password (no user enumeration by timing).
_DUMMY_PASSWORD_HASH = _hasher.hash(secrets.token_urlsafe(16))
#: Compared against when no key has the presented key id, for the same reason.
_DUMMY_KEY_HASH = hashlib.sha256(b"no such key").hexdigest()


@dataclass(frozen=True, slots=True)
class NewApiKey:
    """A freshly made key: ``key`` is shown once, ``key_hash`` is what is stored."""

    key_id: str
    key: str
    key_hash: str


def new_api_key() -> NewApiKey:
    """A new random API key with its public id and stored hash."""
    key_id = secrets.token_hex(_KEY_ID_HEX // 2)
    key = f"{API_KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    return NewApiKey(key_id=key_id, key=key, key_hash=key_hash(key))


def key_hash(key: str) -> str:
    """The stored form of an API key: sha256 of the whole key, hex."""
    return hashlib.sha256(key.encode()).hexdigest()


def key_id_of(presented: str) -> str | None:
    """The key id of a presented key, or None when it does not have an API key's shape."""
    if not presented.startswith(API_KEY_PREFIX):
        return None
    key_id, sep, secret = presented[len(API_KEY_PREFIX) :].partition("_")
    if not sep or not secret or len(key_id) != _KEY_ID_HEX:
        return None
    if any(c not in "0123456789abcdef" for c in key_id):
        return None
    return key_id


def key_matches(presented: str, stored_hash: str | None) -> bool:
    """Whether ``presented`` hashes to ``stored_hash``, compared in constant time.

    With no stored hash (no such key id) a dummy hash is compared, so both cases take as long.
    """
    expected = stored_hash if stored_hash is not None else _DUMMY_KEY_HASH
    same = hmac.compare_digest(key_hash(presented), expected)
    return same and stored_hash is not None


def hash_password(password: str) -> str:
    """An argon2id hash (PHC string) of ``password``."""
    return _hasher.hash(password)


def password_matches(password: str, stored_hash: str | None) -> bool:
    """Whether ``password`` matches the argon2 ``stored_hash`` (None: verify a dummy, say no)."""
    try:
        same = _hasher.verify(stored_hash or _DUMMY_PASSWORD_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return same and stored_hash is not None
