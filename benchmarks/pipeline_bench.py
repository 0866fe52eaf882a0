"""Declarations per CPU-second of the full pipeline on a realistic day (issue 15).

The full pipeline is what ``customs submit`` runs for every file: receive (raw bytes committed),
parse, register, assess, manifest reconciliation, controls and decision, CUSRES, commit. The
input is benchmarks/day.py's day: five-item declarations from six brokers for 48 traders,
mostly green, licences and certificates drawn, in interchanges of 1, 10 and 1,000.

CPU time is what the figure is per: on a machine shared with other work, wall time says more
about the neighbours than about the code. On PostgreSQL the server's CPU for our connections
(read from /proc for the backends of the benchmark database) is counted as well, and shown
apart.

    python benchmarks/pipeline_bench.py [N] [--postgres] [--profile FILE] [--gc-policy] [--by-size]
        [--batch B | --stored] [--hash]

N: declarations (default 3000). --profile writes a cProfile of the SQLite run to FILE and
prints where the time went by step. --gc-policy applies the long-running processes'
garbage-collector policy (``core.runtime.settle_heap``, as ``customs worker`` does once it is
built) after the pipeline is built, before the day runs. --by-size also prints the CPU per
interchange and per declaration by interchange size (declarations in it): what an
interchange costs whatever its size shows as the small ones' figure per declaration (ADR 0006,
stop 26); each file's own CPU is read around its ``submit``, so the sizes add up to the total
less the loop. --batch B takes the day's files B at a time as a mailbox sweep does (ADR 0006,
stop 27; consecutive files of the day whatever their sender, where the mailbox batches one
sender's folder): each received (committed) on its own, then processed together in one unit of work
from the bytes in hand (:meth:`Pipeline.process_stored_batch`; a large interchange alone, read
back from the store in pieces); --stored is today's mailbox path to compare with: each
received, then processed alone by :meth:`Pipeline.process_stored`, which reads the bytes back.
With --by-size a batch's processing CPU is shared evenly among its files (the sizes' figures
are approximate; the total, and the small sizes' sum, are not). --hash prints a SHA-256 of
every table's rows and the answers (``hash``; the event log without its ids, which the order
of receipts changes): equal hashes, equal results. The last line printed is a JSON object
(``by_size`` and ``hash`` when asked).
"""

from __future__ import annotations

import cProfile
import json
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_store import (  # noqa: E402
    backend_cpu,
    fresh_store,
    mix,
    postgres_database,
    prepare,
    store_hash,
)
from day import SIZES, day  # noqa: E402

from clearance.intake.pipeline import (  # noqa: E402
    BATCH_BYTES,
    BatchItem,
    BatchRolledBackError,
    Pipeline,
    batches,
)
from core.runtime import settle_heap  # noqa: E402
from core.settings import Settings  # noqa: E402

#: Where the time goes, by the functions that own each stage of the pipeline.
STAGES = {
    "receive (raw bytes stored)": "clearance/intake/pipeline.py:_receive",
    "EDIFACT read and syntax checks": "clearance/intake/edifact_scan.py:scan_interchange",
    "CUSDEC mapping": "edi/edifact/cusdec.py:map_cusdec",
    "registration": "clearance/lifecycle/registration.py:register_all",
    "tariff assessment": "clearance/assessment/step.py:__call__",
    "manifest reconciliation": "clearance/manifests/reconciliation.py:__call__",
    "controls and decision": "clearance/decisions/step.py:__call__",
    "CUSRES and CONTRL rendering": "clearance/answers/edifact.py:cusres",
    "rows written (deferred, answers, events)": "clearance/intake/channel.py:flush",
    "commit": "core/db.py:commit",
}


