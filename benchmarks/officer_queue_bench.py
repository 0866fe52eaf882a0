"""The officers' work queue and claims over many declarations, on SQLite (or a URL given).

Fills a fresh database with N declarations (two in three waiting for an officer, in four
lanes and three offices, each with an automatic and some with an officer's decision row, a
third of the waiting ones claimed), then times through the use cases:

* a page of 100 of the filtered queue with its counts (default order, one lane, unclaimed,
  by age), against the peer: the unfiltered ``officer.queue`` of before, which reads every
  waiting declaration's decisions;
* claim + unclaim of one declaration (two units of work, row lock, events).

Usage: ``python benchmarks/officer_queue_bench.py [N] [DATABASE_URL]``. The last line printed
is a JSON object.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, insert, text  # noqa: E402

from clearance.app import (  # noqa: E402
    LOCAL_OPERATOR,
    Actor,
    Application,
    Role,
    officer,
    officer_work,
)
from clearance.store.control_tables import DecisionRow  # noqa: E402
from clearance.store.migrate import upgrade  # noqa: E402
from clearance.store.officer_tables import OfficerClaim  # noqa: E402
from clearance.store.tables import Declaration, InboundMessage  # noqa: E402
from core.clock import FixedClock  # noqa: E402
from core.db import make_engine  # noqa: E402
from core.settings import Settings  # noqa: E402

NOW = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)
LANES = ("red", "yellow", "blue", "green")
STATUSES = ("under_control", "documents_required", "registered", "released")
OFFICES = ("2201", "2202", "5300")


def fill(engine: Engine, n: int) -> None:
    """``n`` declarations with decisions and claims, written with bulk inserts."""
    with engine.begin() as conn:
        conn.execute(
            insert(InboundMessage),
            [
                {
                    "id": 1,
                    "sender": "BENCH",
                    "channel": "bench",
                    "sha256": "0" * 64,
                    "size": 0,
                    "raw": b"",
                    "received_at": NOW,
                    "status": "accepted",
                }
            ],
        )
        declarations, decisions, claims = [], [], []
        for i in range(1, n + 1):
            status = STATUSES[i % 3] if i % 3 else "released"
            declarations.append(_declaration(i, status))
            decisions.append(_decision(i, LANES[i % 4], "auto"))
            if i % 5 == 0:
                decisions.append(_decision(i, "red", "OF1"))
            if status != "released" and i % 3 == 1:
                claims.append(
                    {
                        "declaration_id": i,
                        "declaration_number": f"{i:018d}",
                        "officer": f"OF{i % 7}",
                        "claimed_at": NOW,
                    }
                )
        conn.execute(insert(Declaration), declarations)
        conn.execute(insert(DecisionRow), decisions)
        conn.execute(insert(OfficerClaim), claims)


def _declaration(i: int, status: str) -> dict[str, object]:
    return {
        "id": i,
        "number": f"{i:018d}",
        "sender": "BENCH",
        "sender_reference": f"R{i}",
        "message_reference": f"M{i}",
        "inbound_message_id": 1,
        "direction": "import",
        "office": OFFICES[i % 3],
        "status": status,
        "lane": LANES[i % 4],
        "decision": "inspect",
        "accepted_on": date(2026, 6, 15),
        "version": 1,
        "canonical": "{}",
        "registered_at": NOW - timedelta(minutes=i % 5000),
        "updated_at": NOW,
    }


def _decision(i: int, lane: str, by: str) -> dict[str, object]:
    return {
        "declaration_id": i,
        "declaration_version": 1,
        "lane": lane,
        "decision": "inspect",
        "auto_release": False,
        "ruleset_id": "bench",
        "ruleset_version": "1",
        "fired_rules": '["RISK@1"]',
        "inputs_digest": "0" * 64,
        "findings": "[]",
        "reasons": "[]",
        "inputs": "{}",
        "seed": "s",
        "as_of": date(2026, 6, 15),
        "decided_by": by,
        "decided_at": NOW,
    }


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Milliseconds per call, the best of three rounds of ``repeat`` calls."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(repeat):
            fn()
        best = min(best, (time.perf_counter() - start) / repeat)
    return round(best * 1000, 2)


def measure(engine: Engine, n: int) -> dict[str, object]:
    """Fill, then time the queue variants and a claim round trip."""
    fill(engine, n)
    app = Application(engine, Settings(), FixedClock(NOW))
    query = officer_work.queue_filter
    figures: dict[str, object] = {"declarations": n}
    figures["waiting"] = officer_work.queue(app, LOCAL_OPERATOR).counts.total
    figures["queue_page_ms"] = timed(lambda: officer_work.queue(app, LOCAL_OPERATOR), 5)
    red = query(lanes=["red"], sort="lane")
    figures["queue_red_ms"] = timed(lambda: officer_work.queue(app, LOCAL_OPERATOR, red), 5)
    free = query(unclaimed=True, min_age_hours=24)
    figures["queue_unclaimed_old_ms"] = timed(
        lambda: officer_work.queue(app, LOCAL_OPERATOR, free), 5
    )
    figures["peer_old_queue_all_ms"] = timed(lambda: officer.queue(app, LOCAL_OPERATOR), 1)
    target = officer_work.queue(app, LOCAL_OPERATOR, query(unclaimed=True)).entries[0].number
    actor = Actor("bench-officer", Role.OFFICER, offices=frozenset(OFFICES))

    def round_trip() -> None:
        officer_work.claim(app, actor, target)
        officer_work.unclaim(app, actor, target)

    figures["claim_and_unclaim_ms"] = timed(round_trip, 20)
    return figures


def main(argv: list[str]) -> None:
    """Run on a fresh SQLite file, or on the (emptied) database at the URL given."""
    n = int(argv[0]) if argv else 20_000
    if len(argv) > 1:
        engine = make_engine(argv[1])
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        upgrade(engine)
        figures = measure(engine, n)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
            upgrade(engine)
            figures = measure(engine, n)
    figures["database"] = engine.dialect.name
    print(json.dumps(figures))


if __name__ == "__main__":
    main(sys.argv[1:])
