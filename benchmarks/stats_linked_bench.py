"""Statistics: what protecting a table together with overlapping published tables costs.

Writes N synthetic facts over three months into a fresh SQLite store, then times (CPU
seconds, ``time.process_time``, warm: the columnar copy in memory) one table:
alone (nothing published), linked to a published table of the same frame, linked to that
and a published table of an overlapping frame (the quarter, the table asks for two of its
months: the frames cut into pieces), and, in a second store over the same facts, linked to
the quarter only (the worst case measured: no same-frame table freezes its margins); in a
third, January alone and then January with January–February and February–March published
(a chain: the second shares no fact with January, see docs/statistics.md).
``audit_rounds`` and ``programs_all_rounds`` count every audit of the protection (its
rounds, and the audit of the published tables alone) by wrapping the audit functions;
``linear_programs`` is what the answer reports. The last line printed is JSON.

    python benchmarks/stats_linked_bench.py --items 3000 --rows trade_mode --columns region
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from clearance.app import LOCAL_OPERATOR, Application  # noqa: E402
from clearance.app import statistics as stats  # noqa: E402
from clearance.statistics import linked, protection  # noqa: E402
from clearance.store.migrate import upgrade  # noqa: E402
from core.db import make_engine  # noqa: E402
from core.settings import Settings  # noqa: E402

try:
    from clearance.statistics import linked_protection
except ImportError:  # the code before the linked-systems loop, for before/after runs
    linked_protection = None  # type: ignore[assignment]


def _count(module: Any, name: str, rounds: list[int], programs: Any) -> None:
    """Wrap ``module.name`` (an audit) to count its calls and programs into ``rounds``."""
    audit = getattr(module, name)

    def counted(*positional: Any, **named: Any) -> Any:
        found = audit(*positional, **named)
        rounds[0] += 1
        rounds[1] += programs(found)
        return found

    setattr(module, name, counted)


def main() -> None:
    """Time the tables and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=3000)
    parser.add_argument("--rows", default="partner")
    parser.add_argument("--columns", default="trade_mode")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rounds = [0, 0]  # audits, and the programs of all of them
    _count(protection, "audit_table", rounds, lambda audit: audit.programs)
    _count(linked, "audit_table", rounds, lambda audit: audit.programs)
    if linked_protection is not None:  # the widening loop for linked systems (issue 14)
        _count(linked_protection, "_audit", rounds, lambda found: found[2])

    def request(
        last: str, columns: str | None = args.columns, first: str = "2025-01"
    ) -> stats.TableRequest:
        return stats.TableRequest(
            rows=args.rows, columns=columns, period_from=first, period_to=last
        )

    def store(scratch: str, name: str) -> Application:
        engine = make_engine(f"sqlite:///{scratch}/{name}.db")
        upgrade(engine)
        app = Application(engine, Settings())
        stats.generate(
            app, LOCAL_OPERATOR, args.items, seed=args.seed, first_period="2025-01", months=3
        )
        stats.table(app, LOCAL_OPERATOR, request("2025-02"))  # warm the columnar copy
        return app

    def timed(app: Application, table: stats.TableRequest) -> dict[str, object]:
        rounds[:] = [0, 0]
        started = time.process_time()
        view = stats.table(app, LOCAL_OPERATOR, table)
        return {
            "cpu_seconds": round(time.process_time() - started, 3),
            "linked_tables": view.audit.linked_tables,
            "suppressed": view.audit.confidential_cells + view.audit.complementary_cells,
            "linear_programs": view.audit.linear_programs,
            "audit_rounds": rounds[0],
            "programs_all_rounds": rounds[1],
            "cells": len(view.cells),
        }

    with tempfile.TemporaryDirectory() as scratch:
        app = store(scratch, "bench")
        figures = {"alone": timed(app, request("2025-02"))}
        stats.publish_table(app, LOCAL_OPERATOR, request("2025-02", None))  # same frame
        figures["same frame"] = timed(app, request("2025-02"))
        stats.publish_table(app, LOCAL_OPERATOR, request("2025-03"))  # the quarter
        figures["overlapping frame"] = timed(app, request("2025-02"))
        app = store(scratch, "quarter")  # the same facts, only the quarter published
        stats.publish_table(app, LOCAL_OPERATOR, request("2025-03"))
        figures["quarter only"] = timed(app, request("2025-02"))
        app = store(scratch, "chain")  # January–February, then February–March published
        january = request("2025-01", first="2025-01")
        figures["january alone"] = timed(app, january)
        stats.publish_table(app, LOCAL_OPERATOR, request("2025-02"))
        stats.publish_table(app, LOCAL_OPERATOR, request("2025-03", first="2025-02"))
        figures["january, chain"] = timed(app, january)
    for name, row in figures.items():
        print(f"{name:18} {row}")
    with open("/proc/loadavg") as load:
        loadavg = load.read().split()[0]
    print(json.dumps({"items": args.items, "loadavg": loadavg, "figures": figures}))


if __name__ == "__main__":
    main()
