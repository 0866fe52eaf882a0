"""Is a worker's memory flat over a long run? (issue 15, "Peak memory of a worker flat").

One process takes many interchanges one after another exactly as a worker does: the bytes
stored, then :func:`clearance.app.queueing.process_message` (the worker's task body) in its
own unit of work, on a store that grows as it goes (SQLite by default; ``--postgres`` for the
local PostgreSQL, database ``customs_faults_membench``, dropped after). The resident set
(VmRSS) is sampled after every interchange; the figures are the peak of each quarter of the
run. Flat means the last quarter's peak is no higher than the first's plus a small margin
(caches of reference data filling up once are expected in the first quarter).

    python benchmarks/worker_memory_bench.py                 # 1,500 declarations, ~1 min
    python benchmarks/worker_memory_bench.py 6000 --postgres

Bounded: the declarations asked for (default 1,500) in interchanges of 1 and 10
(benchmarks/day.py), and at most ``--seconds`` (default 300) of processing. The peak for one
large interchange by its size is benchmarks/memory_bench.py's (``one N``).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def rss_mib() -> float:
    """This process's resident set now (VmRSS), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    """Run, sample, print a line per quarter and a JSON summary."""
    from bench_store import fresh_store, postgres_database, prepare
    from day import day

    from clearance.app import LOCAL_OPERATOR, Application
    from clearance.app import queueing as queue_cases
    from clearance.app.messages import Interchange
    from core.settings import Settings

    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    total = int(args[0]) if args else 1500
    budget = 300.0
    if "--seconds" in sys.argv:
        budget = float(sys.argv[sys.argv.index("--seconds") + 1])
        args = [a for a in args if a != sys.argv[sys.argv.index("--seconds") + 1]]
    files = day(total, sizes=((1, 0.4), (10, 0.6)))
    with tempfile.TemporaryDirectory() as folder:
        postgres = "--postgres" in sys.argv
        url = (
            postgres_database("customs_faults_membench")
            if postgres
            else (f"sqlite:///{folder}/membench.db")
        )
        engine = fresh_store(url)
        app = Application(engine, Settings(), prepare(engine))
        start_rss = rss_mib()
        samples: list[float] = []
        declarations = 0
        started = time.perf_counter()
        for raw in files:
            queued = queue_cases.enqueue(app, LOCAL_OPERATOR, Interchange(raw), run_now=True)
            outcome = queued.outcome
            declarations += sum(1 for d in outcome.declarations if d.number) if outcome else 0
            samples.append(rss_mib())
            if time.perf_counter() - started > budget:
                break
        elapsed = time.perf_counter() - started
        engine.dispose()
    quarter = max(1, len(samples) // 4)
    peaks = [round(max(samples[i * quarter : (i + 1) * quarter] or [0.0]), 1) for i in range(4)]
    result = {
        "backend": "postgresql" if postgres else "sqlite",
        "interchanges": len(samples),
        "declarations": declarations,
        "seconds": round(elapsed, 1),
        "rss_at_start_mib": round(start_rss, 1),
        "peak_by_quarter_mib": peaks,
        "growth_last_vs_first_quarter_mib": round(peaks[3] - peaks[0], 1),
    }
    for n, peak in enumerate(peaks, 1):
        print(f"quarter {n}: peak RSS {peak} MiB")
    print(json.dumps(result))
    if postgres:
        from sqlalchemy import text

        from core.db import make_engine

        admin = make_engine("postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text('DROP DATABASE IF EXISTS "customs_faults_membench" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
