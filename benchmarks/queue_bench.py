"""Draining a backlog through the PostgreSQL queue with 1, 2 and 4 ``customs worker`` processes.

Needs ``CUSTOMS_BENCH_POSTGRES_URL`` (a scratch database: its schema is dropped and rebuilt).
For each worker count: N one-declaration interchanges from 8 senders are stored and queued
(``submit --queue``'s use case), then that many ``customs worker --drain`` processes are started
together and the wall time until the queue is empty is measured. The peer is the same backlog
processed in one process without the queue (``Pipeline.submit`` per file). The last line
printed is a JSON object.

    CUSTOMS_BENCH_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench \\
        python benchmarks/queue_bench.py 400
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_store import load_offices  # noqa: E402
from sqlalchemy import text  # noqa: E402

from clearance.app import (  # noqa: E402
    LOCAL_OPERATOR,
    Application,
    queueing,
)
from clearance.app.messages import Interchange  # noqa: E402
from clearance.store.migrate import upgrade  # noqa: E402
from core.db import make_engine  # noqa: E402
from core.settings import Settings  # noqa: E402

SAMPLE = (ROOT / "samples" / "edifact" / "01-import-d96b.edi").read_bytes()
SENDERS = 8


def backlog(n: int) -> list[bytes]:
    """N distinct interchanges (own control reference) from SENDERS senders."""
    files = []
    for i in range(n):
        sender = f"BROKER{i % SENDERS:02d}".encode()
        files.append(
            SAMPLE.replace(b"BROKER01", sender).replace(b"IC0000001", f"Q{i:08d}".encode())
        )
    return files


def fresh(url: str) -> Application:
    """An empty, migrated database (and queue)."""
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS procrastinate CASCADE"))
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    load_offices(engine)
    return Application(engine, Settings(database_url=url))


def drain(url: str, files: list[bytes], workers: int) -> float:
    """Queue the backlog, then time ``workers`` draining processes."""
    app = fresh(url)
    for i, raw in enumerate(files):
        queueing.enqueue(app, LOCAL_OPERATOR, Interchange(raw, filename=f"{i}.edi"))
    env = {**os.environ, "CUSTOMS_DATABASE_URL": url, "CUSTOMS_LOG_LEVEL": "WARNING"}
    started = time.perf_counter()
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "clearance.cli", "worker", "--drain"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    for process in processes:
        process.wait()
    seconds = time.perf_counter() - started
    with app.engine.connect() as connection:
        done = connection.execute(text("SELECT count(*) FROM declarations")).scalar()
    assert done == len(files), f"{done} of {len(files)} declarations"
    return seconds


def in_process(url: str, files: list[bytes]) -> float:
    """The peer: the same backlog processed one file after the other, no queue."""
    app = fresh(url)
    started = time.perf_counter()
    for i, raw in enumerate(files):
        app.pipeline.submit(raw, filename=f"{i}.edi")
    return time.perf_counter() - started


def main() -> None:
    """Print drain times and rates for 1, 2 and 4 workers and the in-process peer."""
    url = os.environ.get("CUSTOMS_BENCH_POSTGRES_URL")
    if not url:
        print("queue_bench: set CUSTOMS_BENCH_POSTGRES_URL to a scratch PostgreSQL database")
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    files = backlog(n)
    figures: dict[str, float] = {"in_process": in_process(url, files)}
    print(
        f"in process, no queue: {n} declarations in {figures['in_process']:.1f} s "
        f"({n / figures['in_process']:.0f}/s)"
    )
    for workers in (1, 2, 4):
        seconds = drain(url, files, workers)
        figures[f"workers_{workers}"] = seconds
        print(
            f"{workers} worker(s): {n} queued declarations drained in {seconds:.1f} s "
            f"({n / seconds:.0f}/s, start-up included)"
        )
    print(json.dumps({"declarations": n, **{k: round(v, 2) for k, v in figures.items()}}))


if __name__ == "__main__":
    main()
