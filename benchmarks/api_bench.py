"""What the HTTP API adds to a submission and to reading one declaration.

Generates N distinct one-declaration, five-item EDIFACT interchanges (the control scenarios'
builder) and submits them three ways, each into a fresh store with the sample tariff and
registries loaded:

- ``direct``: the use case ``messages.submit`` called in process (the pipeline's own cost);
- ``asgi``: ``POST /v1/submissions`` through the ASGI app in process (httpx), with an API key;
- ``loopback``: the same against a real ``customs serve`` process on a loopback port, with 1
  and 8 concurrent clients.

Then ``GET /v1/declarations/{number}`` against ``declarations.show``. It prints latencies
(mean, p50, p99), throughput and the API's overhead over the direct call; the last line is a
JSON object. SQLite only for now (each mode needs a store of its own).
Figures depend on the machine's load: compare the modes of one run, never runs.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "samples" / "controls"))

import httpx  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from scenarios import AU, BEEF, LIC, OCEAN, SHRIMP, Item, Scenario, interchange  # noqa: E402

from api.asgi import build  # noqa: E402
from clearance.app import (  # noqa: E402
    LOCAL_OPERATOR,
    Application,
    Document,
    Role,
    declarations,
    keys,
    messages,
    open_application,
    registries,
    subjects,
    tariffs,
)
from clearance.app.identity import authenticate_key  # noqa: E402
from core.settings import Settings  # noqa: E402

REGISTRIES = sorted((ROOT / "samples" / "controls").glob("*.jsonl"))


def interchanges(n: int, tag: str) -> list[bytes]:
    """``n`` distinct five-item interchanges from BROKER01 (references carry ``tag``)."""
    items = (
        Item(BEEF, "AU", "1", "6.50", (LIC,)),
        Item(SHRIMP, "VN", "100", "600.00"),
        Item(SHRIMP, "VN", "50", "300.00"),
        Item(BEEF, "AU", "1", "6.50", (LIC,)),
        Item(SHRIMP, "VN", "20", "120.00"),
    )
    return [
        interchange(Scenario("bench", f"{tag}{i:07d}", OCEAN, items, **AU)).encode()
        for i in range(n)
    ]


def prepared(url: str) -> tuple[Application, str]:
    """The application over ``url`` with tariff, registries and a broker's API key."""
    app = open_application(Settings(database_url=url))
    tariffs.load_schedule(
        app, LOCAL_OPERATOR, Document.read(ROOT / "samples" / "tariffs" / "cn-extract.jsonl")
    )
    registries.load(app, LOCAL_OPERATOR, [Document.read(p) for p in REGISTRIES])
    subjects.add_subject(
        app,
        LOCAL_OPERATOR,
        subjects.NewSubject("bench-broker", "Bench", Role.BROKER, ["edi:BROKER01"]),
    )
    return app, keys.issue_key(app, LOCAL_OPERATOR, "bench-broker").key


def figures(latencies: list[float], elapsed: float) -> dict[str, float]:
    """Mean, p50, p99 in milliseconds and throughput per second."""
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return {
        "mean_ms": round(statistics.fmean(ordered) * 1000, 2),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(p99 * 1000, 2),
        "per_second": round(len(ordered) / elapsed, 1),
    }


def timed(calls: list[Callable[[], object]], clients: int = 1) -> dict[str, float]:
    """Run ``calls`` with ``clients`` threads; their latency figures."""
    latencies: list[float] = []
    lock = threading.Lock()

    def one(call: Callable[[], object]) -> None:
        start = time.perf_counter()
        call()
        spent = time.perf_counter() - start
        with lock:
            latencies.append(spent)

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, calls))
    return figures(latencies, time.perf_counter() - start)


