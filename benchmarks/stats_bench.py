"""Statistics: cross-tabs over N synthetic items on SQLite (or PostgreSQL), against GROUP BY.

Writes N synthetic facts (``customs stats generate``'s generator) into a fresh store, then
times each table three ways: the plain SQL ``GROUP BY`` a statistician would write (the peer:
sums and distinct traders per cell), our cross-tab from the stored columnar copy in a fresh
process state (cold: the snapshot read from the store), and again with the copy in memory
(warm, as an API process serves it); the last two with disclosure control and the LP audit
included. Each of ours is timed on the wall clock and in this process's CPU seconds (the
figure to compare on a shared machine: the load of other processes barely moves it).
``--url`` measures another store (e.g. PostgreSQL). The last line printed is JSON.

    python benchmarks/stats_bench.py --items 1000000
    python benchmarks/stats_bench.py --url sqlite:////tmp/stats.db --reuse --big

``--big`` adds a fifth, far larger table: hs4 x partner, imports over a year (at a million
facts 478,696 cells, 96,016 of them confidential, all in one component of the audit).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from clearance.app import LOCAL_OPERATOR, Application  # noqa: E402
from clearance.app import statistics as stats  # noqa: E402
from clearance.statistics import columns  # noqa: E402
from clearance.store.migrate import upgrade  # noqa: E402
from core.db import make_engine  # noqa: E402
from core.settings import Settings  # noqa: E402

TABLES = [
    ("hs2", "partner", "M", "2025-01", "2025-12"),
    ("hs4", None, "X", "2025-01", "2025-12"),
    ("trade_mode", "region", None, "2025-01", "2026-12"),
    ("month", "flow", None, "2025-01", "2026-12"),
]
#: ``--big``: the table ADR 0012 could not answer in useful time before its flows-only audit.
BIG = ("hs4", "partner", "M", "2025-01", "2025-12")
AXIS_SQL = {
    "hs2": "substr(hs, 1, 2)",
    "hs4": "substr(hs, 1, 4)",
    "month": "period",
    "partner": "partner",
    "trade_mode": "trade_mode",
    "region": "region",
    "flow": "flow",
}


def group_by(
    app: Application, rows: str, cols: str | None, flow: str | None, lo: str, hi: str
) -> float:
    """Seconds for the plain SQL cross-tab with distinct traders per cell."""
    axes = [AXIS_SQL[rows]] + ([AXIS_SQL[cols]] if cols else [])
    where = "period BETWEEN :lo AND :hi AND counted" + (" AND flow = :flow" if flow else "")
    sql = (
        f"SELECT {', '.join(axes)}, SUM(value_cny), SUM(value_usd), COUNT(*), "
        f"COUNT(DISTINCT trader) FROM stat_facts WHERE {where} GROUP BY {', '.join(axes)}"
    )
    params = {"lo": int(lo.replace("-", "")), "hi": int(hi.replace("-", "")), "flow": flow}
    start = time.perf_counter()
    with app.engine.connect() as conn:
        conn.execute(text(sql), params).fetchall()
    return time.perf_counter() - start


def ours(
    app: Application, rows: str, cols: str | None, flow: str | None, lo: str, hi: str
) -> tuple[float, float, int, int, int]:
    """Seconds (wall, then this process's CPU) for the protected table; its cell and
    suppressed-cell counts and the linear programs its audit solved."""
    request = stats.TableRequest(rows=rows, columns=cols, flow=flow, period_from=lo, period_to=hi)
    start, cpu = time.perf_counter(), time.process_time()
    table = stats.table(app, LOCAL_OPERATOR, request)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert table.audit.passed
    hidden = table.audit.confidential_cells + table.audit.complementary_cells
    return elapsed, cpu, len(table.cells), hidden, table.audit.linear_programs


def main() -> None:
    """Generate, then time every table; print the figures and a JSON line."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--url", help="a store to use instead of a fresh SQLite file")
    parser.add_argument(
        "--reuse", action="store_true", help="measure the facts already in --url, generate none"
    )
    parser.add_argument(
        "--big", action="store_true", help="add hs4 x partner over a year (478,696 cells at 1M)"
    )
    parser.add_argument("--only-big", action="store_true", help="measure the big table only")
    args = parser.parse_args()
    tables = [BIG] if args.only_big else TABLES + ([BIG] if args.big else [])
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{Path(tmp) / 'stats.db'}"
        engine = make_engine(url)
        upgrade(engine)
        app = Application(engine, Settings(database_url=url))
        start = time.perf_counter()
        if not args.reuse:
            stats.generate(app, LOCAL_OPERATOR, args.items, first_period="2025-01", months=24)
        generated = time.perf_counter() - start
        backend = engine.url.get_backend_name()
        print(f"{args.items:,} synthetic items written in {generated:.1f} s ({backend})")
        results = []
        for rows, cols, flow, lo, hi in tables:
            peer = group_by(app, rows, cols, flow, lo, hi)
            columns._CACHE.clear()  # cold: the snapshot is read from the store again
            cold, cold_cpu, cells, hidden, programs = ours(app, rows, cols, flow, lo, hi)
            warm, warm_cpu, _, _, _ = ours(app, rows, cols, flow, lo, hi)
            name = f"{rows} x {cols}" if cols else rows
            print(
                f"{name:<22} flow {flow or 'M+X'} {lo}..{hi}: GROUP BY {peer:.3f} s | ours cold "
                f"{cold:.3f} s (CPU {cold_cpu:.3f}), warm {warm:.3f} s (CPU {warm_cpu:.3f}) "
                f"({peer / warm:.1f}x) | {cells} cells, {hidden} suppressed, {programs} LPs"
            )
            results.append(
                {
                    "table": name,
                    "group_by_s": round(peer, 4),
                    "cold_s": round(cold, 4),
                    "cold_cpu_s": round(cold_cpu, 4),
                    "warm_s": round(warm, 4),
                    "warm_cpu_s": round(warm_cpu, 4),
                    "cells": cells,
                    "suppressed": hidden,
                    "linear_programs": programs,
                }
            )
        print(
            json.dumps(
                {
                    "items": args.items,
                    "backend": engine.url.get_backend_name(),
                    "generate_s": round(generated, 1),
                    "tables": results,
                }
            )
        )


if __name__ == "__main__":
    main()
