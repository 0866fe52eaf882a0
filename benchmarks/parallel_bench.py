"""1, 2 and 4 pipeline processes over one PostgreSQL store: throughput and lock waits (issue 15).

Each run starts from a fresh store holding the day's reference data; the processes share the
day's files (benchmarks/day.py) between them and start together. While they run, the parent
samples ``pg_stat_activity`` every 50 ms: of the backends working for the processes, how many
wait for a lock another one holds (``wait_event_type = 'Lock'``) and on what. Two shares:

- ``lock_wait_share``: waiting samples over samples x processes, the share of *worker time*
  spent waiting on another worker's lock (the target: under 5%);
- ``lock_wait_share_of_active``: waiting samples over samples of backends running a statement
  (``state = 'active'``); a worker spends most of its time in Python, so this is the larger.

It also prints the CPU per declaration of the worker processes (``process_time`` of their
loops) and of their PostgreSQL backends (utime + stime from ``/proc/<pid>/stat``, the last
value the sampler saw of each): on a machine shared with other work these say more than the
rates, and if they do not grow from 1 to 2 processes, the processes do not slow each other.

    python benchmarks/parallel_bench.py [N] [PROCESSES ...]     # default 2000; 1 2 4

``CUSTOMS_BENCH_DATABASE`` names the scratch database (default ``customs_throughput_bench``).

The machines here have 2 cores shared with the database server, so 4 processes cannot be
faster than 2; what matters is that 2 are faster than 1 and that nobody waits on a lock. The
last line printed is a JSON object.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_store import fresh_store, mix, postgres_database, prepare  # noqa: E402
from day import INSTANT, day  # noqa: E402

from core.db import make_engine  # noqa: E402

SAMPLE_EVERY = 0.05


def _worker(url: str, files: list[bytes], barrier: Any, done: Any, cpu: Any) -> None:
    from clearance.intake.pipeline import Pipeline
    from core.clock import FixedClock
    from core.settings import Settings

    engine = make_engine(url)
    pipeline = Pipeline.standard(engine, Settings(), FixedClock(INSTANT))
    barrier.wait()
    start = time.process_time()
    for raw in files:
        pipeline.submit(raw)
    cpu.put(time.process_time() - start)
    engine.dispose()
    done.put(sum(raw.count(b"UNH+") for raw in files))


def _sample(
    url: str, stop: threading.Event, seen: Counter[str], backends: dict[int, float]
) -> None:
    engine = make_engine(url)
    query = text(
        "SELECT wait_event_type, wait_event, left(query, 60), state, pid FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    with engine.connect() as conn:
        while not stop.wait(SAMPLE_EVERY):
            seen["samples"] += 1
            for wait_type, wait_event, statement, state, pid in conn.execute(query):
                # The workers' backends' CPU so far (they start with the run: connections are
                # opened after the barrier); the last value seen of each is what it used.
                backends[pid] = max(backends.get(pid, 0.0), _cpu_of(pid))
                if state != "active":
                    continue
                seen["working"] += 1
                if wait_type == "Lock":
                    seen["lock"] += 1
                    seen[f"lock {wait_event}: {statement}"] += 1
            conn.rollback()  # a fresh snapshot of pg_stat_activity for the next sample
    engine.dispose()


def _cpu_of(pid: int) -> float:
    """utime + stime of process ``pid`` in seconds (0 when it is gone or not on this machine)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(url: str, files: list[bytes], processes: int) -> dict[str, Any]:
    """``files`` shared by ``processes`` pipeline processes; the figures."""
    engine = fresh_store(url)
    prepare(engine)
    ctx = multiprocessing.get_context("spawn")
    barrier, done, cpu = ctx.Barrier(processes + 1), ctx.Queue(), ctx.Queue()
    workers = [
        ctx.Process(target=_worker, args=(url, files[i::processes], barrier, done, cpu))
        for i in range(processes)
    ]
    for worker in workers:
        worker.start()
    seen: Counter[str] = Counter()
    backends: dict[int, float] = {}
    stop = threading.Event()
    sampler = threading.Thread(target=_sample, args=(url, stop, seen, backends))
    barrier.wait()
    start = time.perf_counter()
    sampler.start()
    declarations = sum(done.get() for _ in workers)
    wall = time.perf_counter() - start
    workers_cpu = sum(cpu.get() for _ in workers)
    stop.set()
    sampler.join()
    for worker in workers:
        worker.join()
    lanes = mix(engine)
    engine.dispose()
    waits = {k[5:]: v for k, v in seen.most_common() if k.startswith("lock ")}
    return {
        "processes": processes,
        "declarations": declarations,
        "wall_s": round(wall, 2),
        "per_s": round(declarations / wall, 1),
        "worker_cpu_ms_per_declaration": round(workers_cpu / declarations * 1000, 2),
        "backend_cpu_ms_per_declaration": round(sum(backends.values()) / declarations * 1000, 2),
        "lock_wait_share": round(seen["lock"] / max(1, seen["samples"] * processes), 3),
        "lock_wait_share_of_active": round(seen["lock"] / max(1, seen["working"]), 3),
        "top_lock_waits": dict(list(waits.items())[:3]),
        "mix": lanes,
    }


def main() -> None:
    """Run with each number of processes and print the figures."""
    args = [int(a) for a in sys.argv[1:]]
    n = args[0] if args else 2000
    counts = args[1:] or [1, 2, 4]
    url = postgres_database(os.environ.get("CUSTOMS_BENCH_DATABASE", "customs_throughput_bench"))
    files = day(n)
    print(f"{sum(f.count(b'UNH+') for f in files)} declarations in {len(files)} interchanges")
    results = []
    for processes in counts:
        result = run(url, files, processes)
        results.append(result)
        base = results[0]["per_s"]
        print(
            f"{processes} process(es): {result['per_s']:>7} declarations/s "
            f"({result['per_s'] / base:.2f}x one), lock waits {result['lock_wait_share']:.1%} "
            f"of worker time ({result['lock_wait_share_of_active']:.1%} of active samples); "
            f"CPU per declaration: workers {result['worker_cpu_ms_per_declaration']} ms, "
            f"backends {result['backend_cpu_ms_per_declaration']} ms; "
            f"{result['top_lock_waits']}",
            flush=True,
        )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
