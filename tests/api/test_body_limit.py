"""A request body over the limit is refused with 413 on every /v1 route, before it is read
whole: amendments, presented documents and JSON commands as well as submissions."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.asgi import build
from api.settings import ApiSettings
from clearance.app import Application
from core.clock import FixedClock
from core.settings import Settings
from tests.api.conftest import Auth, flagged_declaration

pytestmark = pytest.mark.db

LIMIT = 4096


@pytest.fixture
def application(engine: Engine, clock: FixedClock) -> Application:
    return Application(engine, Settings(document_max_bytes=LIMIT), clock)


@pytest.fixture
def client(application: Application) -> Iterator[TestClient]:
    settings = ApiSettings(
        rate_per_second=1000, rate_burst=1000, intake="inline", max_body_bytes=LIMIT
    )
    with TestClient(build(application=application, api_settings=settings)) as small:
        yield small


def _chunks(size: int) -> Iterator[bytes]:
    """``size`` bytes in pieces, sent without a Content-Length (chunked)."""
    for _ in range(size // 1024):
        yield b"x" * 1024


@pytest.mark.parametrize("chunked", [False, True])
def test_a_body_over_the_limit_is_refused_on_every_route(
    auth: Auth, client: TestClient, chunked: bool
) -> None:
    number = flagged_declaration(auth, client)
    over = 4 * LIMIT
    for path, who in [
        (f"/v1/declarations/{number}/amendments", "broker"),
        (f"/v1/declarations/{number}/document-requests/1/documents?filename=a.pdf", "broker"),
        ("/v1/admin/subjects", "admin"),
        ("/v1/webhooks", "broker"),
    ]:
        body = _chunks(over) if chunked else b"x" * over
        answer = client.post(
            path, content=body, headers={**auth(who), "Content-Type": "application/json"}
        )
        assert answer.status_code == 413, (path, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["code"] == "too_large"


def test_a_body_within_the_limit_goes_through(auth: Auth, client: TestClient) -> None:
    number = flagged_declaration(auth, client)
    answer = client.post(
        f"/v1/declarations/{number}/invalidation",
        json={"reason": "sent twice"},
        headers=auth("broker"),
    )
    assert answer.status_code == 202, answer.text
