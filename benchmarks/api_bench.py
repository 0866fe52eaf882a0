"""What the HTTP API adds to a submission and to reading one declaration.

Generates N distinct one-declaration, five-item EDIFACT interchanges (the control scenarios'
builder) and submits them three ways, each into a fresh store with the sample tariff and
registries loaded:

- ``direct``: the use case ``messages.submit`` called in process (the pipeline's own cost);
- ``asgi``: ``POST /v1/submissions`` through the ASGI app in process (httpx), with an API key;
- ``loopback``: the same against a real ``customs serve`` process (``--workers``) on a
  loopback port, at each of ``--clients`` concurrent clients (default 1, 8, 32): POST to
  acknowledgement, then ``GET /v1/declarations/{number}`` of what was registered.

The direct mode also reads each declaration with ``declarations.show_with_decision`` (what the
GET route calls). It prints latencies (mean, p50, p99), throughput and the API's overhead over
the pipeline's own cost, ``(api - pipeline) / pipeline`` on the mean at one client, and the
same on CPU time per request (the caller's process, plus the server's for loopback: other work
on a shared machine stretches wall-clock times far more than CPU times), and over loopback on
the server's CPU time alone (the client is the trader's machine, not ours); the last line is a
JSON object. ``--database``: ``sqlite`` (temporary files) or a PostgreSQL URL whose
database name is a prefix: ``<name>_direct``, ``<name>_asgi`` and ``<name>_loopback`` are
created and dropped. Figures depend on the machine's load: compare the modes of one run.
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
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "samples" / "controls"))

import httpx  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from scenarios import AU, BEEF, LIC, OCEAN, SHRIMP, Item, Scenario, interchange  # noqa: E402
from sqlalchemy import create_engine, make_url, text  # noqa: E402

from api.asgi import build  # noqa: E402
from api.settings import ApiSettings  # noqa: E402
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


def server_threads(pid: int | None) -> dict[str, int]:
    """Nanoseconds on the CPU of each thread of process ``pid`` by thread id (empty for None).

    ``/proc/<pid>/task/*/schedstat`` counts nanoseconds on the CPU; ``/proc/<pid>/stat``
    counts clock ticks (10 ms), too coarse for requests of a few milliseconds.
    """
    if pid is None:
        return {}
    spent: dict[str, int] = {}
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            spent[task.name] = int((task / "schedstat").read_text().split()[0])
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue  # a thread that ended meanwhile
    return spent


def server_threads_cpu(
    pid: int | None, before: dict[str, int], after: dict[str, int]
) -> tuple[float, float]:
    """CPU seconds process ``pid`` spent between two :func:`server_threads` snapshots: all its
    threads, and its main thread alone.

    Thread by thread, over the threads alive at the end: the thread pool ends a worker thread
    idle for 10 s, and a sum over the threads alive at each end would subtract everything that
    thread ever spent (before: a phase after a busier one could come out negative). A thread
    that ended was idle, so it spent nothing in between.

    In ``customs serve`` the main thread runs the event loop (HTTP parsing and writing,
    routing, dependencies, authentication from the key cache, the rate limit, the access log,
    the thread hop); the use cases run in the thread pool: the difference.
    """
    if pid is None:
        return 0.0, 0.0
    total = sum(spent - before.get(tid, 0) for tid, spent in after.items())
    main = after.get(str(pid), 0) - before.get(str(pid), 0)
    return total / 1e9, main / 1e9


def timed(
    calls: list[Callable[[], object]], clients: int = 1, server: int | None = None
) -> dict[str, float]:
    """Run ``calls`` with ``clients`` threads; their latency figures and CPU per call.

    ``cpu_ms`` is this process's CPU time per call (the caller: the use case itself, or the
    HTTP client) plus, with ``server`` (a pid), that process's: robust against other work on
    the machine, which stretches wall-clock times. PostgreSQL's own CPU is in neither: its
    work is the same for the use case and for the API.
    """
    latencies: list[float] = []
    lock = threading.Lock()

    def one(call: Callable[[], object]) -> None:
        start = time.perf_counter()
        call()
        spent = time.perf_counter() - start
        with lock:
            latencies.append(spent)

    cpu, before = time.process_time(), server_threads(server)
    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, calls))
    result = figures(latencies, time.perf_counter() - start)
    client_ms = (time.process_time() - cpu) / len(calls) * 1000
    serving, looping = server_threads_cpu(server, before, server_threads(server))
    server_ms = serving / len(calls) * 1000
    result["cpu_ms"] = round(client_ms + server_ms, 2)
    if server is not None:
        result["client_cpu_ms"] = round(client_ms, 2)
        result["server_cpu_ms"] = round(server_ms, 2)
        # Of the server's: its event loop (the HTTP server and the ASGI app around the use
        # case); the rest is the thread pool, where the use case runs.
        result["server_loop_cpu_ms"] = round(looping / len(calls) * 1000, 2)
    return result


def settled(
    calls: list[Callable[[], object]], clients: int = 1, server: int | None = None
) -> dict[str, float]:
    """:func:`timed` on a second pass over ``calls``, the first untimed, for every mode alike.

    Reads repeat: the figure is that of a process that has served them before. A server's
    first reads of declarations cost it up to half as much again as later ones (measured:
    12.1 ms of CPU against 8.0 and 9.1 on the next passes, the use case in process 8.3-8.5),
    which a benchmark that never warmed the server's read path up counted as the API's cost.
    """
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(lambda call: call(), calls))
    return timed(calls, clients, server)


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


def serve(url: str, log: IO[bytes], workers: int = 1) -> tuple[subprocess.Popen[bytes], str]:
    """A ``customs serve`` process over ``url``, listening (waits for its own log line).

    Its log (an access line per request) goes to the file ``log``, not to a pipe this process
    reads: a reader thread here would wake, and take the GIL from the measuring client, on
    every request, a cost of the benchmark and not of the API.
    """
    port = free_port()
    command = [str(Path(sys.executable).parent / "customs"), "serve", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--workers", str(workers)],
        env={
            **os.environ,
            "CUSTOMS_DATABASE_URL": url,
            "CUSTOMS_API_RATE_PER_SECOND": "1e6",
            "CUSTOMS_API_RATE_BURST": "1000000",
            # The API's own cost against the pipeline's: the server processes submissions
            # itself (on PostgreSQL it would otherwise queue them for `customs worker`s).
            "CUSTOMS_API_INTAKE": "inline",
        },
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if b"Uvicorn running on" in Path(log.name).read_bytes():
            return process, f"http://127.0.0.1:{port}"
        time.sleep(0.1)
    process.kill()
    tail = Path(log.name).read_bytes()[-2000:].decode(errors="replace")
    raise SystemExit(f"customs serve did not start:\n{tail}")


def post(client: httpx.Client | TestClient, raw: bytes, headers: dict[str, str]) -> str:
    """Submit ``raw``; the declaration number."""
    return accepted(client.post("/v1/submissions", content=raw, headers=headers))


def run(
    n: int, url_for: Callable[[str], str], clients_list: list[int], workers: int
) -> dict[str, Any]:
    """Every mode, each in its own store; the figures and overheads."""
    results: dict[str, Any] = {"n": n}
    app, key = prepared(url_for("direct"))
    actor = authenticate_key(app, key)  # once, as the API does per request
    numbers: list[str] = []

    def direct_submit(raw: bytes) -> None:
        outcome = messages.submit(app, actor, messages.Interchange(raw, channel="api"))
        numbers.append(str(outcome.declarations[0].number))

    direct_submit(interchanges(1, "DW")[0])  # warm up as the other modes do
    numbers.clear()
    results["direct"] = timed([partial(direct_submit, raw) for raw in interchanges(n, "D")])
    results["direct_get"] = settled(
        [partial(declarations.show_with_decision, app, actor, x) for x in numbers]
    )
    app.engine.dispose()

    app, key = prepared(url_for("asgi"))
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/EDIFACT"}
    # As the loopback server below: no rate limit, and the submission processed in the API
    # process (on PostgreSQL it would otherwise be queued for workers the benchmark lacks).
    unlimited = ApiSettings(rate_per_second=1e6, rate_burst=1_000_000, intake="inline")
    with TestClient(build(application=app, api_settings=unlimited)) as client:
        data = interchanges(n, "A")
        got = [post(client, data[0], headers)]  # the first request warms the app up
        results["asgi"] = timed([partial(post, client, raw, headers) for raw in data[1:]])
        got = [
            d["number"]
            for d in client.get("/v1/declarations", headers=headers).json()["declarations"]
        ]
        results["asgi_get"] = settled([partial(read, client, x, headers) for x in got])

    app.engine.dispose()
    url = url_for("loopback")
    app, key = prepared(url)
    app.engine.dispose()
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/EDIFACT"}
    log = tempfile.NamedTemporaryFile(prefix="api_bench_serve_", suffix=".log")  # noqa: SIM115
    process, base = serve(url, log, workers)
    try:
        limits = httpx.Limits(max_connections=max(clients_list))
        with httpx.Client(base_url=base, timeout=120, limits=limits) as http:
            post(http, interchanges(1, "W")[0], headers)  # warm up: the key cache, imports
            for clients in clients_list:
                data = interchanges(n, f"L{clients}")
                registered: list[str] = []

                def submit(raw: bytes, into: list[str] = registered) -> None:
                    into.append(post(http, raw, headers))

                results[f"loopback_{clients}"] = timed(
                    [partial(submit, raw) for raw in data], clients, process.pid
                )
                results[f"loopback_get_{clients}"] = settled(
                    [partial(read, http, x, headers) for x in registered], clients, process.pid
                )
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()

    first = f"loopback_{clients_list[0]}"
    for pipeline, modes in (
        ("direct", ("asgi", first)),
        ("direct_get", ("asgi_get", f"loopback_get_{clients_list[0]}")),
    ):
        for mode in modes:
            for figure, name in (
                ("mean_ms", "overhead_percent"),
                ("cpu_ms", "cpu_overhead_percent"),
            ):
                results[f"{mode}_{name}"] = overhead(
                    results[mode][figure], results[pipeline][figure]
                )
        # The server's own CPU against the pipeline's: the client is the trader's machine, not
        # ours, so this is the API's cost to us; ``cpu_overhead_percent`` counts both.
        loopback = modes[-1]
        results[f"{loopback}_server_cpu_overhead_percent"] = overhead(
            results[loopback]["server_cpu_ms"], results[pipeline]["cpu_ms"]
        )
    return results


def overhead(api_ms: float, pipeline_ms: float) -> float:
    """``(api - pipeline) / pipeline`` in percent."""
    return round((api_ms - pipeline_ms) / pipeline_ms * 100, 1)


def read(http: httpx.Client | TestClient, number: str, headers: dict[str, str]) -> None:
    """GET one declaration (fails loudly unless 200)."""
    answer = http.get(f"/v1/declarations/{number}", headers=headers)
    if answer.status_code != 200:
        raise SystemExit(f"GET {number}: {answer.status_code} {answer.text[:300]}")


def postgres_stores(url: str) -> tuple[Callable[[str], str], Callable[[], None]]:
    """Per-mode databases ``<name>_<mode>`` next to ``url``'s, and how to drop them."""
    base = make_url(url)
    made: list[str] = []
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")

    def url_for(mode: str) -> str:
        name = f"{base.database}_{mode}"
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return base.set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as connection:
            for name in made:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url_for, drop


def main(argv: list[str] | None = None) -> None:
    """Parse the options, run, print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=200, help="interchanges per mode and clients")
    parser.add_argument("--database", default="sqlite", help="sqlite or a PostgreSQL URL")
    parser.add_argument("--clients", default="1,8,32", help="concurrent clients, e.g. 1,8,32")
    parser.add_argument("--workers", type=int, default=1, help="customs serve --workers")
    args = parser.parse_args(argv)
    clients_list = [int(c) for c in args.clients.split(",")]
    started = time.perf_counter()
    if args.database == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            results = run(
                args.n,
                lambda mode: f"sqlite:///{Path(tmp) / mode}.db",
                clients_list,
                args.workers,
            )
    else:
        url_for, drop = postgres_stores(args.database)
        try:
            results = run(args.n, url_for, clients_list, args.workers)
        finally:
            drop()
    results["database"] = "sqlite" if args.database == "sqlite" else "postgresql"
    results["workers"] = args.workers
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["load_average"] = os.getloadavg()
    modes = ["direct", "asgi", *(f"loopback_{c}" for c in clients_list)]
    modes += ["direct_get", "asgi_get", *(f"loopback_get_{c}" for c in clients_list)]
    for mode in modes:
        f = results[mode]
        split = (
            f" (client {f['client_cpu_ms']}, server {f['server_cpu_ms']}"
            f" of which event loop {f['server_loop_cpu_ms']})"
            if "server_cpu_ms" in f
            else ""
        )
        print(
            f"{mode:<17} mean {f['mean_ms']:>8} ms  p50 {f['p50_ms']:>8} ms  "
            f"p99 {f['p99_ms']:>8} ms  {f['per_second']:>7}/s  cpu {f['cpu_ms']:>6} ms{split}"
        )
    first = clients_list[0]
    for figure, name in (("", "latency"), ("cpu_", "CPU time")):
        print(
            f"API overhead on {name}, (api - pipeline) / pipeline, {first} client(s): POST over "
            f"ASGI {results[f'asgi_{figure}overhead_percent']}%, over loopback "
            f"{results[f'loopback_{first}_{figure}overhead_percent']}% (target <= 20%); GET one "
            f"declaration over ASGI {results[f'asgi_get_{figure}overhead_percent']}%, over "
            f"loopback {results[f'loopback_get_{first}_{figure}overhead_percent']}%"
        )
    print(
        f"API overhead on the server's CPU time alone (the client's left out), {first} "
        f"client(s): POST over loopback "
        f"{results[f'loopback_{first}_server_cpu_overhead_percent']}%; GET one declaration "
        f"over loopback {results[f'loopback_get_{first}_server_cpu_overhead_percent']}%"
    )
    print(f"load average {results['load_average'][0]:.2f}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
