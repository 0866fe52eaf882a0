"""What the HTTP API adds to a submission and to reading one declaration, like with like.

Two server processes run side by side over ONE store (the sample tariff and registries loaded,
a broker's API key issued), started with the same environment:

- ``api``: a real ``customs serve`` (``--workers 1``, inline intake, no rate limit) on a
  loopback port: ``POST /v1/submissions`` to its acknowledgement, ``GET
  /v1/declarations/{number}``, one reused httpx client (keep-alive);
- ``direct``: ``benchmarks/api_bench_direct.py``, a process built as the server's factory
  builds it (the same Application, engine, connection pool, thread limit, uvloop) that runs the
  same use cases (``messages.submit``, ``declarations.show_with_decision``) in anyio's thread
  pool behind a bare framed protocol on a loopback port: the pipeline's own cost, served.

Both are driven by the same client code, in alternating blocks (direct then api, api then
direct, ...) so that drift on a shared machine hits both alike: each phase runs ``--blocks``
pairs of blocks of submissions, then of reads (both sides of a pair read the same
declarations). Phases: one client PACED (``--gap-ms`` between an answer and the next request,
for both sides: a server that idles between requests, as a real one does), one client back to
back (the tight loop), and each other ``--clients`` count back to back (throughput).

CPU time is counted per thread of each server (``/proc/<pid>/task/*/schedstat``): the main
thread (the event loop: for ``api`` HTTP, routing, dependencies, authentication, the rate limit,
serialisation, the access log and the hop; for ``direct`` a frame in and out and the hop) and
the worker threads (the use case). The API's overhead per pair of blocks is
``(api server CPU - direct worker CPU) / direct worker CPU``: everything the API process spends
on a request over what the use case itself costs in a process of the same shape, paced alike.
Also printed per phase: both servers' split, the worker threads' difference (the same use case
in both: a gap there is not HTTP's), the client's CPU, mean/p50/p99 latency and throughput.
PostgreSQL's CPU is in neither: its work is the same on both sides. The last line is a JSON
object. ``--database``: ``sqlite`` (a temporary file) or a PostgreSQL URL whose database name is
a prefix: ``<name>_api`` is created and dropped.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "samples" / "controls"))

import httpx  # noqa: E402
from bench_store import load_offices  # noqa: E402
from scenarios import AU, BEEF, LIC, OCEAN, SHRIMP, Item, Scenario, interchange  # noqa: E402
from sqlalchemy import create_engine, make_url, text  # noqa: E402

from clearance.app import (  # noqa: E402
    LOCAL_OPERATOR,
    Document,
    Role,
    keys,
    open_application,
    registries,
    subjects,
    tariffs,
)
from core.settings import Settings  # noqa: E402

REGISTRIES = sorted((ROOT / "samples" / "controls").glob("*.jsonl"))
DIRECT = Path(__file__).resolve().parent / "api_bench_direct.py"
SIDES = ("direct", "api")

#: One side's submit (raw interchange -> declaration number) and read (number -> None).
Submit = Callable[[bytes], str]
Read = Callable[[str], None]


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


def prepare(url: str) -> str:
    """Migrate ``url`` and load tariff, registries and a broker; the broker's API key."""
    app = open_application(Settings(database_url=url))
    try:
        tariffs.load_schedule(
            app, LOCAL_OPERATOR, Document.read(ROOT / "samples" / "tariffs" / "cn-extract.jsonl")
        )
        registries.load(app, LOCAL_OPERATOR, [Document.read(p) for p in REGISTRIES])
        load_offices(app.engine)
        subjects.add_subject(
            app,
            LOCAL_OPERATOR,
            subjects.NewSubject("bench-broker", "Bench", Role.BROKER, ["edi:BROKER01"]),
        )
        return keys.issue_key(app, LOCAL_OPERATOR, "bench-broker").key
    finally:
        app.engine.dispose()


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

    In both servers the main thread runs the event loop; the use cases run in the thread
    pool: the difference.
    """
    if pid is None:
        return 0.0, 0.0
    total = sum(spent - before.get(tid, 0) for tid, spent in after.items())
    main = after.get(str(pid), 0) - before.get(str(pid), 0)
    return total / 1e9, main / 1e9


def block(
    calls: Sequence[Callable[[], object]], clients: int, gap: float, pid: int | None
) -> dict[str, Any]:
    """Run ``calls`` from ``clients`` threads, each pausing ``gap`` seconds after every answer;
    latencies, elapsed time, and CPU per call (ms): the server's, its loop's, the client's."""
    latencies: list[float] = []

    def one(call: Callable[[], object]) -> None:
        start = time.perf_counter()
        call()
        latencies.append(time.perf_counter() - start)  # list.append is atomic
        if gap:
            time.sleep(gap)

    cpu, before = time.process_time(), server_threads(pid)
    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, calls))
    elapsed = time.perf_counter() - start
    client = time.process_time() - cpu
    total, loop = server_threads_cpu(pid, before, server_threads(pid))
    per_call = 1000 / len(calls)
    return {
        "latencies": latencies,
        "elapsed": elapsed,
        "server_ms": total * per_call,
        "loop_ms": loop * per_call,
        "workers_ms": (total - loop) * per_call,
        "client_ms": client * per_call,
    }


