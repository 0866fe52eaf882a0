"""The hottest routes are answered ahead of FastAPI's router (api/hot.py) and answer exactly as
through it: the same status, headers and body for every outcome (the caller's declaration,
another tenant's, none, no credential, a wrong method, a submission, a refused one, the rate
limit), and every other request still goes to the router."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar, cast

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from starlette.routing import Router

from api.asgi import HOT, build
from api.hot import HotRoutes, table
from api.routes import health
from api.settings import ApiSettings
from clearance.app import Application
from tests.api.conftest import Auth, sample

EDIFACT = {"Content-Type": "application/EDIFACT"}


@pytest.fixture
def routed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths Starlette's router (FastAPI's application router) was called for."""
    seen: list[str] = []
    original = Router.__call__

    async def counting(self: Router, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            seen.append(scope["path"])
        await original(self, scope, receive, send)

    monkeypatch.setattr(Router, "__call__", counting)
    return seen


def _without_hot_routes(api: FastAPI) -> FastAPI:
    # The same application answered by FastAPI's router alone (before its first request
    # builds the middleware stack).
    api.user_middleware = [m for m in api.user_middleware if m.cls is not cast(Any, HotRoutes)]
    return api


class Matched:
    """An outermost layer that notes the route and endpoint the request's scope ended with."""

    seen: ClassVar[list[tuple[Any, Any]]] = []

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)
        if scope["type"] == "http":
            Matched.seen.append((scope.get("route"), scope.get("endpoint")))


@pytest.fixture
def both(application: Application) -> Iterator[tuple[TestClient, TestClient]]:
    """A client of the API as built, and one of the same API without :class:`HotRoutes`."""
    settings = ApiSettings(rate_per_second=0.001, rate_burst=12, intake="inline")
    hot = build(application=application, api_settings=settings)
    plain = _without_hot_routes(build(application=application, api_settings=settings))
    for api in (hot, plain):
        api.add_middleware(Matched)
    with (
        TestClient(hot, raise_server_exceptions=False) as a,
        TestClient(plain, raise_server_exceptions=False) as b,
    ):
        yield a, b


def _same(a: Any, b: Any) -> None:
    assert a.status_code == b.status_code
    # A stored submission's id (its conversation) differs between the two: each stored one.
    # Retry-After counts down with the clock between the two answers.
    stored = {"location": "/v1/submissions/ID", "conversation-id": "ID", "retry-after": "N"}
    kept = [
        {k: stored.get(k, v) for k, v in r.headers.items() if k not in ("date", "content-length")}
        for r in (a, b)
    ]
    assert kept[0] == kept[1]
    if "conversation-id" in a.headers:
        bodies = [r.json() for r in (a, b)]
        for body, r in zip(bodies, (a, b), strict=True):
            if body.get("message_id") == int(r.headers["conversation-id"]):
                body["message_id"] = "ID"
        assert bodies[0] == bodies[1]
    else:
        assert a.headers["content-length"] == b.headers["content-length"]
        assert a.content == b.content


@pytest.mark.db
def test_the_hot_routes_answer_as_fastapi_s_router_does(
    auth: Auth, both: tuple[TestClient, TestClient], routed: list[str]
) -> None:
    hot, plain = both
    # One submission through each (the second is the intake's duplicate: same answer shape).
    posted = [
        c.post("/v1/submissions", content=sample("01-import-d96b.edi"), headers=h)
        for c, h in ((hot, {**auth("broker"), **EDIFACT}), (plain, {**auth("broker"), **EDIFACT}))
    ]
    assert posted[0].status_code == 202
    assert posted[1].status_code == posted[0].status_code
    number = posted[0].json()["outcome"]["declarations"][0]["number"]
    assert routed == ["/v1/submissions"]  # only the client without HotRoutes reached the router
    routed.clear()
    requests: list[tuple[str, str, dict[str, str], bytes | None]] = [
        ("GET", f"/v1/declarations/{number}", auth("broker"), None),
        ("GET", f"/v1/declarations/{number}", auth("broker2"), None),  # another tenant: 404
        ("GET", "/v1/declarations/220120269999999999", auth("broker"), None),
        ("GET", f"/v1/declarations/{number}", {}, None),  # no credential: 401
        ("GET", f"/v1/declarations/{number}", {"Authorization": "Basic eDp5"}, None),
        ("GET", f"/v1/declarations/{number}", {"Authorization": "Bearer gck_nobody"}, None),
        ("POST", "/v1/submissions", {**auth("broker"), "Content-Type": "text/plain"}, b"x"),
        ("POST", "/v1/submissions", {**auth("broker"), **EDIFACT}, b"UNA:+.? '"),
    ]
    for method, path, headers, body in requests:
        Matched.seen.clear()
        _same(
            hot.request(method, path, headers=headers, content=body),
            plain.request(method, path, headers=headers, content=body),
        )
        # The same route and endpoint in the scope (for anything that reads them after).
        assert Matched.seen[0] == Matched.seen[1]
        assert Matched.seen[0][0] is not None
    assert len(routed) == len(requests)  # the plain client's, none of the hot client's
    routed.clear()
    # Not a hot route's request (another method, a longer path, another route): the router.
    for method, path in [
        ("DELETE", f"/v1/declarations/{number}"),
        ("HEAD", f"/v1/declarations/{number}"),
        ("GET", f"/v1/declarations/{number}/versions/1/message"),
        ("GET", "/v1/submissions"),
    ]:
        _same(
            hot.request(method, path, headers=auth("broker")),
            plain.request(method, path, headers=auth("broker")),
        )
    assert len(routed) == 8
    # The rate limit (12 a subject, not refilled): both clients reach it at the same request.
    for _ in range(12):
        limited = [c.get(f"/v1/declarations/{number}", headers=auth("broker")) for c in both]
        _same(*limited)
        if limited[0].status_code == 429:
            break
    assert limited[0].status_code == 429


@pytest.mark.db
def test_an_unexpected_error_on_a_hot_route_is_the_server_error_answer(
    auth: Auth, application: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clearance.app import declarations

    def broken(*_: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(declarations, "show_with_decision", broken)
    api = build(application=application)
    with TestClient(api, raise_server_exceptions=False) as client:
        answer = client.get("/v1/declarations/220120269999999999", headers=auth("broker"))
    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == "internal_error"


def test_only_routes_no_earlier_route_can_take_are_taken_ahead() -> None:
    assert [(sorted(r.methods), r.path.pattern) for r in table(HOT, [health.router])] == [
        (["GET"], "^/v1/declarations/(?P<number>[^/]+)$"),
        (["POST"], "^/v1/submissions$"),
    ]
    earlier = APIRouter()
    earlier.add_api_route("/v1/declarations/latest", lambda: None)
    assert table(HOT, [health.router, earlier]) == ()  # FastAPI's router would answer it
    with_parameter = APIRouter()
    with_parameter.add_api_route("/v1/{anything}", lambda: None)
    assert table(HOT, [with_parameter]) == ()
