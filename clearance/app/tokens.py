"""Tokens from the organisation's identity provider: a JWT checked against its JWKS.

Only asymmetric signatures are accepted (RSA, RSA-PSS, ECDSA, EdDSA), with the key the token's
``kid`` names in the configured key set: ``none`` and HMAC algorithms are refused, so a public
key can never be used as a shared secret. The issuer and audience must be the configured ones;
expiry and not-before are judged by the application's clock, with a little leeway for clock
skew. The token names a subject (claim ``CUSTOMS_JWT_SUBJECT_CLAIM``); what that subject may
do comes from the store, never from the token, except that the token may narrow it: its
standard ``scope`` claim (RFC 8693 section 4.2, RFC 9068 section 2.2.3: space-separated names)
limits the call to the named permissions of the subject's role. A token without the claim is
unscoped; a ``scope`` that is not a string refuses the token (it is never taken as absent).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jwt

from core.settings import Settings

#: Signature algorithms accepted: asymmetric only.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA")
#: How far the identity provider's clock may differ from ours.
LEEWAY = timedelta(seconds=60)


class TokenRefusedError(Exception):
    """The token is not acceptable; the reason is for logs, never for the caller."""


@dataclass(frozen=True, slots=True)
class TokenPolicy:
    """What an accepted token must satisfy (from the settings)."""

    jwks: str
    issuer: str
    audience: str
    subject_claim: str

    @classmethod
    def of(cls, settings: Settings) -> TokenPolicy | None:
        """The policy the settings configure, or None when tokens are not configured."""
        if not settings.jwks or not settings.jwt_issuer or not settings.jwt_audience:
            return None
        return cls(
            settings.jwks, settings.jwt_issuer, settings.jwt_audience, settings.jwt_subject_claim
        )


@dataclass(frozen=True, slots=True)
class TokenIdentity:
    """What a valid token says: whom it names, and the scope names it carries (None: no
    ``scope`` claim; every name as given, known to us or not)."""

    subject: str
    scopes: frozenset[str] | None


def token_identity(token: str, policy: TokenPolicy, now: datetime) -> TokenIdentity:
    """The subject and scopes of a valid token, or :class:`TokenRefusedError`."""
    claims = _claims(token, policy, now)
    subject = claims.get(policy.subject_claim)
    if not isinstance(subject, str) or not subject:
        raise TokenRefusedError(f"no {policy.subject_claim!r} claim")
    return TokenIdentity(subject, _scopes(claims))


def token_subject(token: str, policy: TokenPolicy, now: datetime) -> str:
    """The subject id a valid token names, or :class:`TokenRefusedError`."""
    return token_identity(token, policy, now).subject


def _scopes(claims: dict[str, Any]) -> frozenset[str] | None:
    """The names of the ``scope`` claim; None without one. Anything but a string is refused:
    taking a malformed claim as absent would give the token every permission of its role."""
    if "scope" not in claims:
        return None
    scope = claims["scope"]
    if not isinstance(scope, str):
        raise TokenRefusedError("the 'scope' claim is not a space-separated string")
    return frozenset(scope.split())


def _claims(token: str, policy: TokenPolicy, now: datetime) -> dict[str, Any]:
    """The claims of a token whose signature, issuer, audience and times are good."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise TokenRefusedError(f"not a JWT: {exc}") from None
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        raise TokenRefusedError(f"algorithm {algorithm!r} is not accepted")
    key = _signing_key(policy.jwks, header.get("kid"))
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            audience=policy.audience,
            issuer=policy.issuer,
            # Time claims are judged below with the application's clock, not the system's.
            options={
                "require": ["exp", "iss", "aud"],
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
            },
        )
    except jwt.PyJWTError as exc:
        raise TokenRefusedError(f"invalid token: {exc}") from None
    _check_times(claims, now)
    return claims


def _check_times(claims: dict[str, Any], now: datetime) -> None:
    instant = now.timestamp()
    leeway = LEEWAY.total_seconds()
    expires = claims.get("exp")
    if not isinstance(expires, int | float) or expires <= instant - leeway:
        raise TokenRefusedError("expired")
    not_before = claims.get("nbf")
    if not_before is not None and (
        not isinstance(not_before, int | float) or not_before > instant + leeway
    ):
        raise TokenRefusedError("not yet valid")


def _signing_key(source: str, kid: object) -> Any:
    """The key ``kid`` names in the key set at ``source`` (a file, or an https URL)."""
    if source.startswith(("https://", "http://")):
        try:
            return _client(source).get_signing_key(str(kid)).key
        except jwt.PyJWTError as exc:
            raise TokenRefusedError(f"no signing key {kid!r}: {exc}") from None
    keys = _file_keys(source)
    if kid is None and len(keys) == 1:
        return next(iter(keys.values()))
    if kid not in keys:
        raise TokenRefusedError(f"no signing key {kid!r} in {source}")
    return keys[kid]


_clients: dict[str, jwt.PyJWKClient] = {}
_files: dict[tuple[str, int], dict[object, Any]] = {}
_lock = threading.Lock()


def _client(url: str) -> jwt.PyJWKClient:
    # One client per URL per process: it caches the key set for five minutes.
    with _lock:
        if url not in _clients:
            _clients[url] = jwt.PyJWKClient(url, cache_keys=True, timeout=10)
        return _clients[url]


def _file_keys(path: str) -> dict[object, Any]:
    """The keys of a JWKS file by ``kid``, read again whenever the file changes."""
    try:
        stamp = Path(path).stat().st_mtime_ns
    except OSError as exc:
        raise TokenRefusedError(f"cannot read the key set {path}: {exc.strerror}") from None
    with _lock:
        cached = _files.get((path, stamp))
    if cached is not None:
        return cached
    try:
        key_set = jwt.PyJWKSet.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError, jwt.PyJWTError) as exc:
        raise TokenRefusedError(f"cannot read the key set {path}: {exc}") from None
    keys: dict[object, Any] = {jwk.key_id: jwk.key for jwk in key_set}
    with _lock:
        _files[(path, stamp)] = keys
    return keys