def overhead(api_ms: float, pipeline_ms: float) -> float:
    """``(api - pipeline) / pipeline`` in percent."""
    return round((api_ms - pipeline_ms) / pipeline_ms * 100, 1)


def spread(values: list[float]) -> dict[str, float]:
    """Median, min and max of ``values``, rounded to 0.01."""
    return {
        "median": round(statistics.median(values), 2),
        "min": round(min(values), 2),
        "max": round(max(values), 2),
    }


def compare(pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, Any]:
    """Figures of one verb in one phase from its (direct, api) pairs of :func:`block` results.

    Per side: latency figures over every block, and the median/min/max over blocks of the CPU
    per request. Per pair: the API's overhead ``(api server - direct workers) / direct
    workers`` (the target's figure), the same against the direct process's whole CPU (its
    frame and hop left out of the API's account), and the worker threads' difference in ms.
    """
    result: dict[str, Any] = {}
    for index, side in enumerate(SIDES):
        blocks = [pair[index] for pair in pairs]
        latencies = [x for b in blocks for x in b["latencies"]]
        result[side] = {
            **figures(latencies, sum(b["elapsed"] for b in blocks)),
            **{
                name: spread([b[name] for b in blocks])
                for name in ("server_ms", "loop_ms", "workers_ms", "client_ms")
            },
        }
    result["overhead_percent"] = [overhead(a["server_ms"], d["workers_ms"]) for d, a in pairs]
    result["overhead_over_process_percent"] = [
        overhead(a["server_ms"], d["server_ms"]) for d, a in pairs
    ]
    result["workers_gap_ms"] = [round(a["workers_ms"] - d["workers_ms"], 2) for d, a in pairs]
    for name in ("overhead_percent", "overhead_over_process_percent", "workers_gap_ms"):
        result[f"{name}_spread"] = spread(result[name])
    return result


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


def server_environment(url: str, key: str) -> dict[str, str]:
    """The environment of both servers: the store, no rate limit, inline intake."""
    return {
        **os.environ,
        "CUSTOMS_DATABASE_URL": url,
        "CUSTOMS_API_RATE_PER_SECOND": "1e6",
        "CUSTOMS_API_RATE_BURST": "1000000",
        # The API's own cost against the pipeline's: the server processes submissions
        # itself (on PostgreSQL it would otherwise queue them for `customs worker`s).
        "CUSTOMS_API_INTAKE": "inline",
        "API_BENCH_KEY": key,  # the direct process authenticates once with it
    }


