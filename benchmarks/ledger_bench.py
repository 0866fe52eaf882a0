"""One declaration's ledger check with a short and a long history on the head (issue 15).

A tariff quota open for a year gathers one entry per declaration drawing on it. This measures
what one declaration's ledger work costs when the head already has ``SMALL`` (10) and ``LARGE``
(100,000) entries: a reservation (lock the head, read its balance and the declaration's own
holding, book the entry, commit) and the release that consumes it (find the heads the
declaration holds, read again, book, commit). Before the running balances (ADR 0015) the
balance was a ``SUM`` over the head's entries, so the cost grew with the history; with them it
should not.

The histories are written with plain INSERTs (50,000 declarations that reserved and consumed,
or 5), then, if the store keeps running balances, the heads are set to their entries' sums
(``clearance.ledgers.recompute.repair``) so both versions start from the same consistent state.

Usage: ``python benchmarks/ledger_bench.py [sqlite|postgresql URL] [ROUNDS]``; PostgreSQL needs a
scratch database (dropped and created again: name it ``customs_<lane>_…``). Prints CPU and
wall milliseconds per declaration for both sizes; the last line is a JSON object. On PostgreSQL
the summing happens in the server, so its wall time is the figure (CPU-s are the client's).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, create_engine, insert, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from clearance.ledgers.accounts import (  # noqa: E402
    HeadSpec,
    Ref,
    apply,
    ensure_heads,
    lock_heads,
    settle,
    state,
)
from clearance.store.control_tables import LedgerEntry  # noqa: E402
from clearance.store.migrate import upgrade  # noqa: E402
from core.db import make_engine  # noqa: E402
from rules.ledger import Allowance  # noqa: E402

NOW = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)
SMALL, LARGE = 10, 100_000
KEY = "quota:BENCH"
#: A year's quota: large enough that no draw of the benchmark is refused.
SPEC = HeadSpec(KEY, "quota", "BENCH", Allowance(Decimal(10_000_000), "KGM"))


def seed(engine: Engine, entries: int) -> None:
    """The head with ``entries`` entries: declarations that reserved 3 kg and consumed it."""
    with Session(engine) as session, session.begin():
        ensure_heads(session, [SPEC], NOW)
        head = lock_heads(session, [KEY])[KEY]
        rows = []
        for n in range(entries // 2):
            number = f"H{n:017d}"
            for kind in ("reserve", "consume"):
                rows.append(
                    {
                        "head_id": head.id,
                        "kind": kind,
                        "quantity": Decimal(3),
                        "uses": 0,
                        "declaration_number": number,
                        "declaration_version": 1,
                        "created_at": NOW,
                    }
                )
        for start in range(0, len(rows), 10_000):
            session.execute(insert(LedgerEntry), rows[start : start + 10_000])
    try:  # the store keeps running balances: start them from the entries written above
        from clearance.ledgers.recompute import repair
    except ImportError:
        pass
    else:
        with Session(engine) as session, session.begin():
            repair(session, [KEY])
    with engine.connect() as connection:  # the planner's statistics, as autovacuum would
        connection.execute(text("ANALYZE"))
        connection.commit()


def declaration(engine: Engine, n: int) -> None:
    """One declaration's ledger work: reserve when accepted, consume when released."""
    ref = Ref(f"B{n:017d}", 1)
    with Session(engine) as session, session.begin():
        head = lock_heads(session, [KEY])[KEY]
        current = state(session, head, ref.number)  # the check the assessment makes
        assert (current.balance.available or 0) >= 2
        assert apply(session, head, ref, "reserve", NOW, Decimal(2), 0) is None
    with Session(engine) as session, session.begin():
        assert settle(session, ref, "consume", NOW) == [KEY]


def measure(engine: Engine, rounds: int, offset: int) -> tuple[float, float]:
    """CPU and wall milliseconds per declaration over ``rounds`` declarations."""
    for n in range(5):  # warm the statement caches
        declaration(engine, offset + rounds + n)
    cpu, wall = time.process_time(), time.perf_counter()
    for n in range(rounds):
        declaration(engine, offset + n)
    return (
        (time.process_time() - cpu) / rounds * 1000,
        (time.perf_counter() - wall) / rounds * 1000,
    )


def fresh(url: str | None, tmp: Path, name: str) -> Engine:
    """A migrated, empty database: a SQLite file, or the PostgreSQL scratch database again."""
    if url is None:
        engine = make_engine(f"sqlite:///{tmp / name}.db")
    else:
        admin = create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
        database = url.rsplit("/", 1)[1]
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{database}"'))
        admin.dispose()
        engine = make_engine(url)
    upgrade(engine)
    return engine


def main() -> None:
    """Measure both sizes and print the figures."""
    url = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] != "sqlite" else None
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for entries in (SMALL, LARGE):
            engine = fresh(url, Path(tmp), f"h{entries}")
            seed(engine, entries)
            cpu, wall = measure(engine, rounds, entries)
            engine.dispose()
            figures[str(entries)] = {"cpu_ms": round(cpu, 3), "wall_ms": round(wall, 3)}
            print(
                f"{entries:>7} entries on the head: {cpu:7.3f} CPU-ms, {wall:7.3f} ms wall "
                "per declaration (reserve + consume)"
            )
    backend = "postgresql" if url else "sqlite"
    small, large = figures[str(SMALL)], figures[str(LARGE)]
    key = "wall_ms" if url else "cpu_ms"
    print(f"{backend}: {LARGE:,} entries cost {large[key] / small[key]:.2f}x what {SMALL} cost")
    print(json.dumps({"backend": backend, "rounds": rounds, "per_declaration": figures}))


if __name__ == "__main__":
    main()
