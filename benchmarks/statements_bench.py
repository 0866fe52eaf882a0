"""Statements and round trips per declaration of the pipeline, SQLite and PostgreSQL (issue 15).

What the database does per declaration is what limits workers sharing it: on PostgreSQL every
statement is a parse/bind/execute in a backend, every round trip a wake-up of both processes.
This benchmark runs the realistic day (benchmarks/day.py) through the pipeline and counts, with
a SQLAlchemy ``before_cursor_execute`` hook on the engine (pg_stat_statements is not loaded on
the servers here), what the driver was asked to run:

- *calls*: cursor executions (one per ``execute``, one per ``executemany``, one per batch of
  an INSERT SQLAlchemy renders as multi-row VALUES, "insertmanyvalues"), plus the
  transaction's ``BEGIN`` (psycopg sends it before the first statement) and ``COMMIT`` /
  ``ROLLBACK``: about the round trips;
- *statements*: what the server executes: an ``executemany`` of N parameter sets is N
  statements (psycopg pipelines them: one round trip, N executions; SQLite steps one prepared
  statement N times), a multi-row VALUES batch one.

It also prints the client's CPU per declaration (``process_time``) and, on PostgreSQL, the CPU
of the benchmark database's backends (utime + stime from ``/proc/<pid>/stat``, read before and
after), and the statements grouped by kind and table, most first.

    python benchmarks/statements_bench.py [N] [--postgres] [--top K]

``--postgres`` uses the scratch database ``customs_pgwrites_bench`` (``CUSTOMS_BENCH_DATABASE``
overrides). The last line printed is a JSON object.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_store import (  # noqa: E402
    backend_cpu,
    fresh_store,
    mix,
    postgres_database,
    prepare,
    rows_of,
)
from day import day  # noqa: E402

from clearance.intake.pipeline import Pipeline  # noqa: E402
from core.settings import Settings  # noqa: E402

_WORDS = re.compile(
    r"^\s*(?:WITH\b.*?\)\s*)?(SELECT|INSERT INTO|UPDATE|DELETE FROM|BEGIN|SAVEPOINT|RELEASE"
    r"|ROLLBACK|COMMIT|PRAGMA|DO|CREATE|SET)\s*(?:SAVEPOINT\s+)?(\"?[\w:.-]+\"?)?",
    re.IGNORECASE | re.DOTALL,
)


class Counts:
    """What the engine's connections were asked to run, by kind of statement."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.statements: Counter[str] = Counter()

    def listen(self, engine: Engine) -> None:
        """Count every cursor execution and transaction end on ``engine`` from now on."""
        event.listen(engine, "before_cursor_execute", self._cursor)
        event.listen(engine, "commit", lambda _conn: self._add("COMMIT", 1))
        event.listen(engine, "rollback", lambda _conn: self._add("ROLLBACK", 1))
        if engine.dialect.name == "postgresql":  # psycopg sends BEGIN before the first statement
            event.listen(engine, "begin", lambda _conn: self._add("BEGIN", 1))

    def _add(self, kind: str, statements: int) -> None:
        self.calls[kind] += 1
        self.statements[kind] += statements

    def _cursor(
        self, _conn: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any, many: bool
    ) -> None:
        self._add(_kind(statement), rows_of(parameters, many))


def _kind(statement: str) -> str:
    match = _WORDS.match(statement)
    if match is None:
        return statement.split(None, 1)[0].upper() if statement.strip() else "?"
    verb, table = match.group(1).upper(), (match.group(2) or "").strip('"')
    if verb == "SELECT":
        found = re.search(r"\bFROM\s+\"?([\w:.-]+)", statement, re.IGNORECASE)
        table = found.group(1) if found else table
        if re.search(r"FOR (NO KEY )?UPDATE", statement):
            verb = "SELECT … FOR UPDATE"
    return f"{verb} {table}".strip()


def run(url: str, files: list[bytes]) -> dict[str, Any]:
    """Process ``files`` into a fresh store at ``url``, counting; the figures."""
    engine = fresh_store(url)
    clock = prepare(engine)
    pipeline = Pipeline.standard(engine, Settings(), clock)
    declarations = sum(raw.count(b"UNH+") for raw in files)
    counts = Counts()
    counts.listen(engine)
    server = backend_cpu(engine)
    counts.calls.clear()
    counts.statements.clear()
    cpu = time.process_time()
    for raw in files:
        pipeline.submit(raw)
    cpu = time.process_time() - cpu
    calls, statements = sum(counts.calls.values()), sum(counts.statements.values())
    server = backend_cpu(engine) - server
    lanes = mix(engine)
    engine.dispose()
    return {
        "backend": engine.dialect.name,
        "declarations": declarations,
        "files": len(files),
        "calls_per_declaration": round(calls / declarations, 2),
        "statements_per_declaration": round(statements / declarations, 2),
        "client_cpu_us_per_declaration": round(cpu / declarations * 1e6),
        "backend_cpu_us_per_declaration": round(server / declarations * 1e6),
        "by_kind": {kind: [n, counts.statements[kind]] for kind, n in counts.calls.most_common()},
        "mix": lanes,
    }


def main() -> None:
    """Count on SQLite (and PostgreSQL); print the figures."""
    args = sys.argv[1:]
    top = 25
    if "--top" in args:
        top = int(args[args.index("--top") + 1])
        del args[args.index("--top") : args.index("--top") + 2]
    numbers = [a for a in args if a.isdigit()]
    files = day(int(numbers[0]) if numbers else 2000)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(run(f"sqlite:///{tmp}/statements.db", files))
    if "--postgres" in args:
        name = os.environ.get("CUSTOMS_BENCH_DATABASE", "customs_pgwrites_bench")
        results.append(run(postgres_database(name), files))
    for r in results:
        d = r["declarations"]
        print(
            f"{r['backend']:<10} {d} declarations in {r['files']} interchanges: "
            f"{r['calls_per_declaration']} calls and {r['statements_per_declaration']} "
            f"statements per declaration; client {r['client_cpu_us_per_declaration']} µs, "
            f"backend {r['backend_cpu_us_per_declaration']} µs CPU per declaration; {r['mix']}"
        )
        for kind, (calls, statements) in list(r["by_kind"].items())[:top]:
            print(f"    {calls / d:7.3f} calls {statements / d:7.3f} statements  {kind}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