def run(
    url: str,
    files: list[bytes],
    profile: cProfile.Profile | None = None,
    *,
    gc_policy: bool = False,
    by_size: bool = False,
    batch: int | None = None,
    stored: bool = False,
    hashed: bool = False,
) -> dict[str, object]:
    """Process ``files`` into a fresh store at ``url``; the figures."""
    engine = fresh_store(url)
    clock = prepare(engine)
    pipeline = Pipeline.standard(engine, Settings(), clock)
    if gc_policy:
        settle_heap(Settings())  # what customs worker does once it is built
    declarations = sum(raw.count(b"UNH+") for raw in files)
    server = backend_cpu(engine)
    start, cpu = time.perf_counter(), time.process_time()
    if profile is not None:
        profile.enable()
    sizes: dict[int, list[float]] = {}  # declarations in a file: [files, CPU-s, declarations]

    def spent(raw: bytes, seconds: float, *, counted: bool = True) -> None:
        size = raw.count(b"UNH+")
        row = sizes.setdefault(size, [0, 0.0, 0])
        row[1] += seconds
        if counted:  # the file's first share
            row[0] += 1
            row[2] += size

    fallbacks = 0
    if batch is not None:
        for run_ in batches([len(raw) for raw in files], batch):
            group = [files[i] for i in run_]
            ids = []
            for raw in group:
                received = time.process_time()
                ids.append(pipeline.receive(raw, filename=None, channel="mailbox"))
                if by_size:
                    spent(raw, time.process_time() - received)
            processing = time.process_time()
            if stored or len(group[0]) >= BATCH_BYTES:
                for i in ids:  # today's mailbox path, or a large file: read back, alone
                    pipeline.process_stored(i)
            else:
                items = [BatchItem(i, None, raw) for i, raw in zip(ids, group, strict=True)]
                try:
                    pipeline.process_stored_batch(items)
                except BatchRolledBackError:
                    fallbacks += 1
                    for i in ids:
                        pipeline.process_stored(i)
            if by_size:
                share = (time.process_time() - processing) / len(group)
                for raw in group:
                    spent(raw, share, counted=False)
    elif by_size:
        for raw in files:
            before = time.process_time()
            pipeline.submit(raw)
            spent(raw, time.process_time() - before)
    else:
        for raw in files:
            pipeline.submit(raw)
    if profile is not None:
        profile.disable()
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    server = backend_cpu(engine) - server
    lanes = mix(engine)
    digest = store_hash(engine) if hashed else None
    engine.dispose()
    figures: dict[str, object] = {
        "backend": engine.dialect.name,
        "declarations": declarations,
        "files": len(files),
        "batch": batch,
        "stored": stored,
        "batch_fallbacks": fallbacks,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "server_cpu_s": round(server, 2),
        "per_cpu_s": round(declarations / cpu, 1),
        "per_cpu_s_with_server": round(declarations / (cpu + server), 1),
        "ms_per_declaration_cpu": round(cpu / declarations * 1000, 3),
        "mix": lanes,
    }
    if digest is not None:
        figures["hash"] = digest
    if by_size:
        figures["by_size"] = {
            str(size): {
                "files": int(count),
                "declarations": int(declared),
                "cpu_s": round(seconds, 3),
                "us_per_interchange": round(seconds / count * 1e6),
                "us_per_declaration": round(seconds / declared * 1e6) if declared else None,
            }
            for size, (count, seconds, declared) in sorted(sizes.items())
        }
    return figures


def stages(profile: cProfile.Profile) -> dict[str, float]:
    """Cumulative seconds of each stage's function in ``profile``."""
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    out: dict[str, float] = {}
    for stage, where in STAGES.items():
        path, name = where.split(":")
        seconds = sum(
            value[3]
            for (filename, _line, function), value in stats.items()
            if filename.endswith(path) and function == name
        )
        out[stage] = round(seconds, 2)
    return out


def main() -> None:
    """Run on SQLite (and PostgreSQL) and print the figures."""
    args = sys.argv[1:]
    postgres = "--postgres" in args
    gc_policy = "--gc-policy" in args
    by_size = "--by-size" in args
    hashed = "--hash" in args
    stored = "--stored" in args
    batch = None
    if "--batch" in args:
        at = args.index("--batch")
        batch = int(args[at + 1])
        del args[at : at + 2]
    if stored:
        batch = 1
    profile_file = None
    if "--profile" in args:
        profile_file = args[args.index("--profile") + 1]
        args.remove("--profile")
        args.remove(profile_file)
    numbers = [a for a in args if a.isdigit()]
    n = int(numbers[0]) if numbers else 3000
    files = day(n)
    print(
        f"{sum(raw.count(b'UNH+') for raw in files)} five-item declarations in {len(files)} "
        f"interchanges (sizes {', '.join(str(s) for s, _ in SIZES)})",
        flush=True,
    )
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        # The profiler's clock is perf_counter: process_time is a system call on every
        # function entry and exit, which made the profile five times slower than the run and
        # inflated the code of many small calls (tokenizer, serializer) most. Shares are what
        # to read; the figures without the profiler are CPU time.
        profile = cProfile.Profile(time.perf_counter) if profile_file else None
        results.append(
            run(
                f"sqlite:///{tmp}/pipeline.db",
                files,
                profile,
                gc_policy=gc_policy,
                by_size=by_size,
                batch=batch,
                stored=stored,
                hashed=hashed,
            )
        )
        if profile is not None and profile_file is not None:
            profile.dump_stats(profile_file)
            total = sum(v[2] for v in pstats.Stats(profile).stats.values())  # type: ignore[attr-defined]
            print(f"profile, {total:.1f} s (cProfile inflates Python calls; the shares matter):")
            for stage, seconds in stages(profile).items():
                print(f"  {stage:<42} {seconds:8.2f} s")
    if postgres:
        results.append(
            run(
                postgres_database("customs_throughput_bench"),
                files,
                gc_policy=gc_policy,
                by_size=by_size,
                batch=batch,
                stored=stored,
                hashed=hashed,
            )
        )
    for r in results:
        print(
            f"{r['backend']:<10} {r['declarations']} declarations: {r['per_cpu_s']:>7} per CPU-s "
            f"(client {r['cpu_s']} s, server {r['server_cpu_s']} s: "
            f"{r['per_cpu_s_with_server']} per CPU-s with the server), wall {r['wall_s']} s; "
            f"{r['mix']}",
            flush=True,
        )
        by = r.get("by_size")
        if isinstance(by, dict):
            for size, f in by.items():
                print(
                    f"  size {size:>5}: {f['files']:>4} files, "
                    f"{f['declarations']:>5} declarations, "
                    f"{f['us_per_interchange']:>9} µs per interchange, "
                    f"{f['us_per_declaration']} µs per declaration",
                    flush=True,
                )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
