"""The hottest routes skip FastAPI's dependency resolution (api/lean.py) and lose nothing by it:
the guard still authenticates and rate-limits them, and a route that does not qualify keeps
FastAPI's own handler."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fastapi import APIRouter, Depends, Request, Response
from fastapi import routing as fastapi_routing
from fastapi.security import HTTPBearer
from fastapi.testclient import TestClient

from api.asgi import build
from api.auth import bearer_token, current_actor, guarded_caller
from api.lean import GuardedRoute
from api.settings import ApiSettings
from clearance.app import Application
from tests.api.conftest import Auth, sample

EDIFACT = {"Content-Type": "application/EDIFACT"}


@pytest.fixture
def resolutions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The endpoints FastAPI resolved dependencies for, in order (its request handler's call)."""
    seen: list[str] = []
    # The name FastAPI's request handler calls, looked up in its module at every request.
    solve = getattr(fastapi_routing, "solve_dependencies")  # noqa: B009 (not re-exported)

    async def counting(**kwargs: Any) -> Any:
        call = kwargs["dependant"].call
        seen.append(getattr(call, "__name__", repr(call)))
        return await solve(**kwargs)

    monkeypatch.setattr(fastapi_routing, "solve_dependencies", counting)
    return seen


@pytest.mark.db
def test_submitting_and_reading_one_declaration_resolve_no_dependencies(
    auth: Auth, client: TestClient, resolutions: list[str]
) -> None:
    posted = client.post(
        "/v1/submissions",
        content=sample("01-import-d96b.edi"),
        headers={**auth("broker"), **EDIFACT},
    )
    assert posted.status_code == 202
    (declaration,) = posted.json()["outcome"]["declarations"]
    read = client.get(f"/v1/declarations/{declaration['number']}", headers=auth("broker"))
    assert read.status_code == 200
    assert read.json()["number"] == declaration["number"]
    assert resolutions == []
    # Any other route still goes through FastAPI's resolution (the spy sees it).
    assert client.get("/v1/events", headers=auth("broker")).status_code == 200
    assert resolutions == ["pull"]


@pytest.mark.db
def test_the_hot_routes_refuse_another_tenant_and_keep_the_idempotency_key(
    auth: Auth, client: TestClient
) -> None:
    headers = {**auth("broker"), **EDIFACT, "Idempotency-Key": "lean-1"}
    first = client.post("/v1/submissions", content=sample("01-import-d96b.edi"), headers=headers)
    again = client.post("/v1/submissions", content=sample("01-import-d96b.edi"), headers=headers)
    assert first.status_code == again.status_code == 202
    assert again.headers["Idempotent-Replayed"] == "true"  # the header reached the endpoint
    assert again.content == first.content
    number = first.json()["outcome"]["declarations"][0]["number"]
    other = client.get(f"/v1/declarations/{number}", headers=auth("broker2"))
    assert other.status_code == 404  # another tenant's declaration does not exist for them
    assert other.headers["content-type"] == "application/problem+json"


@pytest.mark.db
def test_the_hot_routes_keep_the_rate_limit(auth: Auth, application: Application) -> None:
    api = build(
        application=application, api_settings=ApiSettings(rate_per_second=0.01, rate_burst=2)
    )
    with TestClient(api) as client:
        path = "/v1/declarations/220120269999999999"
        statuses = [client.get(path, headers=auth("broker")).status_code for _ in range(3)]
        posted = client.post("/v1/submissions", content=b"x", headers=auth("broker"))
    assert statuses == [404, 404, 429]
    assert posted.status_code == 429
    assert posted.json()["code"] == "rate_limited"


def _marked(request: Request) -> Response:
    _, actor = guarded_caller(request)
    return Response(actor.subject)


@pytest.mark.db
def test_a_guarded_route_with_the_guard_and_more_keeps_fastapi_s_handler(
    auth: Auth, application: Application, resolutions: list[str]
) -> None:
    ran: list[str] = []

    def extra(request: Request) -> None:
        ran.append(request.url.path)

    api = build(application=application)
    api.include_router(_router_of(_marked), dependencies=[Depends(current_actor), Depends(extra)])
    with TestClient(api) as client:
        answer = client.get("/marked/a", headers=auth("broker"))
        refused = client.get("/marked/a")
    assert answer.status_code == 200
    assert answer.text == "broker-01"
    assert refused.status_code == 401
    assert ran == ["/marked/a"]  # the second request stopped at the guard
    assert resolutions == ["_marked", "_marked"]


@pytest.mark.db
def test_a_guarded_route_behind_the_guard_alone_is_lean_and_still_guarded(
    auth: Auth, application: Application, resolutions: list[str]
) -> None:
    api = build(application=application)
    api.include_router(_router_of(_marked), dependencies=[Depends(current_actor)])
    with TestClient(api) as client:
        answer = client.get("/marked/a", headers=auth("broker"))
        refused = client.get("/marked/a", headers={"Authorization": "Bearer gck_nobody"})
    assert answer.text == "broker-01"
    assert refused.status_code == 401
    assert refused.json()["code"] == "not_authenticated"
    assert resolutions == []


def _router_of(endpoint: Any) -> APIRouter:
    router = APIRouter(route_class=GuardedRoute)
    router.add_api_route("/marked/{name}", endpoint)
    return router


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer   ",
        "Bearer gck_abc",
        "bearer gck_abc",
        "BEARER  gck_abc  ",
        "Bearer gck_abc def",
        "Basic dXNlcjpwYXNz",
        "Token gck_abc",
        " Bearer gck_abc",
        "Bearergck_abc",
    ],
)
def test_the_bearer_credential_is_read_as_fastapi_s_http_bearer_reads_it(
    header: str | None,
) -> None:
    headers = [] if header is None else [(b"authorization", header.encode())]
    request = Request({"type": "http", "headers": headers, "method": "GET", "path": "/"})
    expected = asyncio.run(HTTPBearer(auto_error=False)(request))
    assert bearer_token(header) == (None if expected is None else expected.credentials)
