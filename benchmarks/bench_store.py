"""Set-up shared by the pipeline benchmarks: a migrated store holding the day's reference data.

Not a benchmark itself (``dev.py bench`` runs ``*_bench.py`` only).
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from day import INSTANT, SAMPLE_REGISTRIES, TARIFF, registry_lines, traders  # noqa: E402

from clearance.app import LOCAL_OPERATOR, Application, Document, offices  # noqa: E402
from clearance.assessment import tariff_store  # noqa: E402
from clearance.decisions import registry_store  # noqa: E402
from clearance.decisions.registry_store import load_sources  # noqa: E402
from clearance.store.migrate import upgrade  # noqa: E402
from clearance.store.schema import Base  # noqa: E402
from clearance.store.tables import Declaration  # noqa: E402
from core.clock import FixedClock, as_utc  # noqa: E402
from core.db import make_engine  # noqa: E402
from core.settings import Settings  # noqa: E402

#: The sample customs offices: declarations are numbered only for registered offices.
OFFICES = ROOT / "samples" / "offices" / "offices.jsonl"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/customs_throughput_bench"


def fresh_store(url: str) -> Engine:
    """A migrated, empty store at ``url`` (PostgreSQL: its public schema recreated)."""
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    return engine


def prepare(engine: Engine) -> FixedClock:
    """Load the sample tariff, the sample registries and customs offices and the day's
    traders, licences and certificates; the clock of the day."""
    clock = FixedClock(INSTANT)
    with Session(engine) as session:
        tariff_store.load_file(session, TARIFF, INSTANT)
        sources = [(str(p), p.read_bytes()) for p in SAMPLE_REGISTRIES]
        day = ("\n".join(registry_lines(traders())) + "\n").encode()
        load_sources(session, [*sources, ("day-registries.jsonl", day)], INSTANT)
        session.commit()
    load_offices(engine)
    assert registry_store is not None
    return clock


def load_offices(engine: Engine, *extra: str) -> None:
    """Load the sample customs offices and the ``extra`` office codes (CN, open since 2000)
    that a benchmark's data names: declarations are numbered only for registered offices."""
    lines = [
        f'{{"code": "{code}", "name": "Customs office {code}", "country": "CN",'
        f' "valid_from": "2000-01-01"}}'
        for code in extra
    ]
    documents = [Document.read(OFFICES)]
    if lines:
        documents.append(Document("benchmark-offices.jsonl", "\n".join(lines).encode()))
    offices.load(Application(engine, Settings()), LOCAL_OPERATOR, documents)


def mix(engine: Engine) -> dict[str, int]:
    """How the stored declarations ended: count per status and lane."""
    with Session(engine) as session:
        rows = session.execute(
            select(Declaration.status, Declaration.lane, func.count()).group_by(
                Declaration.status, Declaration.lane
            )
        ).all()
    out: Counter[str] = Counter()
    for status, lane, n in rows:
        out[f"{status}/{lane}"] += n
    return dict(sorted(out.items()))


def store_hash(engine: Engine) -> str:
    """SHA-256 of every table's rows (ids included) and so of every answer (CONTRL, CUSRES):
    equal for two stores that hold the same results.

    The event log is hashed without its ids, in the order (message, id): the ids are a
    sequence in commit order, and a batch receives (commits) all its interchanges before it
    processes any, where one by one receives the next after the last was processed. Within
    a message, and for the events of no message, the order is kept. The checkout's own path
    (in the registry loads' file names) is left out, so two checkouts compare.
    """
    digest = hashlib.sha256()
    with engine.connect() as connection:
        for table in sorted(Base.metadata.sorted_tables, key=lambda t: t.name):
            columns: list[Any] = list(table.c)
            order: list[Any]
            if table.name == "events":
                columns = [c for c in columns if c.name != "id"]
                order = [
                    table.c.inbound_message_id.is_(None),
                    table.c.inbound_message_id,
                    table.c.id,
                ]
            else:
                order = list(table.primary_key.columns) or columns
            rows = connection.execute(select(*columns).order_by(*order)).all()
            digest.update(f"{table.name}:{len(rows)}\n".encode())
            for row in rows:
                digest.update(repr(tuple(_plain(v) for v in row)).encode())
    return digest.hexdigest()


def _plain(value: object) -> object:
    """``value`` as both databases give it back (SQLite: naive UTC datetimes, text JSON)."""
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, str):
        # The registry loads name their files: the same files in another checkout.
        return value.replace(str(ROOT), "<root>")
    return value


def postgres_database(name: str) -> str:
    """The URL of a benchmark database ``name`` on the local PostgreSQL, created if missing."""
    admin = make_engine("postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


__all__ = [
    "POSTGRES",
    "Base",
    "backend_cpu",
    "fresh_store",
    "mix",
    "postgres_database",
    "prepare",
    "store_hash",
]


def rows_of(parameters: Any, many: bool) -> int:
    """How many rows one cursor call carries (a ``before_cursor_execute`` listener's view): an
    executemany's parameter sets, else one. An insertmanyvalues batch arrives with
    ``executemany`` true but one flat set of parameters: that is one statement's worth."""
    if (
        many
        and isinstance(parameters, list | tuple)
        and parameters
        and isinstance(parameters[0], dict | list | tuple)
    ):
        return len(parameters)
    return 1


def backend_cpu(engine: Engine) -> float:
    """CPU seconds used so far by the PostgreSQL backends serving the benchmark database (0 on
    SQLite), from ``/proc/<pid>/stat``: the database's share of a run's cost."""
    if engine.dialect.name != "postgresql":
        return 0.0
    with engine.connect() as conn:
        pids = conn.scalars(
            text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        ).all()
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # a backend that ended, or a server on another machine
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total
