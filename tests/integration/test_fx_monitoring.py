"""FX monitoring in the store: bank feeds, the goods side, indicators, classes, tenancy."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from clearance.app import Actor, Document, NotFoundError, NotPermittedError, RefusedError, Role, fx
from clearance.app.actor import LOCAL_OPERATOR
from clearance.store.fx_tables import FxBankFeed, FxGoods, FxTransaction
from tests.integration.fx_support import (
    EXPORTER,
    OTHER,
    SMALL,
    add_declaration,
    application,
    set_declaration,
)

pytestmark = pytest.mark.db

HEADER = "bank,reference,trader,kind,value_date,currency,amount\n"
FX_AUTHORITY = Actor("safe-1", Role.FX_AUTHORITY)


def feed(*rows: str) -> Document:
    return Document("feed.csv", (HEADER + "".join(f"{r}\n" for r in rows)).encode())


def scenario(engine: Engine) -> None:
    # EXPORTER (office 5316: district 53, ±25%): exports USD 1,000,000 in June 2026 and
    # CNY 3,520,500.00 (USD 500,000 at June's 7.0410).
    add_declaration(
        engine,
        "531620260000000001",
        EXPORTER,
        date(2026, 6, 3),
        [("600000", "USD"), ("400000", "USD")],
        office="5316",
    )
    add_declaration(
        engine,
        "531620260000000002",
        EXPORTER,
        date(2026, 6, 20),
        [("3520500.00", "CNY")],
        office="5316",
    )
    # OTHER: exports USD 1,000,000 in May, receipts match: class A.
    add_declaration(engine, "220120260000000003", OTHER, date(2026, 5, 12), [("1000000", "USD")])
    # SMALL: exports USD 100,000 and receives nothing: under the floor, class A.
    add_declaration(engine, "220120260000000004", SMALL, date(2026, 6, 5), [("100000", "USD")])
    # Not released: never counted.
    add_declaration(
        engine,
        "220120260000000005",
        OTHER,
        date(2026, 6, 5),
        [("9000000", "USD")],
        status="registered",
    )


def test_feed_indicators_classes_and_history(engine: Engine) -> None:
    app = application(engine)
    scenario(engine)
    done = fx.import_bank_feed(
        app,
        FX_AUTHORITY,
        feed(
            f"BKCHCNBJ,R1,{EXPORTER},receipt,2026-06-25,USD,700000",
            # 2026-07-10 is 20 working days after 2026-06-11: it pays for June's goods.
            f"BKCHCNBJ,R2,{EXPORTER},receipt,2026-07-10,USD,300000",
            f"BKCHCNBJ,R3,{OTHER},receipt,2026-06-02,USD,990000",
        ),
    )
    assert (done.rows, done.created, done.receipts, done.goods_added) == (3, 3, 3, 4)

    rows = {r.trader: r for r in fx.indicators(app, FX_AUTHORITY)}
    assert set(rows) == {EXPORTER, OTHER, SMALL}
    mine = rows[EXPORTER].indicators
    # exports 1,500,000, receipts 1,000,000: gap -500,000, ratio -0.2000 (within ±25%)
    assert mine["exports_usd"] == "1500000.00" and mine["receipts_usd"] == "1000000.00"
    assert mine["gap_ratio"] == "-0.2000" and mine["receipt_ratio"] == "0.6667"
    assert mine["threshold_ratio"] == "0.25" and not mine["breach"]
    assert rows[EXPORTER].district_office == "5316"

    run = fx.classify(app, FX_AUTHORITY)
    assert run.period_to == "2026-06" and run.as_of == "2026-07-15"
    assert run.counts == {"A": 3, "B": 0, "C": 0} and run.notices == 3

    # A refund (payment) of USD 400,000 in June: gap -900,000, ratio 900k/2.9M = -0.3103:
    # beyond ±25% and USD 500,000 → B, objections by 2026-07-24.
    fx.import_bank_feed(
        app, FX_AUTHORITY, feed(f"ICBKCNBJ,P1,{EXPORTER},payment,2026-06-28,USD,400000")
    )
    run = fx.classify(app, FX_AUTHORITY)
    b = next(t for t in run.traders if t.trader == EXPORTER)
    assert (b.grade, b.changed, b.objection_deadline, b.valid_until) == (
        "B",
        True,
        "2026-07-24",
        "2027-07-15",
    )
    assert b.reasons[0].code == "FX-B01" and "-31.0%" in b.reasons[0].text
    assert run.notices == 1  # the others are unchanged

    shown = fx.show(app, Actor("exporter", Role.TRADER, party_ids=frozenset({EXPORTER})), EXPORTER)
    assert shown.current is not None and shown.current.grade == "B"
    assert [c.grade for c in shown.history] == ["B", "A"]
    assert shown.indicators is not None and shown.indicators.indicators["breach"]


def test_traders_see_only_their_own_class(engine: Engine) -> None:
    app = application(engine)
    scenario(engine)
    fx.classify(app, LOCAL_OPERATOR)
    other = Actor("other", Role.TRADER, party_ids=frozenset({OTHER}))
    with pytest.raises(NotFoundError) as hidden:
        fx.show(app, other, EXPORTER)
    with pytest.raises(NotFoundError) as unknown:
        fx.show(app, other, "91330200MA2AJ6YF1B")
    assert str(hidden.value).replace(EXPORTER, "X") == str(unknown.value).replace(
        "91330200MA2AJ6YF1B", "X"
    )
    assert fx.show(app, other, OTHER).current is not None
    assert fx.show(app, Actor("of1", Role.OFFICER, offices=frozenset({"2201"})), EXPORTER)
    for actor in (other, Actor("stat", Role.STATISTICIAN)):
        with pytest.raises(NotPermittedError):
            fx.classify(app, actor)
        with pytest.raises(NotPermittedError):
            fx.import_bank_feed(app, actor, feed(f"BKCHCNBJ,R9,{OTHER},receipt,2026-06-02,USD,1"))


def test_bad_feed_is_kept_refused_and_nothing_half_written(engine: Engine) -> None:
    app = application(engine)
    good = f"BKCHCNBJ,R1,{EXPORTER},receipt,2026-06-25,USD,700000"
    with pytest.raises(RefusedError) as refused:
        fx.import_bank_feed(
            app, FX_AUTHORITY, feed(good, f"BKCHCNBJ,R2,{EXPORTER},receipt,2026-06-25,XXX,1")
        )
    assert "line 3, column 6 (currency): no official XXX rate" in refused.value.message
    with Session(engine) as session:
        stored = session.scalars(select(FxBankFeed)).one()
        assert stored.status == "refused" and b"R2" in stored.content
        assert stored.error is not None and "line 3" in stored.error
        assert session.scalars(select(FxTransaction)).all() == []
    # Idempotent: the same rows again change nothing; a reused reference is refused.
    assert fx.import_bank_feed(app, FX_AUTHORITY, feed(good)).created == 1
    assert fx.import_bank_feed(app, FX_AUTHORITY, feed(good)).unchanged == 1
    with pytest.raises(RefusedError, match=r"line 2, column 2 .*other content"):
        fx.import_bank_feed(app, FX_AUTHORITY, feed(good.replace("700000", "700001")))


def test_goods_side_follows_amendment_and_invalidation(engine: Engine) -> None:
    app = application(engine)
    add_declaration(engine, "220120260000000007", OTHER, date(2026, 6, 3), [("1000", "USD")])
    fx.indicators(app, FX_AUTHORITY)
    set_declaration(engine, "220120260000000007", version=2)
    fx.indicators(app, FX_AUTHORITY)
    set_declaration(engine, "220120260000000007", status="invalidated")
    assert fx.indicators(app, FX_AUTHORITY)[0].indicators["exports_usd"] == "0"
    with Session(engine) as session:
        rows = session.scalars(select(FxGoods).order_by(FxGoods.id)).all()
        assert [(r.version, r.kind, r.current, r.value_usd) for r in rows] == [
            (1, "original", False, Decimal("1000.00")),
            (2, "correction", False, Decimal("1000.00")),
            (2, "cancellation", True, Decimal("0.00")),
        ]
        assert rows[1].supersedes_id == rows[0].id and rows[2].supersedes_id == rows[1].id
