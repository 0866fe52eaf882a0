"""Tokens of the identity provider: verified against a JWKS file made here with local keys.

Only a token signed by a key of the configured set, for the configured issuer and audience,
unexpired by the application's clock, naming an enabled subject, identifies anyone; every
other token gets the one NotAuthenticatedError, whatever is wrong with it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from sqlalchemy import Engine

from clearance.app import Actor, Application, Role
from clearance.app import keys as key_cases
from clearance.app import subjects as subject_cases
from clearance.app.access import Permission, require
from clearance.app.errors import NotPermittedError
from clearance.app.identity import (
    NOT_AUTHENTICATED,
    NotAuthenticatedError,
    authenticate_bearer,
    authenticate_jwt,
)
from clearance.app.subjects import NewSubject
from core.clock import FixedClock
from core.settings import Settings

pytestmark = pytest.mark.db

NOW = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
ISSUER = "https://idp.example.test/realms/customs"
AUDIENCE = "customs-api"
ADMIN = Actor("root", Role.ADMIN)
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
STRANGER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwk(jwk_json: str, kid: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(jwk_json)
    return {**data, "kid": kid, "use": "sig"}


@pytest.fixture
def jwks(tmp_path: Path) -> Path:
    path = tmp_path / "jwks.json"
    keys = [
        _jwk(jwt.algorithms.RSAAlgorithm.to_jwk(RSA_KEY.public_key()), "rsa-1"),
        _jwk(jwt.algorithms.ECAlgorithm.to_jwk(EC_KEY.public_key()), "ec-1"),
    ]
    path.write_text(json.dumps({"keys": keys}), encoding="utf-8")
    return path


@pytest.fixture
def app(engine: Engine, jwks: Path) -> Application:
    settings = Settings(jwks=str(jwks), jwt_issuer=ISSUER, jwt_audience=AUDIENCE)
    application = Application(engine, settings, FixedClock(NOW))
    subject_cases.add_subject(
        application,
        ADMIN,
        NewSubject("li.wei", "Li Wei", Role.OFFICER, offices=["2201", "5300"]),
    )
    return application


def _token(
    key: Any = RSA_KEY, kid: str | None = "rsa-1", algorithm: str = "RS256", **claims: Any
) -> str:
    payload: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "li.wei",
        "iat": int(NOW.timestamp()),
        "exp": int((NOW + timedelta(minutes=5)).timestamp()),
    }
    payload.update(claims)
    payload = {name: value for name, value in payload.items() if value is not None}
    headers = {} if kid is None else {"kid": kid}
    return jwt.encode(payload, key, algorithm=algorithm, headers=headers)


def test_a_token_signed_by_the_providers_key_names_its_subject(app: Application) -> None:
    officer = Actor("li.wei", Role.OFFICER, offices=frozenset({"2201", "5300"}))
    assert authenticate_jwt(app, _token()) == officer
    assert authenticate_jwt(app, _token(EC_KEY, "ec-1", "ES256")) == officer
    assert authenticate_bearer(app, " " + _token() + " ") == officer


def test_the_subject_claim_is_configurable(app: Application, jwks: Path) -> None:
    app.settings = Settings(
        jwks=str(jwks), jwt_issuer=ISSUER, jwt_audience=AUDIENCE, jwt_subject_claim="uid"
    )
    assert authenticate_jwt(app, _token(sub="someone-else", uid="li.wei")).subject == "li.wei"
    with pytest.raises(NotAuthenticatedError):
        authenticate_jwt(app, _token())  # no uid claim


def _bad_tokens() -> dict[str, str]:
    secret_as_public = RSA_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return {
        "other issuer": _token(iss="https://evil.example.test"),
        "other audience": _token(aud="another-api"),
        "no audience": _token(aud=None),
        "expired by our clock": _token(exp=int((NOW - timedelta(minutes=2)).timestamp())),
        "not yet valid": _token(nbf=int((NOW + timedelta(minutes=5)).timestamp())),
        "no expiry": _token(exp=None),
        "unknown subject": _token(sub="nobody"),
        "unknown key id": _token(kid="rsa-9"),
        "a stranger's key under our kid": _token(STRANGER_KEY),
        "alg none": jwt.encode({"iss": ISSUER, "aud": AUDIENCE, "sub": "li.wei"}, "", "none"),
        "HMAC with the public key as secret": jwt.encode(
            {"iss": ISSUER, "aud": AUDIENCE, "sub": "li.wei", "exp": 2**31},
            secret_as_public.decode()[:64],
            "HS256",
            headers={"kid": "rsa-1"},
        ),
        "tampered signature": _token()[:-10] + "AAAAAAAAAA",
        "garbage": "a.b.c",
    }


@pytest.mark.parametrize("case", sorted(_bad_tokens()))
def test_bad_tokens_are_refused_with_the_one_message(app: Application, case: str) -> None:
    with pytest.raises(NotAuthenticatedError) as refused:
        authenticate_bearer(app, _bad_tokens()[case])
    assert refused.value.message == NOT_AUTHENTICATED


def test_a_disabled_subjects_token_is_refused(app: Application) -> None:
    subject_cases.disable_subject(app, ADMIN, "li.wei")
    with pytest.raises(NotAuthenticatedError):
        authenticate_jwt(app, _token())


def test_without_a_configured_key_set_no_token_is_accepted(engine: Engine) -> None:
    app = Application(engine, Settings(), FixedClock(NOW))
    subject_cases.add_subject(app, ADMIN, NewSubject("li.wei", "L", Role.OFFICER, offices=["2201"]))
    with pytest.raises(NotAuthenticatedError):
        authenticate_jwt(app, _token())


def test_a_bearer_api_key_goes_to_the_key_check(app: Application) -> None:
    key = key_cases.issue_key(app, ADMIN, "li.wei").key
    assert authenticate_bearer(app, key).subject == "li.wei"
    with pytest.raises(NotAuthenticatedError):
        authenticate_bearer(app, "plain-password")


def test_a_tokens_scope_claim_limits_it_to_the_permissions_it_names(app: Application) -> None:
    scoped = authenticate_jwt(app, _token(scope="read openid quote"))
    assert scoped.scopes == frozenset({"read", "quote"})  # openid is not ours: ignored
    require(scoped, Permission.READ)
    with pytest.raises(NotPermittedError, match="lacks the scope 'officer'"):
        require(scoped, Permission.OFFICER)
    assert authenticate_jwt(app, _token()).scopes is None  # no claim: the whole role
    nothing = authenticate_jwt(app, _token(scope="openid"))
    assert nothing.scopes == frozenset()
    with pytest.raises(NotPermittedError, match="its scopes: none"):
        require(nothing, Permission.READ)


@pytest.mark.parametrize("claim", [["read"], 7, {"read": True}])
def test_a_scope_claim_that_is_not_a_string_refuses_the_token(
    app: Application, claim: object
) -> None:
    with pytest.raises(NotAuthenticatedError):
        authenticate_jwt(app, _token(scope=claim))
