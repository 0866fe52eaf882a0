"""Statistics: what protecting a table together with overlapping published tables costs.

Writes N synthetic facts over three months into a fresh SQLite store, then times (CPU
seconds, ``time.process_time``, warm: the columnar copy in memory) one table three ways in
the same run: alone (nothing published), linked to a published table of the same frame
(the linking that existed before), and linked to a published table of an overlapping frame
(the quarter, the table asks for two of its months: the frames cut into pieces). The last
line printed is JSON.

    python benchmarks/stats_linked_bench.py --items 3000 --rows trade_mode --columns region
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

from clearance.app import LOCAL_OPERATOR, Application  # noqa: E402
from clearance.app import statistics as stats  # noqa: E402
from clearance.store.migrate import upgrade  # noqa: E402
from core.db import make_engine  # noqa: E402
from core.settings import Settings  # noqa: E402


def main() -> None:
    """Time the three ways and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=3000)
    parser.add_argument("--rows", default="partner")
    parser.add_argument("--columns", default="trade_mode")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        engine = make_engine(f"sqlite:///{scratch}/bench.db")
        upgrade(engine)
        app = Application(engine, Settings())
        stats.generate(
            app, LOCAL_OPERATOR, args.items, seed=args.seed, first_period="2025-01", months=3
        )

        def request(last: str, columns: str | None = args.columns) -> stats.TableRequest:
            return stats.TableRequest(
                rows=args.rows, columns=columns, period_from="2025-01", period_to=last
            )

        def timed(table: stats.TableRequest) -> dict[str, object]:
            started = time.process_time()
            view = stats.table(app, LOCAL_OPERATOR, table)
            return {
                "cpu_seconds": round(time.process_time() - started, 3),
                "linked_tables": view.audit.linked_tables,
                "suppressed": view.audit.confidential_cells + view.audit.complementary_cells,
                "linear_programs": view.audit.linear_programs,
                "cells": len(view.cells),
            }

        stats.table(app, LOCAL_OPERATOR, request("2025-02"))  # warm the columnar copy
        figures = {"alone": timed(request("2025-02"))}
        stats.publish_table(app, LOCAL_OPERATOR, request("2025-02", None))  # same frame
        figures["same frame"] = timed(request("2025-02"))
        stats.publish_table(app, LOCAL_OPERATOR, request("2025-03"))  # the quarter
        figures["overlapping frame"] = timed(request("2025-02"))
    for name, row in figures.items():
        print(f"{name:18} {row}")
    with open("/proc/loadavg") as load:
        loadavg = load.read().split()[0]
    print(json.dumps({"items": args.items, "loadavg": loadavg, "figures": figures}))


if __name__ == "__main__":
    main()
