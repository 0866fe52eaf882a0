"""Keys and tokens limited by scope, over HTTP: a read-scoped broker key reads and never
submits, an unscoped key keeps its role's rights, a scope outside the role is refused when the
key is issued, and a token's ``scope`` claim limits it the same way."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from clearance.app import LOCAL_OPERATOR, Application
from clearance.app import keys as api_keys
from core.settings import Settings
from tests.api.conftest import Auth, bearer, sample
from tests.conftest import GOLDEN_INSTANT

pytestmark = pytest.mark.db

ISSUER = "https://idp.example.test/realms/customs"
AUDIENCE = "customs-api"
SIGNING_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _submit(client: TestClient, headers: dict[str, str]) -> Any:
    return client.post(
        "/v1/submissions",
        content=sample("01-import-d96b.edi"),
        headers={**headers, "Content-Type": "application/EDIFACT"},
    )


def _scoped(application: Application, subject: str, *scopes: str) -> dict[str, str]:
    """The Authorization header of a new key of ``subject`` limited to ``scopes``."""
    return bearer(api_keys.issue_key(application, LOCAL_OPERATOR, subject, scopes=scopes).key)


def test_a_read_scoped_broker_key_lists_declarations_and_is_refused_a_submission(
    auth: Auth, application: Application, client: TestClient
) -> None:
    submitted = _submit(client, auth("broker"))  # the unscoped key keeps its full rights
    assert submitted.status_code == 202, submitted.text
    (number,) = [d["number"] for d in submitted.json()["outcome"]["declarations"]]
    reader = _scoped(application, "broker-01", "read", "quote")
    for _ in range(2):  # the second call is answered from the process's cache of keys
        listed = client.get("/v1/declarations", headers=reader)
        assert listed.status_code == 200, listed.text
        assert [d["number"] for d in listed.json()["declarations"]] == [number]
        assert client.get(f"/v1/declarations/{number}", headers=reader).status_code == 200
        refused = _submit(client, reader)
        assert refused.status_code == 403, refused.text
        assert refused.json()["code"] == "not_permitted"
        assert refused.json()["detail"] == (
            "this credential lacks the scope 'submit' (its scopes: quote, read)"
        )
        invalidation = client.post(
            f"/v1/declarations/{number}/invalidation", json={"reason": "x"}, headers=reader
        )
        assert invalidation.status_code == 403, invalidation.text
    number_status = client.get(f"/v1/declarations/{number}", headers=reader).json()["status"]
    assert number_status == "documents_required"  # not invalidated
    # Nothing of the refused submissions was stored: the broker still sees its one message.
    stored = client.get("/v1/submissions", headers=auth("broker")).json()["submissions"]
    assert len(stored) == 1
    me = client.get("/v1/me", headers=reader).json()
    assert me["scopes"] == ["quote", "read"]
    assert me["permissions"] == ["quote", "read"]
    unscoped = client.get("/v1/me", headers=auth("broker")).json()
    assert unscoped["scopes"] is None
    assert unscoped["permissions"] == ["quote", "read", "reference", "retry", "submit"]


def test_the_admin_issues_a_scoped_key_and_a_scope_outside_the_role_is_refused(
    auth: Auth, client: TestClient
) -> None:
    issued = client.post(
        "/v1/admin/subjects/broker-01/keys",
        json={"label": "dashboard", "scopes": ["read", "quote", "read"]},
        headers=auth("admin"),
    )
    assert issued.status_code == 201, issued.text
    assert issued.json()["details"]["scopes"] == ["read", "quote"]  # permission order
    key = issued.json()["key"]
    assert _submit(client, bearer(key)).status_code == 403
    assert client.get("/v1/declarations", headers=bearer(key)).status_code == 200
    for scopes, detail in [
        (
            ["read", "officer"],
            "scope officer is outside the permissions of subject broker-01's role broker "
            "(submit retry read quote reference)",
        ),
        (["read", "write"], "unknown scope write: a scope is one of submit, retry, read, "),
    ]:
        refused = client.post(
            "/v1/admin/subjects/broker-01/keys", json={"scopes": scopes}, headers=auth("admin")
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["detail"].startswith(detail)
    listed = client.get("/v1/admin/keys?subject=broker-01", headers=auth("admin")).json()
    # The fixture's unscoped key and the dashboard key: the refused ones were never made.
    assert [(k["label"], k["scopes"]) for k in listed] == [
        (None, None),
        ("dashboard", ["read", "quote"]),
    ]


def test_a_read_scoped_trader_key_grants_no_mandate_and_files_no_request(
    auth: Auth, application: Application, client: TestClient
) -> None:
    reader = _scoped(application, "trader-de", "read")
    mandate = {"broker": "broker-02", "trader_party_id": "DE123456789012345"}
    refused = client.post("/v1/mandates", json=mandate, headers=reader)
    assert refused.status_code == 403, refused.text
    assert "lacks the scope 'submit'" in refused.json()["detail"]
    request = {"party": "DE123456789012345", "reason": "one firm dominates its lines"}
    confidential = client.post(
        "/v1/statistics/confidentiality-requests", json=request, headers=reader
    )
    assert confidential.status_code == 403, confidential.text
    assert "lacks the scope 'submit'" in confidential.json()["detail"]
    # The trader's unscoped key does both, as before.
    assert client.post("/v1/mandates", json=mandate, headers=auth("eu_trader")).status_code == 201
    filed = client.post(
        "/v1/statistics/confidentiality-requests", json=request, headers=auth("eu_trader")
    )
    assert filed.status_code == 201, filed.text


def test_an_admin_key_scoped_to_metrics_scrapes_and_manages_nothing(
    auth: Auth, application: Application, client: TestClient
) -> None:
    mandate = {"broker": "broker-02", "trader_party_id": "DE123456789012345"}
    assert client.post("/v1/mandates", json=mandate, headers=auth("admin")).status_code == 201
    assert len(client.get("/v1/mandates", headers=auth("admin")).json()) == 1
    scraper = _scoped(application, "admin-01", "metrics")
    assert client.get("/metrics", headers=scraper).status_code == 200
    assert client.get("/v1/admin/keys", headers=scraper).status_code == 403
    # Mandates are the admin's by ``identity``: without that scope it sees and grants none.
    assert client.get("/v1/mandates", headers=scraper).json() == []
    assert client.post("/v1/mandates", json=mandate, headers=scraper).status_code == 403
    assert client.get("/metrics", headers=auth("admin")).status_code == 200
    reader = _scoped(application, "admin-01", "read")
    assert client.get("/metrics", headers=reader).status_code == 403


def _token(**claims: Any) -> str:
    payload = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "broker-01",
        "exp": int((GOLDEN_INSTANT + timedelta(minutes=5)).timestamp()),
        **claims,
    }
    return jwt.encode(payload, SIGNING_KEY, algorithm="RS256", headers={"kid": "rsa-1"})


@pytest.fixture
def with_tokens(application: Application, tmp_path: Path, keys: dict[str, str]) -> Application:
    """The application trusting a key set made here (the subjects of the fixture added)."""
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(SIGNING_KEY.public_key()))
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [{**jwk, "kid": "rsa-1", "use": "sig"}]}), "utf-8")
    application.settings = Settings(jwks=str(path), jwt_issuer=ISSUER, jwt_audience=AUDIENCE)
    return application


def test_a_token_with_scope_read_reads_and_is_refused_a_submission(
    with_tokens: Application, client: TestClient
) -> None:
    reader = bearer(_token(scope="openid read"))  # openid: not ours, ignored
    assert client.get("/v1/declarations", headers=reader).status_code == 200
    refused = _submit(client, reader)
    assert refused.status_code == 403, refused.text
    assert refused.json()["detail"] == "this credential lacks the scope 'submit' (its scopes: read)"
    assert client.get("/v1/me", headers=reader).json()["scopes"] == ["read"]
    # No scope claim: every permission of the role, as before scopes.
    assert _submit(client, bearer(_token())).status_code == 202
    # Only names that are no permission: authenticated, permitted nothing.
    foreign = bearer(_token(scope="openid profile"))
    assert client.get("/v1/me", headers=foreign).json()["permissions"] == []
    assert client.get("/v1/declarations", headers=foreign).status_code == 403
    # A scope claim that is not a string is never taken as absent: the token is refused.
    assert client.get("/v1/me", headers=bearer(_token(scope=["read"]))).status_code == 401