def accepted(response: httpx.Response) -> str:
    """The declaration number of an accepted submission (fails loudly otherwise)."""
    if response.status_code != 202:
        raise SystemExit(f"submission refused: {response.status_code} {response.text[:300]}")
    number: str = response.json()["outcome"]["declarations"][0]["number"]
    return number


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def serve(url: str) -> tuple[subprocess.Popen[str], str]:
    """A ``customs serve`` process over ``url``, listening (waits for its own log line)."""
    port = free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "customs"), "serve", "--port", str(port)],
        env={
            **os.environ,
            "CUSTOMS_DATABASE_URL": url,
            "CUSTOMS_API_RATE_PER_SECOND": "1e6",
            "CUSTOMS_API_RATE_BURST": "1000000",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    for line in process.stderr:
        if "Uvicorn running on" in line:
            threading.Thread(target=process.stderr.read, daemon=True).start()
            return process, f"http://127.0.0.1:{port}"
    raise SystemExit("customs serve did not start")


def post(client: httpx.Client | TestClient, raw: bytes, headers: dict[str, str]) -> str:
    """Submit ``raw``; the declaration number."""
    return accepted(client.post("/v1/submissions", content=raw, headers=headers))


def run(n: int, url_for: Callable[[str], str]) -> dict[str, Any]:
    """Every mode, each in its own store; the figures and overheads."""
    results: dict[str, Any] = {"n": n}
    app, key = prepared(url_for("direct"))
    actor = authenticate_key(app, key)  # once, as the API does per request
    numbers: list[str] = []

    def direct_submit(raw: bytes) -> None:
        outcome = messages.submit(app, actor, messages.Interchange(raw, channel="api"))
        numbers.append(str(outcome.declarations[0].number))

    results["direct"] = timed([partial(direct_submit, raw) for raw in interchanges(n, "D")])
    results["direct_get"] = timed([partial(declarations.show, app, actor, x) for x in numbers])

    app, key = prepared(url_for("asgi"))
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/EDIFACT"}
    with TestClient(build(application=app)) as client:
        data = interchanges(n, "A")
        got = [post(client, data[0], headers)]  # the first request warms the app up
        results["asgi"] = timed([partial(post, client, raw, headers) for raw in data[1:]])
        got = [
            d["number"]
            for d in client.get("/v1/declarations", headers=headers).json()["declarations"]
        ]
        results["asgi_get"] = timed(
            [partial(client.get, f"/v1/declarations/{x}", headers=headers) for x in got]
        )

    for clients in (1, 8):
        url = url_for(f"loopback{clients}")
        _, key = prepared(url)
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/EDIFACT"}
        process, base = serve(url)
        try:
            with httpx.Client(base_url=base, timeout=120) as http:
                data = interchanges(n, f"L{clients}")
                results[f"loopback_{clients}"] = timed(
                    [partial(post, http, raw, headers) for raw in data], clients
                )
        finally:
            process.terminate()
            process.wait(timeout=30)

    base_ms = results["direct"]["mean_ms"]
    for mode in ("asgi", "loopback_1"):
        overhead = (results[mode]["mean_ms"] / base_ms - 1) * 100
        results[f"{mode}_overhead_percent"] = round(overhead, 1)
    get_overhead = (results["asgi_get"]["mean_ms"] / results["direct_get"]["mean_ms"] - 1) * 100
    results["asgi_get_overhead_percent"] = round(get_overhead, 1)
    return results


def main(argv: list[str] | None = None) -> None:
    """Parse the options, run, print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=200, help="interchanges per mode")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        results = run(args.n, lambda mode: f"sqlite:///{Path(tmp) / mode}.db")
    for mode in ("direct", "asgi", "loopback_1", "loopback_8", "direct_get", "asgi_get"):
        f = results[mode]
        print(
            f"{mode:<11} mean {f['mean_ms']:>8} ms  p50 {f['p50_ms']:>8} ms  "
            f"p99 {f['p99_ms']:>8} ms  {f['per_second']:>7}/s"
        )
    print(
        f"API overhead over the use case: ASGI {results['asgi_overhead_percent']}%, "
        f"loopback {results['loopback_1_overhead_percent']}% (target ≤ 20%); "
        f"GET one declaration {results['asgi_get_overhead_percent']}%"
    )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
