"""``customs serve`` as an operator runs it: a real uvicorn process on a free loopback port.

The fixture starts the process, waits until it says it is listening (its own log line, not
a sleep), checks /readyz, and stops it at the end of the test.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

pytestmark = pytest.mark.db

CUSTOMS = Path(sys.executable).parent / "customs"
#: How long the server may take to start before the test gives up (a bound, not a wait).
START_LIMIT = 60.0


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def server(engine: Engine, tmp_path: Path) -> Iterator[str]:
    """The base URL of a running ``customs serve`` over the test database."""
    port = free_port()
    env = {
        **os.environ,
        "CUSTOMS_DATABASE_URL": engine.url.render_as_string(hide_password=False),
    }
    process = subprocess.Popen(
        [str(CUSTOMS), "serve", "--port", str(port), "--log-level", "info"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    # A watchdog ends a server that never gets to listening, so the wait below cannot hang.
    watchdog = threading.Timer(START_LIMIT, process.kill)
    watchdog.start()
    try:
        log = []
        assert process.stderr is not None
        for line in process.stderr:
            log.append(line)
            if "Uvicorn running on" in line:
                break
        else:
            pytest.fail("customs serve stopped before listening:\n" + "".join(log))
        watchdog.cancel()
        # Keep reading its log so a full pipe never blocks the server.
        threading.Thread(target=process.stderr.read, daemon=True).start()
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/readyz", timeout=10).json() == {"status": "ready"}
        yield base
    finally:
        watchdog.cancel()
        process.terminate()
        process.wait(timeout=30)


def test_customs_serve_answers_on_loopback(server: str) -> None:
    assert httpx.get(f"{server}/healthz", timeout=10).json() == {"status": "ok"}
    refused = httpx.get(f"{server}/v1/declarations", timeout=10)
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"
