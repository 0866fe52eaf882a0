"""Exactly once at scale: 4 ``customs worker`` processes x 10,000 queued declarations (issue 15).

A fresh PostgreSQL store gets the day's reference data (benchmarks/bench_store.py), then the
day's interchanges (benchmarks/day.py: five items each, many senders, beef on licences and ASEAN
shrimp on certificates of origin that are drawn on, so ledgers are contended) are stored and
queued exactly as ``customs submit --queue`` does. Then WORKERS real ``customs worker`` processes
(the command itself, as subprocesses, JSON logs captured) run until the queue is empty, and the
parent stops them with SIGTERM. Then it checks:

- every queued message: one job, ``succeeded``, started once (procrastinate's events), and
  exactly one "message processed" log line over all workers (none "already processed");
- every message ``accepted``; every declaration registered once: as many declarations as UNH
  segments sent, no number twice, no (sender, reference) twice, one ``registered`` event each,
  the event log's ids gapless;
- every ledger's consumption within its allowance (quantity with tolerance, and uses);
- nothing stuck, no dead letter, no job left waiting, running or failed.

    python benchmarks/exactly_once_bench.py PER_WORKER [WORKERS]   # e.g. 10000 4 (workers: 4)

Bounded: at most ``--seconds`` (default 3600) of processing, then the workers are stopped and
the run fails. ``CUSTOMS_BENCH_DATABASE`` names the scratch database (default
``customs_scale_once``; dropped afterwards unless ``--keep``). The workers use the system clock:
the day's declarations (2026-06-15) are valid under the sample licences and certificates for all
of 2026. Opt-in: without arguments it only says how to run it (``dev.py bench``
runs every benchmark), since 4 x 10,000 takes many minutes. The last
line printed is a JSON object; the exit status is 1 when a check failed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_store import fresh_store, mix, postgres_database, prepare  # noqa: E402
from day import day  # noqa: E402

from clearance.app import LOCAL_OPERATOR, Application  # noqa: E402
from clearance.app import messages as message_cases  # noqa: E402
from clearance.app import queueing as queue_cases  # noqa: E402
from clearance.app.messages import Interchange  # noqa: E402
from clearance.store.queue_schema import QUEUE_SCHEMA  # noqa: E402
from core.db import make_engine  # noqa: E402
from core.settings import Settings  # noqa: E402
from rules.ledger import Allowance, Balance, Entry, EntryKind, Holding  # noqa: E402

SAMPLE_EVERY = 0.1


def _fresh(url: str) -> Engine:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {QUEUE_SCHEMA} CASCADE"))
    engine.dispose()
    return fresh_store(url)


def _queued_left(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    f"SELECT count(*) FROM {QUEUE_SCHEMA}.procrastinate_jobs "
                    "WHERE status IN ('todo', 'doing')"
                )
            ).scalar_one()
        )


def _sample(url: str, stop: threading.Event, seen: Counter[str]) -> None:
    """Share of worker backends waiting on a lock (pg_stat_activity), as parallel_bench does."""
    engine = make_engine(url)
    query = text(
        "SELECT wait_event_type FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND state = 'active'"
    )
    with engine.connect() as conn:
        while not stop.wait(SAMPLE_EVERY):
            seen["samples"] += 1
            for (wait_type,) in conn.execute(query):
                seen["active"] += 1
                seen["lock"] += wait_type == "Lock"
            conn.rollback()
    engine.dispose()


def _processed_lines(logs: list[Path]) -> tuple[Counter[int], int]:
    """Per message id: "message processed" log lines over all workers; "already processed"."""
    processed: Counter[int] = Counter()
    again = 0
    for path in logs:
        for line in path.read_text(errors="replace").splitlines():
            if not line.startswith("{"):
                continue
            record = json.loads(line)
            event = record.get("event") or record.get("message")
            if event == "message processed":
                processed[int(record["message_id"])] += 1
            elif event == "message already processed":
                again += 1
    return processed, again


def _ledger_faults(engine: Engine) -> tuple[int, int, list[str]]:
    """Ledgers drawn on, ledgers in all, and the keys of those over their allowance."""
    with engine.connect() as conn:
        heads = conn.execute(
            text("SELECT id, key, quantity, unit, tolerance, max_uses FROM ledger_heads")
        ).all()
        sums = conn.execute(
            text(
                "SELECT head_id, kind, sum(quantity), sum(uses) FROM ledger_entries "
                "GROUP BY head_id, kind"
            )
        ).all()
    held: dict[int, Holding] = {}
    for head_id, kind, quantity, _uses in sums:
        entry = Entry(EntryKind(kind), "", Decimal(quantity))
        held[head_id] = held.get(head_id, Holding()).apply(entry)
    over = []
    for head_id, key, quantity, unit, tolerance, max_uses in heads:
        allowance = Allowance(quantity, unit, Decimal(tolerance), max_uses)
        if not Balance(allowance, held.get(head_id, Holding())).can_draw(Decimal(0)):
            over.append(str(key))
    return len(held), len(heads), over


def checks(
    engine: Engine, app: Application, expected: int, messages: int, logs: list[Path]
) -> dict[str, Any]:
    """Every check of the module docstring: name -> (figure, passed)."""
    q = QUEUE_SCHEMA
    one = {
        "jobs": f"SELECT count(*) FROM {q}.procrastinate_jobs WHERE task_name = 'process_message'",
        "jobs_not_succeeded": f"SELECT count(*) FROM {q}.procrastinate_jobs "
        "WHERE task_name = 'process_message' AND status <> 'succeeded'",
        "jobs_started_twice": f"SELECT count(*) FROM (SELECT job_id FROM {q}.procrastinate_events "
        "WHERE type = 'started' GROUP BY job_id HAVING count(*) > 1) t",
        "messages_per_job_twice": f"SELECT count(*) FROM (SELECT args->>'message_id' "
        f"FROM {q}.procrastinate_jobs GROUP BY 1 HAVING count(*) > 1) t",
        "messages_not_accepted": "SELECT count(*) FROM inbound_messages WHERE status <> 'accepted'",
        "declarations": "SELECT count(*) FROM declarations",
        "distinct_numbers": "SELECT count(DISTINCT number) FROM declarations",
        "duplicate_references": "SELECT count(*) FROM (SELECT sender, sender_reference "
        "FROM declarations GROUP BY 1, 2 HAVING count(*) > 1) t",
        "registered_events": "SELECT count(*) FROM events WHERE kind = 'registered'",
        "declarations_without_one_registered_event": "SELECT count(*) FROM declarations d "
        "WHERE (SELECT count(*) FROM events e WHERE e.declaration_number = d.number "
        "AND e.kind = 'registered') <> 1",
        "events": "SELECT count(*) FROM events",
        "event_id_span": "SELECT coalesce(max(id) - min(id) + 1, 0) FROM events",
        "ledger_entries": "SELECT count(*) FROM ledger_entries",
    }
    with engine.connect() as conn:
        got = {name: int(conn.execute(text(sql)).scalar_one()) for name, sql in one.items()}
    processed, again = _processed_lines(logs)
    drawn, heads, over = _ledger_faults(engine)
    stuck = message_cases.list_stuck(app, LOCAL_OPERATOR)
    dead = queue_cases.dead_letters(app, LOCAL_OPERATOR)
    left = queue_cases.queue_summary(app, LOCAL_OPERATOR)
    result: dict[str, tuple[Any, bool]] = {
        "one_job_per_message": (got["jobs"], got["jobs"] == messages),
        "jobs_all_succeeded": (got["jobs_not_succeeded"], got["jobs_not_succeeded"] == 0),
        "no_job_started_twice": (got["jobs_started_twice"], got["jobs_started_twice"] == 0),
        "no_message_queued_twice": (
            got["messages_per_job_twice"],
            got["messages_per_job_twice"] == 0,
        ),
        "processed_once_per_log": (
            len(processed),
            len(processed) == messages and set(processed.values()) == {1} and again == 0,
        ),
        "messages_all_accepted": (got["messages_not_accepted"], got["messages_not_accepted"] == 0),
        "declarations_registered": (got["declarations"], got["declarations"] == expected),
        "numbers_unique": (got["distinct_numbers"], got["distinct_numbers"] == expected),
        "references_unique": (got["duplicate_references"], got["duplicate_references"] == 0),
        "one_registered_event_each": (
            got["registered_events"],
            got["registered_events"] == expected
            and got["declarations_without_one_registered_event"] == 0,
        ),
        "event_ids_gapless": (got["events"], got["events"] == got["event_id_span"]),
        "ledgers_within_allowance": (
            f"{drawn} of {heads} drawn, {got['ledger_entries']} entries, {len(over)} over",
            drawn > 0 and not over,
        ),
        "nothing_stuck": (len(stuck), not stuck),
        "no_dead_letters": (len(dead), not dead),
        "queue_empty": ([(s.queue, s.status, s.jobs) for s in left], not left),
    }
    return {name: {"figure": figure, "ok": ok} for name, (figure, ok) in result.items()}


def run(url: str, per_worker: int, workers: int, budget: float) -> dict[str, Any]:
    """Queue ``per_worker * workers`` declarations, drain them with ``workers`` workers, check."""
    files = day(per_worker * workers)
    expected = sum(raw.count(b"UNH+") for raw in files)
    engine = _fresh(url)
    prepare(engine)
    app = Application(engine, Settings(database_url=url))
    started = time.perf_counter()
    for i, raw in enumerate(files):
        queue_cases.enqueue(app, LOCAL_OPERATOR, Interchange(raw, filename=f"day-{i:05d}.edi"))
    queued_s = time.perf_counter() - started
    print(f"{expected} declarations in {len(files)} interchanges queued in {queued_s:.1f} s")
    env = {
        **os.environ,
        "CUSTOMS_DATABASE_URL": url,
        "CUSTOMS_LOG_LEVEL": "INFO",
        "CUSTOMS_LOG_JSON": "true",
    }
    with tempfile.TemporaryDirectory() as folder:
        logs = [Path(folder) / f"worker-{n}.log" for n in range(workers)]
        handles = [path.open("wb") for path in logs]
        seen: Counter[str] = Counter()
        stop = threading.Event()
        sampler = threading.Thread(target=_sample, args=(url, stop, seen))
        load_before = Path("/proc/loadavg").read_text().split()[:3]
        started = time.perf_counter()
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "clearance.cli", "worker", "--name", f"scale-{n}"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=handles[n],
            )
            for n in range(workers)
        ]
        sampler.start()
        try:
            while _queued_left(engine) and time.perf_counter() - started < budget:
                if any(p.poll() is not None for p in processes):
                    raise RuntimeError("a worker stopped before the queue was empty")
                time.sleep(0.5)
            wall = time.perf_counter() - started
        finally:
            stop.set()
            for process in processes:
                process.send_signal(signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(60)
                except subprocess.TimeoutExpired:
                    process.kill()
            sampler.join()
            for handle in handles:
                handle.close()
        load_after = Path("/proc/loadavg").read_text().split()[:3]
        result = checks(engine, app, expected, len(files), logs)
    lanes = mix(engine)
    engine.dispose()
    return {
        "workers": workers,
        "declarations": expected,
        "interchanges": len(files),
        "queue_s": round(queued_s, 1),
        "wall_s": round(wall, 1),
        "per_s": round(expected / wall, 1),
        "within_budget": wall < budget,
        "lock_wait_share_of_active": round(seen["lock"] / max(1, seen["active"]), 4),
        "lock_wait_share": round(seen["lock"] / max(1, seen["samples"] * workers), 4),
        "loadavg_before": load_before,
        "loadavg_after": load_after,
        "mix": lanes,
        "checks": result,
        "all_ok": wall < budget and all(c["ok"] for c in result.values()),
    }


def _drop(name: str) -> None:
    admin = make_engine("postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    """Run once, print each check and a JSON summary; exit 1 when a check failed."""
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    budget = 3600.0
    if "--seconds" in sys.argv:
        budget = float(sys.argv[sys.argv.index("--seconds") + 1])
        args.remove(sys.argv[sys.argv.index("--seconds") + 1])
    if not args:  # opt-in (``dev.py bench`` runs every benchmark without arguments)
        print("exactly_once_bench: give the declarations per worker, e.g. 10000 4 (36 min here)")
        return
    per_worker = int(args[0])
    workers = int(args[1]) if len(args) > 1 else 4
    name = os.environ.get("CUSTOMS_BENCH_DATABASE", "customs_scale_once")
    url = postgres_database(name)
    try:
        result = run(url, per_worker, workers, budget)
    finally:
        if "--keep" not in sys.argv:
            _drop(name)
    print(
        f"{workers} workers: {result['declarations']} declarations in {result['wall_s']} s "
        f"({result['per_s']}/s), load {result['loadavg_before']} -> {result['loadavg_after']}"
    )
    for check, outcome in result["checks"].items():
        print(f"  {'ok ' if outcome['ok'] else 'FAIL'} {check}: {outcome['figure']}")
    print(json.dumps(result, default=str))
    sys.exit(0 if result["all_ok"] else 1)


if __name__ == "__main__":
    main()
