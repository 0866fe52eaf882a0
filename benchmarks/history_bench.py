"""Does the pipeline's cost per declaration grow with the declarations already stored? (issue 15)

A fresh PostgreSQL store gets the day's reference data (benchmarks/bench_store.py) and a seed of
SEED declarations run through the pipeline (benchmarks/day.py, five items each). The history is
then bulk-loaded by copying the rows the pipeline wrote for the seed, in SQL (``INSERT … SELECT``
over ``generate_series``), table by table: every table the seed wrote to is copied (declarations,
versions, items, decisions, events, ledger heads and entries, raw and answer messages, dedupe
keys, …) with its ids and foreign keys moved past the seed's, declaration numbers of another
year, control references, content hashes and ledger keys made distinct and times moved back (8
hours a copy), so the indexes see the history as the pipeline would have written it.

At each size (e.g. 10,000, 100,000 and 1,000,000 stored declarations) the same MEASURED new
declarations (default 1,000; the rest of the same day, so the same licences are drawn on) are
run through the pipeline in this process, and then deleted again (everything with an id above
the size's last one, and the counters put back), so each size measures the same work:

- CPU per declaration of this (Python) process (``time.process_time()``);
- CPU per declaration of the PostgreSQL backends serving it (``/proc/PID/stat`` of each backend
  of the benchmark database, the server being local);
- wall time per declaration, and per statement: count and mean time as the driver saw it.

The measured batch also resends a tenth as many of the seed's interchanges (answered again as
duplicates) and cuts as many off before their trailer (rejected, their reference given back),
then every submission and declaration it made is read back as the API does
(``submissions.show``, ``declarations.show``): CPU and wall time per read.

With ``--explain`` the 40 statements of most total time are EXPLAINed at each size with the
parameters seen last, and any sequential scan of a history table is printed.

    python benchmarks/history_bench.py [SIZE ...] [--measured N] [--explain] [--keep]

``CUSTOMS_BENCH_DATABASE`` names the scratch database (default ``customs_scale_history``,
dropped afterwards unless ``--keep``). Bounded by the sizes asked for (1M stored declarations
take several GB and several minutes to copy on a small machine). The last line is a JSON object.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, Table, event, text
from sqlalchemy.types import Date, DateTime, Integer, String

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_store import fresh_store, postgres_database, prepare  # noqa: E402
from day import INSTANT, day  # noqa: E402

from clearance.lifecycle.events import EVENT_COUNTER  # noqa: E402
from core.db import make_engine  # noqa: E402
from core.settings import Settings  # noqa: E402

SEED = 1000
#: Columns made distinct in each copy (kept unique, and realistic for the indexes on them).
NUMBER_COLUMNS = {"number", "declaration_number"}
SUFFIXED = {"control_reference", "sender_reference", "key", "message_reference"}
HASHES = {"sha256", "content_hash", "inputs_digest"}
NOT_HISTORY = {"control_reference_counters", "number_sequences", "rulesets"}
_COPIES = "generate_series(CAST(:lo AS integer), CAST(:hi AS integer)) k"
TICKS = os.sysconf("SC_CLK_TCK")
#: A copy's times lie this much before the previous copy's.
SHIFT = "8 hours"


def _tables(engine: Engine) -> dict[str, Table]:
    meta = MetaData()
    meta.reflect(engine)
    return {t.name: t for t in meta.sorted_tables}


def _counts(engine: Engine, tables: dict[str, Table]) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: int(conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one())
            for name in tables
        }


def _int_pk(table: Table) -> str | None:
    keys = list(table.primary_key.columns)
    if len(keys) == 1 and isinstance(keys[0].type, Integer):
        return keys[0].name
    return None


def _max_ids(engine: Engine, tables: dict[str, Table]) -> dict[str, int]:
    out = {}
    with engine.connect() as conn:
        for name, table in tables.items():
            pk = _int_pk(table)
            if pk:
                out[name] = int(
                    conn.execute(
                        text(f'SELECT coalesce(max("{pk}"), 0) FROM "{name}"')
                    ).scalar_one()
                )
    return out


def _copy_sql(table: Table, history: set[str], span: dict[str, int], seed_serials: int) -> str:
    """One INSERT … SELECT copying the seed's rows of ``table`` for copies :lo … :hi."""
    pk = _int_pk(table)
    names, exprs = [], []
    for column in table.columns:
        c = f'src."{column.name}"'
        targets = [fk.column.table.name for fk in column.foreign_keys]
        if column.name == pk:
            expr = f"{c} + k * {span[table.name]}"
        elif targets and targets[0] in history and targets[0] in span:
            expr = f"{c} + k * {span[targets[0]]}"
        elif column.name in NUMBER_COLUMNS and isinstance(column.type, String):
            # Office (4), year (4), direction (1), serial (9): another year, serials apart.
            expr = (
                f"substr({c}, 1, 4) || '2025' || substr({c}, 9, 1) || "
                f"lpad((substr({c}, 10)::bigint + k * {seed_serials})::text, 9, '0')"
            )
        elif column.name in SUFFIXED and isinstance(column.type, String):
            expr = f"{c} || 'H' || k"
        elif column.name in HASHES and isinstance(column.type, String):
            expr = f"left(md5({c} || k) || md5(k || {c}), length({c}))"
        elif isinstance(column.type, DateTime):
            expr = f"{c} - k * interval '{SHIFT}'"
        elif isinstance(column.type, Date):
            expr = f"({c} - k * interval '{SHIFT}')::date"
        else:
            expr = c
        names.append(f'"{column.name}"')
        exprs.append(
            f"CASE WHEN {c} IS NULL THEN NULL ELSE {expr} END" if column.nullable else expr
        )
    where = f'WHERE src."{pk}" <= {span[table.name]}' if pk else ""
    return (
        f'INSERT INTO "{table.name}" ({", ".join(names)}) SELECT {", ".join(exprs)} '
        f'FROM "{table.name}" src CROSS JOIN {_COPIES} {where}'
    )


