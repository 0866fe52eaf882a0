"""Every route but the health checks needs a bearer credential; failures are one 401 answer,
errors are problem+json, and a subject over its rate limit is told when to come back."""

from __future__ import annotations

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from api.asgi import build, openapi_document
from api.auth import REFUSAL, guarded_caller, refuse_all
from api.settings import ApiSettings
from clearance.app import LOCAL_OPERATOR, Application
from clearance.app import keys as api_keys
from tests.api.conftest import Auth, bearer

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
    keys: dict[str, str], application: Application, client: TestClient
) -> None:
    routes = _routes(client.app)  # type: ignore[arg-type]
    assert ("GET", "/v1/openapi.json") in routes
    assert ("POST", "/v1/submissions") in routes
    revoked = api_keys.issue_key(application, LOCAL_OPERATOR, "broker-01")
    api_keys.revoke_key(application, LOCAL_OPERATOR, revoked.details.key_id)
    wrong = [
        {},
        bearer("gck_nobody"),
        bearer(keys["broker"][:-2] + ("AA" if not keys["broker"].endswith("AA") else "BB")),
        bearer(revoked.key),
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": f"Token {keys['broker']}"},
    ]
    for method, path in routes:
        for headers in wrong:
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
    api = build(
        application=app,
    )
    (tmp_path / "x.db").unlink()
    (tmp_path / "x.db").mkdir()  # the file is now a directory: it cannot be opened
    app.engine.dispose()
    with TestClient(api) as client:
        answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["code"] == "store_unavailable"


def test_unknown_routes_are_problems_too(auth: Auth, client: TestClient) -> None:
    answer = client.get("/v1/nothing-here", headers=auth("broker"))
    assert answer.status_code == 404
    assert answer.json()["code"] == "no_such_route"
    assert answer.headers["content-type"] == "application/problem+json"


def test_the_openapi_document_is_served_to_subjects(auth: Auth, client: TestClient) -> None:
    document = client.get("/v1/openapi.json", headers=auth("broker")).json()
    assert "/v1/submissions" in document["paths"]
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def test_a_subject_over_its_rate_is_told_when_to_come_back(
    auth: Auth, application: Application
) -> None:
    api = build(
        application=application,
        api_settings=ApiSettings(rate_per_second=0.01, rate_burst=2),
    )
    with TestClient(api) as client:
        headers = auth("broker")
        statuses = [client.get("/v1/events", headers=headers).status_code for _ in range(3)]
        limited = client.get("/v1/events", headers=auth("broker"))
        other = client.get("/v1/events", headers=auth("broker2"))
    assert statuses == [200, 200, 429]
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= 100
    assert other.status_code == 200  # limits are per subject


def test_without_an_identity_store_nobody_gets_in(auth: Auth, application: Application) -> None:
    api = build(application=application, authenticator=refuse_all)
    with TestClient(api) as client:
        assert client.get("/v1/events", headers=auth("broker")).status_code == 401


def test_a_route_taking_its_caller_from_the_guard_refuses_when_served_without_it(
    auth: Auth, application: Application
) -> None:
    # The hot routes take the caller from the router's guard (guarded_caller). Served without
    # the guard, with a valid credential even, such a route must refuse, never run anonymous.
    api = build(application=application)
    api.add_api_route("/v1/unguarded", _unguarded)
    with TestClient(api) as client:
        answer = client.get("/v1/unguarded", headers=auth("broker"))
        assert answer.status_code == 401
        assert answer.json()["code"] == "not_authenticated"
        # The same credential through a guarded route taking its caller the same way.
        assert (
            client.get("/v1/declarations/220120269999999999", headers=auth("broker")).json()["code"]
            == "not_found"
        )


def _unguarded(request: Request) -> dict[str, str]:
    _, actor = guarded_caller(request)
    return {"subject": actor.subject}
