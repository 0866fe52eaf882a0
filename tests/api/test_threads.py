"""The serving process runs at most as many use cases at once as its store has connections
(api/threads.py): more threads only wait for a connection and take turns at the interpreter."""

from __future__ import annotations

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient

from api.asgi import build
from api.settings import ApiSettings
from clearance.app import Application

pytestmark = pytest.mark.db


def _limit(client: TestClient) -> float:
    """The thread pool's limit on the serving event loop."""

    async def read() -> float:
        return anyio.to_thread.current_default_thread_limiter().total_tokens

    return client.portal.call(read)  # type: ignore[union-attr]


def test_doing_the_work_itself_the_api_runs_as_many_threads_as_the_store_has_connections(
    application: Application,
) -> None:
    pool = application.engine.pool
    connections = pool.size() + pool._max_overflow  # type: ignore[attr-defined]
    assert connections == 15  # SQLAlchemy's 5 + 10, on both stores
    api = build(application=application, api_settings=ApiSettings(intake="inline"))
    with TestClient(api) as client:
        assert _limit(client) == connections
        assert client.get("/healthz").status_code == 200  # and serves with it


def test_the_limit_is_a_setting(application: Application) -> None:
    api = build(application=application, api_settings=ApiSettings(intake="inline", threads=3))
    with TestClient(api) as client:
        assert _limit(client) == 3


def test_queued_submissions_keep_the_thread_pools_own_limit(application: Application) -> None:
    # Their threads wait for the workers' answers holding no connection: 40 may wait at once.
    api = build(application=application, api_settings=ApiSettings(intake="queue"))
    with TestClient(api) as client:
        expected = 15 if application.engine.dialect.name == "sqlite" else 40
        assert _limit(client) == expected
