"""Rows and statements written per declaration and per interchange, by table (issue 15).

ADR 0006, stop 30 asks what storing a declaration's version, items, assessment lines and
events as one document would save. This benchmark counts what the pipeline writes today on
the realistic day (benchmarks/day.py, into a fresh SQLite store, ``Pipeline.submit`` file by
file): with a SQLAlchemy ``before_cursor_execute`` hook, the cursor calls and the rows each
writing statement touched (an executemany of N parameter sets is one call and N rows), split
by the size of the interchange (declarations in it) being processed; then the rows each table
holds after the day, and the events by kind, with or without a declaration number.

    python benchmarks/rows_bench.py [N]

N: declarations of the day (default 2000). The last line printed is a JSON object.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, func, select, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_store import fresh_store, mix, prepare, rows_of  # noqa: E402
from day import day  # noqa: E402

from clearance.intake.pipeline import Pipeline  # noqa: E402
from clearance.store.schema import Base  # noqa: E402
from clearance.store.tables import Event  # noqa: E402
from core.settings import Settings  # noqa: E402

_WRITE = re.compile(r"^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+\"?(\w+)", re.IGNORECASE)
_READ = re.compile(r"\bFROM\s+\"?(\w+)", re.IGNORECASE)


class Tally:
    """Calls and rows by statement kind and table, under the interchange size being run."""

    def __init__(self) -> None:
        self.size = 0  # declarations in the interchange now being processed
        self.calls: defaultdict[int, Counter[str]] = defaultdict(Counter)
        self.rows: defaultdict[int, Counter[str]] = defaultdict(Counter)

    def listen(self, engine: Engine) -> None:
        """Count every cursor execution on ``engine`` from now on."""
        event.listen(engine, "before_cursor_execute", self._cursor)
        event.listen(engine, "commit", lambda _conn: self._add("COMMIT", 1))

    def _add(self, kind: str, rows: int) -> None:
        self.calls[self.size][kind] += 1
        self.rows[self.size][kind] += rows

    def _cursor(
        self, _conn: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any, many: bool
    ) -> None:
        self._add(_kind(statement), rows_of(parameters, many))


def _kind(statement: str) -> str:
    written = _WRITE.match(statement)
    if written is not None:
        return f"{written.group(1).split()[0].upper()} {written.group(2)}"
    verb = statement.split(None, 1)[0].upper() if statement.strip() else "?"
    if verb == "SELECT":
        read = _READ.search(statement)
        return f"SELECT {read.group(1) if read else ''}".strip()
    return verb


def stored(engine: Engine) -> tuple[dict[str, int], dict[str, list[int]]]:
    """Rows per table after the day, and events by kind: [with a declaration number, without]."""
    with Session(engine) as session:
        tables = {
            name: int(session.scalar(select(func.count()).select_from(text(f'"{name}"'))) or 0)
            for name in sorted(Base.metadata.tables)
        }
        kinds: dict[str, list[int]] = {}
        for kind, numbered, n in session.execute(
            select(Event.kind, Event.declaration_number.is_not(None), func.count()).group_by(
                Event.kind, Event.declaration_number.is_not(None)
            )
        ):
            kinds.setdefault(kind, [0, 0])[0 if numbered else 1] += n
    return {k: v for k, v in tables.items() if v}, kinds


def run(url: str, files: list[bytes]) -> dict[str, Any]:
    """Process ``files`` into a fresh store at ``url``, counting; the figures."""
    engine = fresh_store(url)
    clock = prepare(engine)
    pipeline = Pipeline.standard(engine, Settings(), clock)
    before, _ = stored(engine)
    tally = Tally()
    tally.listen(engine)
    interchanges: Counter[int] = Counter()
    for raw in files:
        tally.size = raw.count(b"UNH+")
        interchanges[tally.size] += 1
        pipeline.submit(raw)
    event.remove(engine, "before_cursor_execute", tally._cursor)
    after, kinds = stored(engine)
    lanes = mix(engine)
    engine.dispose()
    by_size = {}
    for size, count in sorted(interchanges.items()):
        calls, rows = tally.calls[size], tally.rows[size]
        by_size[str(size)] = {
            "interchanges": count,
            "calls_per_interchange": round(sum(calls.values()) / count, 2),
            "by_kind_per_interchange": {
                kind: [round(n / count, 3), round(rows[kind] / count, 3)]
                for kind, n in sorted(calls.items(), key=lambda kv: -rows[kv[0]])
            },
        }
    declarations = sum(size * n for size, n in interchanges.items())
    return {
        "declarations": declarations,
        "interchanges": sum(interchanges.values()),
        "rows_written": {
            table: after[table] - before.get(table, 0)
            for table in after
            if after[table] != before.get(table, 0)
        },
        "events_by_kind": kinds,
        "by_size": by_size,
        "mix": lanes,
    }


def main() -> None:
    """Count on SQLite; print the figures."""
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    files = day(int(numbers[0]) if numbers else 2000)
    with tempfile.TemporaryDirectory() as tmp:
        r = run(f"sqlite:///{tmp}/rows.db", files)
    d, n = r["declarations"], r["interchanges"]
    print(f"{d} declarations in {n} interchanges; {r['mix']}")
    print("rows written by table: total, per declaration")
    for table, rows in sorted(r["rows_written"].items(), key=lambda kv: -kv[1]):
        print(f"  {table:<28} {rows:>7} {rows / d:8.3f}")
    print("events by kind: with a declaration number, without (per declaration)")
    for kind, (numbered, plain) in sorted(r["events_by_kind"].items(), key=lambda kv: -sum(kv[1])):
        print(f"  {kind:<28} {numbered:>6} {plain:>6} {(numbered + plain) / d:8.3f}")
    for size, f in r["by_size"].items():
        print(
            f"size {size}: {f['interchanges']} interchanges, "
            f"{f['calls_per_interchange']} calls per interchange (calls, rows):"
        )
        for kind, (calls, rows) in f["by_kind_per_interchange"].items():
            print(f"  {kind:<36} {calls:8.3f} {rows:9.3f}")
    print(json.dumps(r))


if __name__ == "__main__":
    main()
