"""``customs serve`` as an operator runs it: a real uvicorn process on a free loopback port.

The fixture starts the process, waits until it says it is listening (its own log line, not
a sleep), checks /readyz, and stops it at the end of the test. On PostgreSQL a real
``customs worker`` runs beside it, as in production: the API queues, the worker processes.
"""

from __future__ import annotations

import json
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

from tests.golden_support import SAMPLES

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
    # On PostgreSQL submissions are queued: a worker takes them, as in production.
    worker = (
        subprocess.Popen(
            [str(CUSTOMS), "worker"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if engine.dialect.name == "postgresql"
        else None
    )
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
        # The server logs as the worker and scheduler do: one JSON object per line, uvicorn's
        # own lines included, in whichever process uvicorn runs the application.
        running = json.loads(log[-1])
        assert running["logger"] == "uvicorn.error"
        assert running["level"] == "info" and "timestamp" in running
        # Keep reading its log so a full pipe never blocks the server.
        threading.Thread(target=process.stderr.read, daemon=True).start()
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/readyz", timeout=10).json() == {"status": "ready"}
        yield base
    finally:
        watchdog.cancel()
        process.terminate()
        process.wait(timeout=30)
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)


def customs(*argv: str, env: dict[str, str]) -> str:
    """Run the ``customs`` command; its standard output."""
    done = subprocess.run(
        [str(CUSTOMS), *argv], env={**os.environ, **env}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_subject_submits_over_http_to_customs_serve(server: str, engine: Engine) -> None:
    env = {"CUSTOMS_DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    customs(
        "subjects",
        "add",
        "broker-01",
        "--name",
        "Broker",
        "--role",
        "broker",
        "--party",
        "edi:BROKER01",
        env=env,
    )
    key = json.loads(customs("keys", "issue", "broker-01", "--json", env=env))["key"]
    assert httpx.get(f"{server}/healthz", timeout=10).json() == {"status": "ok"}
    refused = httpx.get(f"{server}/v1/declarations", timeout=10)
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"

    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/EDIFACT"}
    raw = (SAMPLES / "01-import-d96b.edi").read_bytes()
    accepted = httpx.post(f"{server}/v1/submissions", content=raw, headers=headers, timeout=60)
    assert accepted.status_code == 202, accepted.text
    (number,) = [d["number"] for d in accepted.json()["outcome"]["declarations"]]
    listed = httpx.get(f"{server}/v1/declarations", headers=headers, timeout=10).json()
    assert [d["number"] for d in listed["declarations"]] == [number]
