"""``/v1/webhooks`` over HTTP: the secret once, the owner only, problems for the rest."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.asgi import build
from api.settings import ApiSettings
from clearance.app import Application
from clearance.webhooks import sealing
from tests.api.conftest import Auth

pytestmark = pytest.mark.db

HOOK = "http://127.0.0.1:9/hooks"  # never called: these tests do not deliver


@pytest.fixture
def hooks_client(application: Application, api_settings: ApiSettings) -> Iterator[TestClient]:
    """The API with webhooks enabled and loopback targets allowed."""
    application.settings.webhook_secret_key = SecretStr(sealing.new_key_setting())
    application.settings.webhook_allow_http = True
    application.settings.webhook_allowed_networks = ["127.0.0.0/8"]
    api = build(application=application, api_settings=api_settings)
    with TestClient(api, raise_server_exceptions=False) as test_client:
        yield test_client


def test_an_endpoint_is_created_listed_shown_rotated_and_removed(
    auth: Auth, hooks_client: TestClient
) -> None:
    made = hooks_client.post(
        "/v1/webhooks",
        json={"url": HOOK, "event_types": ["registered", "released"], "description": "ERP"},
        headers=auth("broker"),
    )
    assert made.status_code == 201, made.text
    body = made.json()
    endpoint_id = body["endpoint"]["id"]
    assert body["secret"].startswith("whsec_")
    assert made.headers["location"] == f"/v1/webhooks/{endpoint_id}"
    assert body["endpoint"]["event_types"] == ["registered", "released"]

    listed = hooks_client.get("/v1/webhooks", headers=auth("broker")).json()
    assert [e["id"] for e in listed] == [endpoint_id]
    shown = hooks_client.get(f"/v1/webhooks/{endpoint_id}", headers=auth("broker")).json()
    assert shown["status"] == "active" and "secret" not in shown
    assert body["secret"] not in str(listed) + str(shown)

    rotated = hooks_client.post(
        f"/v1/webhooks/{endpoint_id}/rotate-secret", headers=auth("broker")
    ).json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != body["secret"]
    deliveries = hooks_client.get(f"/v1/webhooks/{endpoint_id}/deliveries", headers=auth("broker"))
    assert deliveries.status_code == 200 and deliveries.json() == []

    gone = hooks_client.delete(f"/v1/webhooks/{endpoint_id}", headers=auth("broker"))
    assert gone.status_code == 204
    again = hooks_client.get(f"/v1/webhooks/{endpoint_id}", headers=auth("broker"))
    assert again.status_code == 404


def test_another_subjects_endpoint_is_404_and_never_listed(
    auth: Auth, hooks_client: TestClient
) -> None:
    made = hooks_client.post("/v1/webhooks", json={"url": HOOK}, headers=auth("broker"))
    endpoint_id = made.json()["endpoint"]["id"]
    for method, path in (
        ("GET", f"/v1/webhooks/{endpoint_id}"),
        ("DELETE", f"/v1/webhooks/{endpoint_id}"),
        ("POST", f"/v1/webhooks/{endpoint_id}/rotate-secret"),
        ("GET", f"/v1/webhooks/{endpoint_id}/deliveries"),
    ):
        answer = hooks_client.request(method, path, headers=auth("broker2"))
        assert answer.status_code == 404, (method, path)
        assert answer.headers["content-type"] == "application/problem+json"
    assert hooks_client.get("/v1/webhooks", headers=auth("broker2")).json() == []
    assert hooks_client.get("/v1/webhooks", headers=auth("admin")).json() == []
    still = hooks_client.get(f"/v1/webhooks/{endpoint_id}", headers=auth("broker"))
    assert still.status_code == 200


def test_refused_targets_and_roles_answer_problems(auth: Auth, hooks_client: TestClient) -> None:
    for url in ("https://169.254.169.254/latest", "https://10.0.0.1/x", "ftp://127.0.0.1/x"):
        refused = hooks_client.post("/v1/webhooks", json={"url": url}, headers=auth("broker"))
        assert refused.status_code == 422, url
        assert refused.headers["content-type"] == "application/problem+json"
    agency = hooks_client.post("/v1/webhooks", json={"url": HOOK}, headers=auth("agency"))
    assert agency.status_code == 403
    anonymous = hooks_client.get("/v1/webhooks")
    assert anonymous.status_code == 401


def test_without_the_key_registering_is_a_clear_422(auth: Auth, client: TestClient) -> None:
    refused = client.post("/v1/webhooks", json={"url": HOOK}, headers=auth("broker"))
    assert refused.status_code == 422
    assert "CUSTOMS_WEBHOOK_SECRET_KEY" in refused.json()["detail"]
