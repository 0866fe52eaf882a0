"""Peak memory of the full pipeline on large EDIFACT interchanges (issue 15), SQLite and PostgreSQL.

Each case runs in a fresh process (its peak resident set size, ``ru_maxrss``, is the figure):

- ``one N``: N five-item declarations of benchmarks/day.py in ONE interchange, processed by
  the standard pipeline (assessment, manifest reconciliation, controls and decision, CUSRES);
- ``files N K``: the same N declarations in interchanges of K (the peer: a small interchange
  at a time);
- ``big MB``: an interchange of about MB megabytes of those declarations whose UNZ count is
  wrong, so that it is read, checked and answered (one CONTRL naming every message) but
  nothing is registered: what reading and answering a very large file costs.

    python benchmarks/memory_bench.py                  # the default cases on SQLite
    python benchmarks/memory_bench.py --postgres       # ... and on PostgreSQL as well
    python benchmarks/memory_bench.py one 10000        # one case
    python benchmarks/memory_bench.py --details ...    # outcomes with every detail (the CLI)

By default the pipeline runs as a worker would (``Pipeline.details = False``: the outcome keeps a
summary of each declaration); ``--details`` keeps what ``customs submit --json`` prints.

The last line printed is a JSON object with every figure.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

DEFAULT_CASES = (("one", 1000), ("one", 10000), ("files", 10000, 100), ("big", 200))


def _interchange_of_bytes(megabytes: int) -> bytes:
    from day import one_interchange

    unit = one_interchange(100)
    per_declaration = len(unit) / 100
    n = int(megabytes * 1_000_000 / per_declaration)
    raw = one_interchange(n)
    return raw.replace(f"UNZ+{n}+".encode(), f"UNZ+{n + 1}+".encode())  # a count that is wrong


def run_case(case: list[str], url: str, details: bool) -> dict[str, object]:
    """Run one case in this process; its figures (peak RSS in MiB, seconds, declarations)."""
    from bench_store import fresh_store, prepare
    from day import day, one_interchange

    from clearance.intake.pipeline import Pipeline
    from core.settings import Settings

    kind = case[0]
    if kind == "one":
        files = [one_interchange(int(case[1]))]
    elif kind == "files":
        n, k = int(case[1]), int(case[2])
        files = day(n, sizes=((k, 1.0),))
    else:
        files = [_interchange_of_bytes(int(case[1]))]
    size = sum(len(f) for f in files)
    with tempfile.TemporaryDirectory() as tmp:
        engine = fresh_store(url or f"sqlite:///{tmp}/memory.db")
        clock = prepare(engine)
        pipeline = Pipeline.standard(engine, Settings(max_edifact_bytes=512 * 2**20), clock)
        pipeline.details = details
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start, cpu = time.perf_counter(), time.process_time()
        declarations = 0
        for raw in files:
            outcome = pipeline.submit(raw)
            declarations += sum(1 for d in outcome.declarations if d.number)
            del outcome
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "case": " ".join(case),
        "details": details,
        "backend": "postgresql" if url else "sqlite",
        "input_mb": round(size / 1e6, 1),
        "files": len(files),
        "registered": declarations,
        "seconds": round(elapsed, 1),
        "cpu_seconds": round(cpu, 1),
        "peak_rss_mib": round(peak / 1024, 1),
        "rss_before_mib": round(before / 1024, 1),
    }


def main() -> None:
    """Run the cases, each in its own process, and print the figures."""
    args = sys.argv[1:]
    if args and args[0] == "--child":
        print(json.dumps(run_case(args[3:], args[1], args[2] == "details")))
        return
    postgres = "--postgres" in args
    details = "--details" in args
    args = [a for a in args if a not in ("--postgres", "--details")]
    cases = [args] if args else [list(map(str, c)) for c in DEFAULT_CASES]
    urls = [""]
    if postgres:
        from bench_store import postgres_database

        urls.append(postgres_database("customs_throughput_bench"))
    results = []
    mode = "details" if details else "summary"
    for url in urls:
        for case in cases:
            child = subprocess.run(
                [sys.executable, __file__, "--child", url, mode, *case],
                capture_output=True,
                text=True,
                check=False,
            )
            if child.returncode != 0:
                print(child.stderr, file=sys.stderr)
                raise SystemExit(child.returncode)
            result = json.loads(child.stdout.strip().splitlines()[-1])
            results.append(result)
            print(
                f"{result['backend']:<10} {result['case']:<16} {result['input_mb']:>7} MB "
                f"{result['files']:>5} file(s) {result['registered']:>6} registered "
                f"{result['seconds']:>7} s ({result['cpu_seconds']} CPU s)  "
                f"peak RSS {result['peak_rss_mib']:>8} MiB",
                flush=True,
            )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
