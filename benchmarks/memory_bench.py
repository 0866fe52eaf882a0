"""Peak memory of the full pipeline on large EDIFACT interchanges (issue 15), SQLite and PostgreSQL.

Each case runs in a fresh process (its peak resident set size, VmHWM, is the figure;
the input files are generated beforehand by the parent and read from disk):

- ``one N``: N five-item declarations of benchmarks/day.py in ONE interchange, processed by
  the standard pipeline (assessment, manifest reconciliation, controls and decision, CUSRES);
- ``files N K``: the same N declarations in interchanges of K (the peer: a small interchange
  at a time);
- ``big MB``: an interchange of about MB megabytes of those declarations whose UNZ count is
  wrong, so that it is read, checked and answered (one CONTRL naming every message) but
  nothing is registered: what reading and answering a very large file costs;
- ``stored MB``: the same interchange on a worker's path: one process receives it (stores the
  raw bytes, as ``enqueue`` does), then a FRESH process runs ``Pipeline.process_stored`` on it
  (the queued job's body, what ``customs worker`` runs; on SQLite the in-process task) and
  only that second process is measured: what reading the bytes back from the store costs.

    python benchmarks/memory_bench.py                  # the default cases on SQLite
    python benchmarks/memory_bench.py --postgres       # ... and on PostgreSQL as well
    python benchmarks/memory_bench.py one 10000        # one case
    python benchmarks/memory_bench.py one 1000 one 10000 big 50 big 100   # a curve
    python benchmarks/memory_bench.py stored 50 stored 100 stored 200      # a worker's path
    python benchmarks/memory_bench.py --details ...    # outcomes with every detail (the CLI)
    python benchmarks/memory_bench.py --postgres-only --database customs_NAME_bench ...

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


def _load() -> str:
    """The load average (1, 5, 15 minutes): the machine is shared."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _high_water_kib() -> int:
    """This process's peak resident set (VmHWM). Not ``ru_maxrss``: on Linux a child keeps
    the parent's figure from before exec, and the parent generated the input."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def write_case(case: list[str], folder: Path) -> None:
    """Generate the files of ``case`` into ``folder`` (in the parent: generating a 200 MB
    interchange takes more memory than processing it, and must not count)."""
    from day import day, one_interchange

    kind = case[0]
    if kind == "one":
        files = [one_interchange(int(case[1]))]
    elif kind == "files":
        files = day(int(case[1]), sizes=((int(case[2]), 1.0),))
    else:
        files = [_interchange_of_bytes(int(case[1]))]
    for n, raw in enumerate(files):
        (folder / f"{n:05d}.edi").write_bytes(raw)


#: Room for the largest case (the default limit is 256 MiB).
MAX_EDIFACT_BYTES = 512 * 2**20


def receive_case(folder: Path, url: str) -> list[int]:
    """Store the files of ``folder`` as received messages (a fresh, prepared store); their ids.

    Run in a process of its own: the worker's process that follows never held the bytes.
    """
    from bench_store import fresh_store, prepare

    from clearance.intake.pipeline import Pipeline
    from core.settings import Settings

    engine = fresh_store(url or f"sqlite:///{folder}/memory.db")
    clock = prepare(engine)
    pipeline = Pipeline.standard(engine, Settings(max_edifact_bytes=MAX_EDIFACT_BYTES), clock)
    ids = [
        pipeline.receive(path.read_bytes(), filename=path.name, channel="file")
        for path in sorted(folder.glob("*.edi"))
    ]
    engine.dispose()
    return ids


def run_case(case: list[str], folder: Path, url: str, details: bool) -> dict[str, object]:
    """Process the files of ``folder`` in this process; its figures (peak RSS in MiB …).

    ``stored``: process the messages a previous process received (``--receive``), as a worker.
    """
    from bench_store import backend_cpu, fresh_store, prepare
    from day import INSTANT

    from clearance.intake.pipeline import Pipeline
    from core.clock import FixedClock
    from core.db import make_engine
    from core.settings import Settings

    paths = sorted(folder.glob("*.edi"))
    size = sum(p.stat().st_size for p in paths)
    stored = case[0] == "stored"
    database = url or f"sqlite:///{folder}/memory.db"
    engine = make_engine(database) if stored else fresh_store(database)
    clock = FixedClock(INSTANT) if stored else prepare(engine)
    pipeline = Pipeline.standard(engine, Settings(max_edifact_bytes=MAX_EDIFACT_BYTES), clock)
    pipeline.details = details
    ids = json.loads((folder / "received.json").read_text()) if stored else []
    before = _high_water_kib()
    server = backend_cpu(engine)  # PostgreSQL: what reading the bytes back costs the server
    start, cpu = time.perf_counter(), time.process_time()
    declarations = 0
    for path in [] if stored else paths:
        outcome = pipeline.submit(path.read_bytes())
        declarations += sum(1 for d in outcome.declarations if d.number)
        del outcome
    for message_id in ids:
        done = pipeline.process_stored(message_id)
        assert done is not None, f"message {message_id} was not processed"
        declarations += sum(1 for d in done.declarations if d.number)
        del done
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    server = backend_cpu(engine) - server
    engine.dispose()
    peak = _high_water_kib()
    return {
        "case": " ".join(case),
        "details": details,
        "backend": "postgresql" if url else "sqlite",
        "input_mb": round(size / 1e6, 1),
        "files": len(paths),
        "registered": declarations,
        "seconds": round(elapsed, 1),
        "cpu_seconds": round(cpu, 1),
        "backend_cpu_seconds": round(server, 1),
        "peak_rss_mib": round(peak / 1024, 1),
        "rss_before_mib": round(before / 1024, 1),
    }


def _cases(args: list[str]) -> list[list[str]]:
    """``one 1000 big 50 files 10000 100`` → the three cases (``files`` takes two numbers)."""
    cases = []
    while args:
        width = 3 if args[0] == "files" else 2
        cases.append(args[:width])
        args = args[width:]
    return cases


def _child(command: list[str]) -> str:
    """Run ``command`` (this script in a fresh process); its output, or exit with its error."""
    child = subprocess.run(command, capture_output=True, text=True, check=False)
    if child.returncode != 0:
        print(child.stderr, file=sys.stderr)
        raise SystemExit(child.returncode)
    return child.stdout


def main() -> None:
    """Run the cases, each in its own process, and print the figures."""
    args = sys.argv[1:]
    if args and args[0] == "--child":
        folder, url, mode, *case = args[1:]
        print(json.dumps(run_case(case, Path(folder), url, mode == "details")))
        return
    if args and args[0] == "--receive":
        folder, url = args[1:]
        (Path(folder) / "received.json").write_text(json.dumps(receive_case(Path(folder), url)))
        return
    database = "customs_throughput_bench"
    if "--database" in args:
        at = args.index("--database")
        database = args[at + 1]
        del args[at : at + 2]
    postgres_only = "--postgres-only" in args
    postgres = "--postgres" in args or postgres_only
    details = "--details" in args
    args = [a for a in args if a not in ("--postgres", "--postgres-only", "--details")]
    cases = _cases(args) if args else [list(map(str, c)) for c in DEFAULT_CASES]
    urls = [] if postgres_only else [""]
    if postgres:
        from bench_store import postgres_database

        urls.append(postgres_database(database))
    results = []
    mode = "details" if details else "summary"
    for url in urls:
        for case in cases:
            with tempfile.TemporaryDirectory() as tmp:
                write_case(case, Path(tmp))
                if case[0] == "stored":
                    _child([sys.executable, __file__, "--receive", tmp, url])
                child = _child([sys.executable, __file__, "--child", tmp, url, mode, *case])
            result = json.loads(child.strip().splitlines()[-1])
            results.append(result)
            print(
                f"{result['backend']:<10} {result['case']:<16} {result['input_mb']:>7} MB "
                f"{result['files']:>5} file(s) {result['registered']:>6} registered "
                f"{result['seconds']:>7} s ({result['cpu_seconds']} CPU s, "
                f"{result['backend_cpu_seconds']} server)  "
                f"peak RSS {result['peak_rss_mib']:>8} MiB  load {_load()}",
                flush=True,
            )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
