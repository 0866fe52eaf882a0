"""The three processes (``customs serve``, ``worker``, ``scheduler``) as real children.

Each child logs to a file the test can read (JSON lines); each is stopped at the end (SIGTERM,
then SIGKILL), and its log is shown when the test fails.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine

from tests.faults.cluster import free_port
from tests.operations.support import ROOT, command_env, stop


class Child:
    """One running ``customs`` process, its log file and (if any) its port."""

    def __init__(self, process: subprocess.Popen[bytes], log: Path, port: int | None) -> None:
        self.process = process
        self.log = log
        self.port = port

    @property
    def pid(self) -> int:
        """The process id."""
        return self.process.pid

    def lines(self) -> list[dict[str, object]]:
        """The JSON log lines written so far (other lines skipped)."""
        found: list[dict[str, object]] = []
        for line in self.log.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    found.append(json.loads(line))
                except ValueError:
                    continue
        return found

    def logged(self, event: str) -> list[dict[str, object]]:
        """The log lines whose event is ``event``."""
        return [line for line in self.lines() if line.get("event") == event]

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        """GET ``path`` on the child's port: status and body (errors too)."""
        return request("GET", f"http://127.0.0.1:{self.port}{path}", headers=headers)


def request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> tuple[int, bytes]:
    """One HTTP request on loopback; (status, body), also for 4xx/5xx."""
    return request_with_headers(method, url, body=body, headers=headers, timeout=timeout)[:2]


def request_with_headers(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> tuple[int, bytes, dict[str, str]]:
    """One HTTP request on loopback; (status, body, headers named in lower case), also for
    4xx/5xx."""
    call = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(call, timeout=timeout) as answer:
            return answer.status, answer.read(), _lower(answer.headers.items())
    except urllib.error.HTTPError as error:
        return error.code, error.read(), _lower(error.headers.items())


@contextmanager
def customs(
    engine: Engine, folder: Path, name: str, *argv: str, port: bool = False, **env: str
) -> Iterator[Child]:
    """``customs ARGV…`` as a child (``--health-port`` or ``--port`` added when ``port``)."""
    chosen = free_port() if port else None
    args = list(argv)
    if chosen is not None:
        args += ["--port" if argv[0] == "serve" else "--health-port", str(chosen)]
    log = folder / f"{name}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "clearance.cli", *args],
            cwd=ROOT,
            env=command_env(engine, CUSTOMS_LOG_JSON="true", **env),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    child = Child(process, log, chosen)
    try:
        yield child
    except BaseException:
        stop(process)
        sys.stderr.write(f"--- {name} ---\n{log.read_text(errors='replace')[-4000:]}\n")
        raise
    finally:
        stop(process)


def metric(child: Child, name: str, **labels: str) -> float:
    """The value of one sample of ``child``'s /metrics (0 when absent)."""
    status, body = child.get("/metrics")
    if status != 200:
        return 0.0
    want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    total = 0.0
    for line in body.decode().splitlines():
        if line.startswith("#"):
            continue
        key, _, value = line.rpartition(" ")
        metric_name, _, rest = key.partition("{")
        if metric_name != name:
            continue
        if not want or all(part in rest for part in want.split(",")):
            total += float(value)
    return total


def _lower(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers}
