"""FX classification over many exporters, on SQLite.

Generates T traders with skewed sizes, each with a year of released export (and some import)
declarations and bank receipts (most traders settle 90-105% of their exports, a few fall far
short), then times, in a fresh database:

1. the goods-side sync (each declaration valued per item at its day's official rate),
2. the classification run (``clearance.app.fx.classify``: monthly totals from the store, the
   indicators over 12 rolling months with the run of consecutive breaches, classes, notices),
3. the same classification again (goods side up to date: what a daily run costs),

and, as the peer, the pure indicators and classes on the same monthly totals in memory.
Usage: ``python benchmarks/fx_bench.py [TRADERS]`` (default 2000). The last line is JSON.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, insert  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from clearance.app import LOCAL_OPERATOR, Application, fx  # noqa: E402
from clearance.assessment import tariff_store  # noqa: E402
from clearance.fx import goods, monitoring  # noqa: E402
from clearance.store.fx_tables import FxBankFeed, FxTransaction  # noqa: E402
from clearance.store.migrate import upgrade  # noqa: E402
from clearance.store.tables import Declaration, DeclarationItem, InboundMessage  # noqa: E402
from core.clock import FixedClock  # noqa: E402
from core.db import make_engine  # noqa: E402
from core.settings import Settings  # noqa: E402
from rules.fx import classify, shipped_policy  # noqa: E402
from rules.working_days import shipped_calendar  # noqa: E402

INSTANT = datetime(2026, 7, 15, 2, 0, tzinfo=UTC)
MONTHS = [date(2025, 10 + m, 1) if m < 3 else date(2026, m - 2, 1) for m in range(9)]
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc_of(n: int) -> str:
    """A valid 18-character unified social credit code for trader ``n``."""
    from stdnum.cn import uscc

    body = f"91440300MA{n:07d}"[:17]
    for check in ALPHABET:
        if uscc.is_valid(body + check):
            return body + check
    raise AssertionError(body)


def generate(engine: Engine, traders: int, seed: int = 7) -> tuple[int, int]:
    """Declarations and receipts for ``traders`` traders; returns (declarations, receipts)."""
    rng = random.Random(seed)
    declarations: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    receipts: list[dict[str, Any]] = []
    number = 0
    for t in range(traders):
        who = uscc_of(t)
        size = rng.paretovariate(1.2) * 50_000  # skewed: a few very large exporters
        settle = Decimal(str(rng.choice([0.97, 1.0, 1.02, 0.95, 0.6, 1.05, 0.99, 0.3])))
        for month in MONTHS:
            number += 1
            value = Decimal(int(size * rng.uniform(0.5, 1.5)))
            day = month.replace(day=rng.randint(1, 28))
            declarations.append(
                {
                    "id": number,
                    "number": f"5316{2026:04d}0{number:09d}",
                    "sender": "BENCH",
                    "sender_reference": str(number),
                    "message_reference": "1",
                    "inbound_message_id": 1,
                    "direction": "export",
                    "office": "5316",
                    "status": "released",
                    "accepted_on": day,
                    "version": 1,
                    "canonical": json.dumps(
                        {
                            "parties": [
                                {
                                    "role": "consignor",
                                    "identifiers": [{"scheme": "uscc", "value": who}],
                                }
                            ]
                        }
                    ),
                    "registered_at": INSTANT,
                    "updated_at": INSTANT,
                }
            )
            currency = rng.choice(["USD", "USD", "CNY", "EUR"])
            items.append(
                {
                    "declaration_id": number,
                    "sequence": 1,
                    "commodity_code": "8471300000",
                    "value": value,
                    "currency": currency,
                }
            )
            receipts.append(
                {
                    "feed_id": 1,
                    "line": len(receipts) + 2,
                    "bank": "BKCHCNBJ",
                    "reference": f"R{len(receipts)}",
                    "trader": who,
                    "kind": "receipt",
                    "value_date": day,
                    "currency": "USD",
                    "amount": (value * settle).quantize(Decimal("0.01")),
                    "amount_usd": (value * settle).quantize(Decimal("0.01")),
                }
            )
    with Session(engine) as session:
        session.add(
            InboundMessage(
                id=1,
                sender="BENCH",
                channel="bench",
                sha256="0" * 64,
                size=0,
                raw=b"",
                received_at=INSTANT,
                status="accepted",
            )
        )
        session.execute(
            insert(FxBankFeed),
            [
                {
                    "id": 1,
                    "sha256": "0" * 64,
                    "content": b"",
                    "status": "imported",
                    "received_at": INSTANT,
                }
            ],
        )
        session.execute(insert(Declaration), declarations)
        session.execute(insert(DeclarationItem), items)
        session.execute(insert(FxTransaction), receipts)
        session.commit()
    return len(declarations), len(receipts)


def main() -> None:
    """Run the benchmark and print its figures."""
    traders = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'fx.db'}")
        upgrade(engine)
        with Session(engine) as session:
            tariff_store.load_file(
                session, ROOT / "samples" / "tariffs" / "cn-extract.jsonl", INSTANT
            )
            session.commit()
        n_decl, n_rcpt = generate(engine, traders)
        app = Application(engine, Settings(), FixedClock(INSTANT))

        start = time.perf_counter()
        with app.unit() as session:
            synced = goods.sync_goods(session, INSTANT)
        sync_s = time.perf_counter() - start

        start = time.perf_counter()
        first = fx.classify(app, LOCAL_OPERATOR, date(2026, 6, 1))
        classify_s = time.perf_counter() - start
        start = time.perf_counter()
        again = fx.classify(app, LOCAL_OPERATOR, date(2026, 6, 1))
        again_s = time.perf_counter() - start

        policy, calendar = shipped_policy(), shipped_calendar()
        last = date(2026, 6, 1)
        with app.read() as session:
            flows = monitoring.load_flows(
                session, monitoring.first_month_needed(last, policy), last, policy, calendar
            )
        start = time.perf_counter()
        for f in flows.values():
            found = monitoring.indicators_of(f, last, policy)
            classify(found, None, date(2026, 7, 15), policy, calendar)
        pure_s = time.perf_counter() - start
        engine.dispose()
    figures = {
        "traders": traders,
        "declarations": n_decl,
        "receipts": n_rcpt,
        "goods_rows": synced.originals,
        "sync_s": round(sync_s, 3),
        "sync_declarations_per_s": round(n_decl / sync_s),
        "classify_s": round(classify_s, 3),
        "classify_traders_per_s": round(traders / classify_s),
        "classify_again_s": round(again_s, 3),
        "pure_s": round(pure_s, 3),
        "pure_traders_per_s": round(traders / pure_s),
        "classes": first.counts,
        "notices_first": first.notices,
        "notices_again": again.notices,
    }
    print(f"{traders} traders, {n_decl} declarations, {n_rcpt} receipts (SQLite)")
    print(
        f"goods sync:         {sync_s:8.3f} s  "
        f"({figures['sync_declarations_per_s']} declarations/s)"
    )
    print(
        f"classify (store):   {classify_s:8.3f} s  ({figures['classify_traders_per_s']} traders/s)"
    )
    print(f"classify again:     {again_s:8.3f} s")
    print(f"peer, pure rules:   {pure_s:8.3f} s  ({figures['pure_traders_per_s']} traders/s)")
    print(f"classes {first.counts}, notices {first.notices} then {again.notices}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