class History:
    """The store and what its seed wrote, grown by copies of the seed."""

    def __init__(self, engine: Engine, seed_files: list[bytes]) -> None:
        self.engine = engine
        self.tables = _tables(engine)
        before = _counts(engine, self.tables)
        run_pipeline(engine, seed_files)
        after = _counts(engine, self.tables)
        grew = {n for n in self.tables if after[n] > before[n]}
        # Counters and rulesets are written once, not per declaration; tables without an
        # integer id could not be copied apart (listed, so that a new one is noticed).
        self.skipped = sorted(n for n in grew if n in NOT_HISTORY or not _int_pk(self.tables[n]))
        self.history = grew - set(self.skipped)
        self.span = _max_ids(engine, {n: self.tables[n] for n in self.history})
        with engine.connect() as conn:
            self.seed = int(conn.execute(text("SELECT count(*) FROM declarations")).scalar_one())
            serial = conn.execute(text("SELECT max(substr(number, 10)::bigint) FROM declarations"))
            self.serials = int(serial.scalar_one())
        self.copies = 0
        print(f"seed: {self.seed} declarations; copied tables: {sorted(self.history)}")
        print(f"  written by the seed, not copied: {self.skipped}")

    def grow(self, declarations: int) -> float:
        """Copy the seed until about ``declarations`` are stored; seconds taken."""
        want = max(0, declarations // self.seed - 1)
        if want <= self.copies:
            return 0.0
        started = time.perf_counter()
        lo = self.copies + 1
        # Chunks of copies: one statement per table and chunk keeps memory and WAL bounded.
        step = 50
        for first in range(lo, want + 1, step):
            last = min(want, first + step - 1)
            with self.engine.begin() as conn:
                for name in self.tables:  # sorted by dependency: parents first
                    if name in self.history:
                        sql = _copy_sql(self.tables[name], self.history, self.span, self.serials)
                        conn.execute(text(sql), {"lo": first, "hi": last})
            print(f"  copies {first}..{last} of {want}", flush=True)
        self.copies = want
        with self.engine.begin() as conn:
            for name in self.span:
                pk = _int_pk(self.tables[name])
                seq = conn.execute(
                    text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": name, "c": pk}
                )
                sequence = seq.scalar_one()
                if sequence:
                    conn.execute(
                        text(f'SELECT setval(\'{sequence}\', (SELECT max("{pk}") FROM "{name}"))')
                    )
            # The event log's counter follows its ids (lifecycle/events.py).
            conn.execute(
                text(
                    "UPDATE control_reference_counters SET last_value = "
                    "(SELECT coalesce(max(id), 0) FROM events) WHERE name = :name"
                ),
                {"name": EVENT_COUNTER},
            )
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        return time.perf_counter() - started

    def stored(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM declarations")).scalar_one())

    @contextmanager
    def undone(self) -> Iterator[None]:
        """Whatever runs inside is deleted afterwards (rows past today's ids, counters back)."""
        high = _max_ids(self.engine, self.tables)
        with self.engine.connect() as conn:
            counters = conn.execute(
                text("SELECT name, last_value FROM control_reference_counters")
            ).all()
        try:
            yield
        finally:
            with self.engine.begin() as conn:
                # Every row referring to a deleted one is deleted too: skip the foreign-key
                # checks, which scan unindexed referring columns once per row at 1M.
                conn.execute(text("SET LOCAL session_replication_role = replica"))
                for name in reversed(list(self.tables)):  # children first
                    pk = _int_pk(self.tables[name])
                    if pk and name in high:
                        conn.execute(
                            text(f'DELETE FROM "{name}" WHERE "{pk}" > :h'), {"h": high[name]}
                        )
                for name, value in counters:
                    conn.execute(
                        text(
                            "UPDATE control_reference_counters SET last_value = :v WHERE name = :n"
                        ),
                        {"v": value, "n": name},
                    )


def run_pipeline(engine: Engine, files: list[bytes]) -> None:
    """Submit ``files`` through the standard pipeline in this process, one after the other."""
    from clearance.intake.pipeline import Pipeline
    from core.clock import FixedClock

    pipeline = Pipeline.standard(engine, Settings(), FixedClock(INSTANT))
    for raw in files:
        pipeline.submit(raw)


def _normal(statement: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"%\(\w+\)s|\$\d+", "?", statement)).strip()[:160]


@contextmanager
def statement_times(engine: Engine, seen: dict[str, list[Any]]) -> Iterator[None]:
    """Per normalised statement: [count, seconds, last statement, last parameters]."""

    def before(
        conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool
    ) -> None:
        conn.info["bench_started"] = time.perf_counter()

    def after(
        conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool
    ) -> None:
        took = time.perf_counter() - conn.info.pop("bench_started", time.perf_counter())
        row = seen.setdefault(_normal(statement), [0, 0.0, statement, params])
        row[0] += 1
        row[1] += took
        row[2], row[3] = statement, params

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def _backend_ticks(engine: Engine) -> dict[int, int]:
    with engine.connect() as conn:
        pids = conn.execute(
            text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        ).scalars()
        out = {}
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            out[int(pid)] = int(fields[11]) + int(fields[12])  # utime + stime
    return out


def _timed(engine: Engine, seen: dict[str, list[Any]], run: Any) -> tuple[float, float, float]:
    """CPU of this process, CPU of the backends and wall time of ``run()``, statements into
    ``seen``."""
    ticks = _backend_ticks(engine)
    cpu, wall = time.process_time(), time.perf_counter()
    with statement_times(engine, seen):
        run()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    after = _backend_ticks(engine)
    backend = sum(after[p] - ticks.get(p, 0) for p in after) / TICKS
    return cpu, backend, wall


def _statements(seen: dict[str, list[Any]]) -> dict[str, dict[str, Any]]:
    return {
        key: {
            "count": row[0],
            "ms_total": round(row[1] * 1000, 1),
            "us_mean": round(row[1] / row[0] * 1e6),
        }
        for key, row in sorted(seen.items(), key=lambda kv: -kv[1][1])
    }


def measure(history: History, batch: Batch) -> dict[str, Any]:
    """Run the batch through the pipeline, then read back what it wrote, as the API does."""
    from clearance.app import LOCAL_OPERATOR, Application, submissions
    from clearance.app import declarations as declaration_cases
    from clearance.intake.pipeline import Pipeline
    from core.clock import FixedClock

    engine = history.engine
    n = sum(raw.count(b"UNH+") for raw in batch.new)
    seen: dict[str, list[Any]] = {}
    reads: dict[str, list[Any]] = {}
    with history.undone():
        pipeline = Pipeline.standard(engine, Settings(), FixedClock(INSTANT))
        app = Application(engine, Settings(), FixedClock(INSTANT))
        first = pipeline.submit(batch.warm)  # the pool and caches warm (not counted)
        outcomes: list[Any] = []

        def write() -> None:
            for raw in [*batch.new, *batch.resent, *batch.cut]:
                outcomes.append(pipeline.submit(raw))

        cpu, backend, wall = _timed(engine, seen, write)
        ids = [o.message_id for o in outcomes]
        numbers = [d.number for o in outcomes[: len(batch.new)] for d in o.declarations if d.number]
        submissions.show(app, LOCAL_OPERATOR, first.message_id)
        declaration_cases.show(app, LOCAL_OPERATOR, numbers[0])

        def read() -> None:
            for message_id in ids:
                submissions.show(app, LOCAL_OPERATOR, message_id)
            for number in numbers:
                declaration_cases.show(app, LOCAL_OPERATOR, number)

        r_cpu, r_backend, r_wall = _timed(engine, reads, read)
        statuses = sorted({o.status.value for o in outcomes})
    r_n = len(ids) + len(numbers)
    return {
        "declarations": n,
        "interchanges": {"new": len(batch.new), "resent": len(batch.resent), "cut": len(batch.cut)},
        "outcomes": statuses,
        "python_cpu_ms_per_decl": round(cpu / n * 1000, 3),
        "backend_cpu_ms_per_decl": round(backend / n * 1000, 3),
        "wall_ms_per_decl": round(wall / n * 1000, 3),
        "statement_ms_per_decl": round(sum(r[1] for r in seen.values()) / n * 1000, 3),
        "statements_per_decl": round(sum(r[0] for r in seen.values()) / n, 1),
        "reads": r_n,
        "read_python_cpu_ms": round(r_cpu / r_n * 1000, 3),
        "read_backend_cpu_ms": round(r_backend / r_n * 1000, 3),
        "read_wall_ms": round(r_wall / r_n * 1000, 3),
        "statements": _statements(seen),
        "read_statements": _statements(reads),
        "_raw": {**seen, **{"read: " + k: v for k, v in reads.items()}},
    }


def explain(
    engine: Engine, seen: dict[str, list[Any]], history: set[str], top: int = 40
) -> list[dict[str, Any]]:
    """EXPLAIN the ``top`` statements by total time with their last parameters; seq scans."""
    out = []
    rows = sorted(seen.values(), key=lambda r: -r[1])[:top]
    raw = engine.raw_connection()
    try:
        for count, seconds, statement, params in rows:
            head = statement.lstrip().split(None, 1)[0].upper()
            if head not in {"SELECT", "UPDATE", "DELETE", "INSERT", "WITH"}:
                continue
            cursor = raw.cursor()
            try:
                cursor.execute(
                    "EXPLAIN " + statement, params if not isinstance(params, list) else params[0]
                )
                plan = "\n".join(r[0] for r in cursor.fetchall())
            except Exception as exc:  # temp tables of a unit of work, etc.
                raw.rollback()
                plan = f"(not explained: {type(exc).__name__})"
            raw.rollback()
            scans = sorted({t for t in re.findall(r"Seq Scan on (\w+)", plan) if t in history})
            out.append(
                {
                    "statement": _normal(statement),
                    "count": count,
                    "ms_total": round(seconds * 1000, 1),
                    "seq_scans_of_history": scans,
                    "plan": plan,
                }
            )
    finally:
        raw.close()
    return out


def _drop(name: str) -> None:
    admin = make_engine("postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@dataclass(frozen=True)
class Batch:
    """The measured work: new interchanges, exact resends of the seed's (answered again as
    duplicates), and interchanges cut off before their trailer (rejected, reference given
    back); ``warm`` runs first, uncounted."""

    warm: bytes
    new: list[bytes]
    resent: list[bytes]
    cut: list[bytes]


def split_day(measured: int) -> tuple[list[bytes], Batch]:
    """The seed's interchanges and the measured batch: one day, so no reference is reused."""
    files = day(SEED + measured, sizes=((1, 0.2), (10, 0.8)))
    seed, rest, count = [], [], 0
    for raw in files:
        if count < SEED:
            seed.append(raw)
            count += raw.count(b"UNH+")
        else:
            rest.append(raw)
    extra = max(1, len(rest) // 10)
    cut = [
        raw.rsplit(b"UNZ+", 1)[0].replace(b"++CUSDEC", f"X{n}++CUSDEC".encode(), 1)
        for n, raw in enumerate(rest[:extra])
    ]
    return seed, Batch(rest[0], rest[1:], seed[:extra], cut)


def main() -> None:
    """Measure at each size; print a line per size, the statements that grew, and JSON."""
    args = sys.argv[1:]
    measured = 1000
    if "--measured" in args:
        measured = int(args[args.index("--measured") + 1])
        args.remove(str(measured))
    sizes = [int(a) for a in args if not a.startswith("--")]
    if not sizes:  # opt-in (``dev.py bench`` runs every benchmark without arguments)
        print("history_bench: give the sizes, e.g. 10000 100000 1000000 --explain")
        return
    name = os.environ.get("CUSTOMS_BENCH_DATABASE", "customs_scale_history")
    url = postgres_database(name)
    results: list[dict[str, Any]] = []
    try:
        engine = fresh_store(url)
        prepare(engine)
        seed, new = split_day(measured)
        history = History(engine, seed)
        for size in sizes:
            took = history.grow(size)
            stored = history.stored()
            load = Path("/proc/loadavg").read_text().split()[:3]
            figures = measure(history, new)
            raw = figures.pop("_raw")
            figures = {"stored": stored, "load_s": round(took, 1), "loadavg": load, **figures}
            results.append(figures)
            if "--explain" in sys.argv:
                plans = explain(engine, raw, history.history)
                for plan in plans:
                    if plan["seq_scans_of_history"]:
                        scans = plan["seq_scans_of_history"]
                        print(f"  seq scan of {scans} at {stored}: {plan['statement']}")
                figures["explained"] = [{k: v for k, v in p.items() if k != "plan"} for p in plans]
                figures["plans"] = {p["statement"]: p["plan"] for p in plans}
            print(
                f"{stored} stored (copied in {took:.0f} s): python "
                f"{figures['python_cpu_ms_per_decl']} ms, "
                f"backend {figures['backend_cpu_ms_per_decl']} ms, "
                f"statements {figures['statement_ms_per_decl']} ms "
                f"({figures['statements_per_decl']}/decl), wall {figures['wall_ms_per_decl']} ms "
                f"per declaration; reads (a submission or a declaration) python "
                f"{figures['read_python_cpu_ms']} ms, backend {figures['read_backend_cpu_ms']} "
                f"ms, wall {figures['read_wall_ms']} ms each; load {load}",
                flush=True,
            )
        if len(results) > 1:
            first, last = results[0]["statements"], results[-1]["statements"]
            print("statements whose mean time grew most (first size -> last):")
            grown = sorted(
                (k for k in last if k in first),
                key=lambda k: -(last[k]["us_mean"] - first[k]["us_mean"]) * last[k]["count"],
            )
            for key in grown[:8]:
                was, now = first[key]["us_mean"], last[key]["us_mean"]
                print(f"  {was:>6} -> {now:>6} us x{last[key]['count']}: {key}")
        engine.dispose()
    finally:
        if "--keep" not in sys.argv:
            _drop(name)
    print(json.dumps(results, default=str))


if __name__ == "__main__":
    main()