def start(command: list[str], env: dict[str, str], log: IO[bytes], ready: bytes) -> int:
    """Start ``command`` with output to ``log`` (a file: a reader thread here would take the
    interpreter lock from the measuring client); wait for ``ready`` in it; the process."""
    process = subprocess.Popen(command, env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if ready in Path(log.name).read_bytes():
            STARTED.append(process)
            return process.pid
        time.sleep(0.1)
    process.kill()
    tail = Path(log.name).read_bytes()[-2000:].decode(errors="replace")
    raise SystemExit(f"{command[0]} did not start:\n{tail}")


#: Every server started, stopped at the end.
STARTED: list[subprocess.Popen[bytes]] = []


@contextmanager
def servers(url: str, key: str) -> Iterator[dict[str, tuple[int, int]]]:
    """``customs serve`` and the direct process over ``url``: pid and port of each side."""
    env = server_environment(url, key)
    logs = [
        tempfile.NamedTemporaryFile(prefix=f"api_bench_{side}_", suffix=".log")  # noqa: SIM115
        for side in SIDES
    ]
    try:
        direct_port, api_port = free_port(), free_port()
        customs = str(Path(sys.executable).parent / "customs")
        sides = {
            "direct": (
                start(
                    [sys.executable, str(DIRECT), "--port", str(direct_port)],
                    env,
                    logs[0],
                    b"listening",
                ),
                direct_port,
            ),
            "api": (
                start(
                    [customs, "serve", "--port", str(api_port), "--workers", "1"],
                    env,
                    logs[1],
                    b"Uvicorn running on",
                ),
                api_port,
            ),
        }
        yield sides
    finally:
        for process in STARTED:
            process.terminate()
        for process in STARTED:
            process.wait(timeout=30)
        STARTED.clear()
        for log in logs:
            log.close()


class DirectClient:
    """The direct process's client: a pool of connections, one per calling thread at a time
    (as httpx keeps its connections), each request framed as ``api_bench_direct.frame``."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.idle: queue.SimpleQueue[socket.socket] = queue.SimpleQueue()
        self.made: list[socket.socket] = []

    def call(self, verb: bytes, payload: bytes) -> bytes:
        """Send one request; its answer's payload."""
        try:
            connection = self.idle.get_nowait()
        except queue.Empty:
            connection = socket.create_connection(("127.0.0.1", self.port))
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.made.append(connection)
        connection.sendall(verb + len(payload).to_bytes(4, "big") + payload)
        size = int.from_bytes(_exactly(connection, 4), "big")
        answer = _exactly(connection, size)
        self.idle.put(connection)
        return answer

    def submit(self, raw: bytes) -> str:
        """The declaration number of a submitted interchange."""
        return self.call(b"S", raw).decode()

    def read(self, number: str) -> None:
        """Read one declaration (fails loudly unless answered)."""
        if self.call(b"G", number.encode()) != b"ok":
            raise SystemExit(f"direct read of {number} failed")

    def close(self) -> None:
        """Close every connection."""
        for connection in self.made:
            connection.close()


def _exactly(connection: socket.socket, size: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = connection.recv(size - len(chunks))
        if not chunk:
            raise SystemExit("the direct process closed the connection")
        chunks += chunk
    return bytes(chunks)


def http_side(http: httpx.Client, key: str) -> tuple[Submit, Read]:
    """Submit and read over HTTP with ``key``."""
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/EDIFACT"}

    def submit(raw: bytes) -> str:
        return accepted(http.post("/v1/submissions", content=raw, headers=headers))

    def read(number: str) -> None:
        answer = http.get(f"/v1/declarations/{number}", headers=headers)
        if answer.status_code != 200:
            raise SystemExit(f"GET {number}: {answer.status_code} {answer.text[:300]}")

    return submit, read


def _into(got: list[str], submit: Submit, raw: bytes) -> None:
    got.append(submit(raw))  # list.append is atomic: the client threads share ``got``


def phase(
    sides: dict[str, tuple[int, Submit, Read]],
    label: str,
    clients: int,
    gap: float,
    size: int,
    blocks: int,
    numbers: list[str],
) -> dict[str, Any]:
    """``blocks`` pairs of blocks of ``size`` submissions, then of reads, on both sides in
    alternating order; both sides of a pair read the same registered declarations."""
    pairs: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {"post": [], "get": []}
    for index in range(blocks):
        order = SIDES if index % 2 == 0 else SIDES[::-1]
        done: dict[str, dict[str, Any]] = {}
        for side in order:
            pid, submit, _ = sides[side]
            data = interchanges(size, f"{side[0].upper()}{label}{index:02d}")
            got: list[str] = []
            calls = [partial(_into, got, submit, raw) for raw in data]
            done[side] = block(calls, clients, gap, pid)
            numbers.extend(got)
        pairs["post"].append((done["direct"], done["api"]))
        start = (index * size) % max(1, len(numbers) - size)
        wanted = numbers[start : start + size]
        for side in order:
            pid, _, read = sides[side]
            done[side] = block([partial(read, x) for x in wanted], clients, gap, pid)
        pairs["get"].append((done["direct"], done["api"]))
    return {
        "clients": clients,
        "gap_ms": round(gap * 1000, 1),
        "block": size,
        **{verb: compare(found) for verb, found in pairs.items()},
    }


def run(url: str, n: int, blocks: int, gap: float, clients_list: list[int]) -> dict[str, Any]:
    """Both servers over ``url``; every phase's figures."""
    key = prepare(url)
    results: dict[str, Any] = {"n": n, "blocks": blocks}
    with servers(url, key) as started:
        limits = httpx.Limits(max_connections=max(clients_list))
        direct = DirectClient(started["direct"][1])
        base = f"http://127.0.0.1:{started['api'][1]}"
        with httpx.Client(base_url=base, timeout=120, limits=limits) as http:
            submit, read = http_side(http, key)
            sides: dict[str, tuple[int, Submit, Read]] = {
                "direct": (started["direct"][0], direct.submit, direct.read),
                "api": (started["api"][0], submit, read),
            }
            numbers: list[str] = []
            # Warm both up alike (imports, the key cache, the read path), untimed.
            for side, (_, side_submit, side_read) in sides.items():
                got = [side_submit(raw) for raw in interchanges(8, f"{side[0].upper()}W")]
                for number in got * 2:
                    side_read(number)
                numbers.extend(got)
            plan = [("1_paced", 1, gap)] if 1 in clients_list else []
            plan += [(str(c), c, 0.0) for c in clients_list]
            for tag, (label, clients, pause) in enumerate(plan):
                size = max(n // blocks, 2 * clients)
                results[label] = phase(sides, str(tag), clients, pause, size, blocks, numbers)
        direct.close()
    return results


def postgres_store(url: str) -> tuple[str, Callable[[], None]]:
    """A database ``<name>_api`` next to ``url``'s, and how to drop it."""
    base = make_url(url)
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = f"{base.database}_api"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


def report(results: dict[str, Any]) -> None:
    """Print each phase's table and the overheads, then the JSON line."""
    for label, found in results.items():
        if not isinstance(found, dict) or "post" not in found:
            continue
        print(
            f"-- {found['clients']} client(s), gap {found['gap_ms']} ms, "
            f"{results['blocks']} pairs of blocks of {found['block']}"
        )
        for verb in ("post", "get"):
            f = found[verb]
            for side in SIDES:
                s = f[side]
                print(
                    f"{verb.upper():<4} {side:<6} mean {s['mean_ms']:>8} p50 {s['p50_ms']:>8} "
                    f"p99 {s['p99_ms']:>8} ms {s['per_second']:>6}/s  CPU/request (median "
                    f"of blocks): server {s['server_ms']['median']:.2f} = loop "
                    f"{s['loop_ms']['median']:.2f} + workers {s['workers_ms']['median']:.2f}"
                    f", client {s['client_ms']['median']:.2f} ms"
                )
            o, p, w = (
                f[f"{name}_spread"]
                for name in ("overhead_percent", "overhead_over_process_percent", "workers_gap_ms")
            )
            print(
                f"{verb.upper():<4} API overhead per pair (api server - direct workers) / direct"
                f" workers: median {o['median']}% (min {o['min']}, max {o['max']}; "
                f"{f['overhead_percent']}); over the direct process's whole CPU "
                f"{p['median']}% ({p['min']} .. {p['max']}); workers api - direct "
                f"{w['median']} ms ({w['min']} .. {w['max']})  [{label}]"
            )
    print(f"target: <= 20%; load average {results['load_average'][0]:.2f}")
    print(json.dumps(results))


def main(argv: list[str] | None = None) -> None:
    """Parse the options, run, print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=96, help="requests per side, verb and phase")
    parser.add_argument("--blocks", type=int, default=6, help="pairs of blocks per phase")
    parser.add_argument("--gap-ms", type=float, default=20.0, help="pause of the paced phase")
    parser.add_argument("--database", default="sqlite", help="sqlite or a PostgreSQL URL")
    parser.add_argument("--clients", default="1,8,32", help="concurrent clients, e.g. 1,8,32")
    args = parser.parse_args(argv)
    clients_list = [int(c) for c in args.clients.split(",")]
    started = time.perf_counter()
    if args.database == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'api.db'}"
            results = run(url, args.n, args.blocks, args.gap_ms / 1000, clients_list)
    else:
        url, drop = postgres_store(args.database)
        try:
            results = run(url, args.n, args.blocks, args.gap_ms / 1000, clients_list)
        finally:
            drop()
    results["database"] = "sqlite" if args.database == "sqlite" else "postgresql"
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["load_average"] = os.getloadavg()
    report(results)


if __name__ == "__main__":
    main()
