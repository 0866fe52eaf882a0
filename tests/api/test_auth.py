"""Every route but the health checks needs a bearer credential; failures are one 401 answer,
errors are problem+json, and a subject over its rate limit is told when to come back."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.asgi import build, openapi_document
from api.auth import REFUSAL
from api.settings import ApiSettings
from clearance.app import Application
from tests.api.conftest import bearer, token_authenticator

pytestmark = pytest.mark.db

OPEN = {"/healthz", "/readyz"}


def _routes(api: FastAPI) -> list[tuple[str, str]]:
    """Every operation of the OpenAPI document (and the document itself), parameters filled."""
    routes = [("GET", "/v1/openapi.json")]
    for template, operations in openapi_document(api)["paths"].items():
        if template in OPEN:
            continue
        path = template.replace("{number}", "220120261000000001")
        for name in ("{message_id}", "{answer_id}", "{version}"):
            path = path.replace(name, "1")
        routes += [(method.upper(), path) for method in operations]
    return routes


def test_every_route_but_the_health_checks_refuses_a_missing_or_wrong_credential(
    client: TestClient,
) -> None:
    routes = _routes(client.app)  # type: ignore[arg-type]
    assert ("GET", "/v1/openapi.json") in routes
    assert ("POST", "/v1/submissions") in routes
    for method, path in routes:
        for headers in ({}, bearer("gck_nobody"), {"Authorization": "Basic dXNlcjpwYXNz"}):
            answer = client.request(method, path, headers=headers)
            assert answer.status_code == 401, (method, path, headers)
            assert answer.headers["WWW-Authenticate"] == "Bearer"
            assert answer.headers["content-type"] == "application/problem+json"
            assert answer.json()["code"] == "not_authenticated"
            assert answer.json()["detail"] == REFUSAL


def test_health_and_readiness_need_no_credential(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}


def test_readiness_fails_as_a_problem_when_the_store_is_gone(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from clearance.app import open_application
    from core.settings import Settings

    app = open_application(Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}"))
    api = build(application=app, authenticator=token_authenticator)
    (tmp_path / "x.db").unlink()
    (tmp_path / "x.db").mkdir()  # the file is now a directory: it cannot be opened
    app.engine.dispose()
    with TestClient(api) as client:
        answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["code"] == "store_unavailable"


def test_unknown_routes_are_problems_too(client: TestClient) -> None:
    answer = client.get("/v1/nothing-here", headers=bearer("gck_broker"))
    assert answer.status_code == 404
    assert answer.json()["code"] == "no_such_route"
    assert answer.headers["content-type"] == "application/problem+json"


def test_the_openapi_document_is_served_to_subjects(client: TestClient) -> None:
    document = client.get("/v1/openapi.json", headers=bearer("gck_broker")).json()
    assert "/v1/submissions" in document["paths"]
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def test_a_subject_over_its_rate_is_told_when_to_come_back(application: Application) -> None:
    api = build(
        application=application,
        authenticator=token_authenticator,
        api_settings=ApiSettings(rate_per_second=0.01, rate_burst=2),
    )
    with TestClient(api) as client:
        headers = bearer("gck_broker")
        statuses = [client.get("/v1/events", headers=headers).status_code for _ in range(3)]
        limited = client.get("/v1/events", headers=bearer("gck_broker"))
        other = client.get("/v1/events", headers=bearer("gck_broker2"))
    assert statuses == [200, 200, 429]
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= 100
    assert other.status_code == 200  # limits are per subject


def test_without_an_identity_store_nobody_gets_in(application: Application) -> None:
    from api.auth import refuse_all

    api = build(application=application, authenticator=refuse_all)
    with TestClient(api) as client:
        assert client.get("/v1/events", headers=bearer("gck_broker")).status_code == 401
