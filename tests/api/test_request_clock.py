"""The API marks each request's start for the access line's ``duration_ms`` (stop 25)."""

from __future__ import annotations

from typing import cast

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.asgi import RequestClock
from core.logs import REQUEST_STARTED


def test_every_request_goes_through_the_request_clock(client: TestClient) -> None:
    app = cast(FastAPI, client.app)
    assert [cast(object, m.cls) for m in app.user_middleware].count(RequestClock) == 1
    seen: list[float | None] = []

    def probe() -> dict[str, bool]:
        seen.append(REQUEST_STARTED.get())
        return {"ok": True}

    app.add_api_route("/clock-probe", probe)

    assert client.get("/clock-probe").status_code == 200
    assert seen and seen[0] is not None
