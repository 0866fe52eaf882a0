"""Over HTTP, the cache of verified keys changes no answer: an admin's revocation or a
disabled subject is refused on the very next request (the same server process)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from clearance.app import Application
from tests.api.conftest import Auth

pytestmark = pytest.mark.db


def test_a_key_revoked_over_the_api_is_refused_on_the_next_request(
    auth: Auth, keys: dict[str, str], application: Application, client: TestClient
) -> None:
    assert application.settings.key_cache_seconds > 0  # the cache is on, as in production
    broker = auth("broker")
    assert client.get("/v1/me", headers=broker).status_code == 200
    assert client.get("/v1/me", headers=broker).status_code == 200  # from the cache now
    key_id = keys["broker"].split("_")[1]
    revoked = client.post(f"/v1/admin/keys/{key_id}/revocation", headers=auth("admin"))
    assert revoked.status_code == 200
    refused = client.get("/v1/me", headers=broker)
    assert refused.status_code == 401
    assert refused.json()["code"] == "not_authenticated"


def test_a_subject_disabled_over_the_api_is_refused_on_the_next_request(
    auth: Auth, client: TestClient
) -> None:
    assert client.get("/v1/declarations", headers=auth("broker2")).status_code == 200
    disabled = client.post("/v1/admin/subjects/broker-02/disable", headers=auth("admin"))
    assert disabled.status_code == 200
    assert client.get("/v1/declarations", headers=auth("broker2")).status_code == 401
