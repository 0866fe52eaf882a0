"""Tariff-quota ledgers: first come, first served, give-back, no over-allocation under load.

The quota is the illustrative 10 t ``CN-SUGAR-ILLUS-2026`` of samples/tariffs/cn-extract.jsonl
(soft white sugar 17019920: in-quota 15 %, MFN 50 %); the declarations are sample
``10-quota-exhausted`` with another quantity, reference and, where said, trader.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from clearance.flow.outcome import DeclarationOutcome
from clearance.ledgers.accounts import balances, lock_heads
from clearance.officer import actions as officer
from clearance.store.control_tables import LedgerEntry
from core.db import make_engine
from core.settings import Settings
from tests.concurrency import Start, race_processes
from tests.integration.test_controls_support import CONTROLS, INSTANT, pipeline, prepare

pytestmark = pytest.mark.db
KEY = "quota:CN-SUGAR-ILLUS-2026"
IN_QUOTA, OUT_OF_QUOTA = "17019920-quota_in", "17019920-mfn"
#: A discredited trader: red lane, so the declaration waits for an officer.
DISCREDITED = "91440101MA5CXK7T26::ZUS++GUANGZHOU QUICKTRADE IMPORT CO LTD"


def sugar(ref: str, kg: int, trader: str | None = None) -> bytes:
    """Sample 10 with ``kg`` of sugar and reference ``ref`` (four digits)."""
    text = (CONTROLS / "10-quota-exhausted.edi").read_text(encoding="utf-8")
    text = text.replace("KGM:12000", f"KGM:{kg}")
    text = text.replace("CTL-0010", f"CTL-{ref}").replace("CTL0010", f"CTL{ref}")
    if trader is not None:
        text = text.replace("91310000MA1FL0XQ8W::ZUS++SHANGHAI OCEAN FOODS TRADING CO LTD", trader)
    return text.encode()


def rate(d: DeclarationOutcome) -> str:
    """The measure the item's duty was assessed at."""
    return str(d.assessment.items[0].rate.measure_id)


def held(engine: Engine) -> Decimal:
    """Reserved plus consumed on the quota, derived from the entries under the head lock."""
    with Session(engine) as session, session.begin():
        return balances(session, lock_heads(session, [KEY]))[KEY].totals.held


def test_in_quota_while_the_balance_lasts_then_out_of_quota(engine: Engine) -> None:
    clock = prepare(engine)
    p = pipeline(engine, clock)
    first, second, third, fourth = (
        p.submit(sugar(ref, kg)).declarations[0]
        for ref, kg in (("0101", 4000), ("0102", 4000), ("0103", 4000), ("0104", 2000))
    )
    assert [rate(d) for d in (first, second)] == [IN_QUOTA, IN_QUOTA]
    assert rate(third) == OUT_OF_QUOTA  # 4 t needed, 2 t left: first come, first served
    assert rate(fourth) == IN_QUOTA  # the 2 t left are still there for a smaller one
    assert [f.rule_id for f in third.findings] == ["QUO-001"]
    (finding,) = third.findings
    assert finding.evidence["needed"] == "4" and finding.evidence["available"] == "2"
    assert "QUO-001" in [r.code for r in third.reasons] and third.status == "released"
    assert not any(f.rule_id.startswith("QUO") for f in (*first.findings, *fourth.findings))
    assert third.assessment.total_payable > first.assessment.total_payable
    assert held(engine) == Decimal(10)


def test_the_exhausted_sample_draws_nothing(engine: Engine) -> None:
    clock = prepare(engine)
    (d,) = (
        pipeline(engine, clock)
        .submit((CONTROLS / "10-quota-exhausted.edi").read_bytes())
        .declarations
    )
    assert rate(d) == OUT_OF_QUOTA and [f.rule_id for f in d.findings] == ["QUO-001"]
    with Session(engine) as session:
        assert session.scalars(select(LedgerEntry)).all() == []


def test_an_officer_rejection_gives_the_quota_back(engine: Engine) -> None:
    clock = prepare(engine)
    p = pipeline(engine, clock)
    (waiting,) = p.submit(sugar("0201", 8000, DISCREDITED)).declarations
    assert waiting.status == "under_control" and rate(waiting) == IN_QUOTA
    assert held(engine) == Decimal(8)
    (refused,) = p.submit(sugar("0202", 8000)).declarations
    assert rate(refused) == OUT_OF_QUOTA  # the reservation of the waiting one counts
    assert waiting.number is not None
    with Session(engine) as session:
        officer.decide(session, Settings(), waiting.number, "reject", "no", "OF1", INSTANT)
        session.commit()
    assert held(engine) == Decimal(0)
    (again,) = p.submit(sugar("0203", 8000)).declarations
    assert rate(again) == IN_QUOTA and held(engine) == Decimal(8)


def test_a_cancellation_gives_the_quota_back(engine: Engine) -> None:
    clock = prepare(engine)
    p = pipeline(engine, clock)
    (d,) = p.submit(sugar("0301", 6000, DISCREDITED)).declarations
    assert d.status == "under_control" and held(engine) == Decimal(6)
    text = sugar("0301", 6000, DISCREDITED).decode().replace("CTL0301", "CTL0301C")
    text = text.replace("BGM+929+CTL-0301+9", "BGM+929+CTL-0301+1")
    text = text.replace("DTM+137:20260615:102'", f"DTM+137:20260615:102'\nRFF+AAE:{d.number}'")
    p.submit(text.replace("UNT+22+", "UNT+23+").encode())
    assert held(engine) == Decimal(0)
    with Session(engine) as session:
        kinds = session.scalars(select(LedgerEntry.kind).order_by(LedgerEntry.id)).all()
    assert kinds == ["reserve", "release"]


def test_an_amendment_gives_back_and_reserves_anew(engine: Engine) -> None:
    clock = prepare(engine)
    p = pipeline(engine, clock)
    (d,) = p.submit(sugar("0401", 8000, DISCREDITED)).declarations
    assert d.status == "under_control" and held(engine) == Decimal(8)
    # 9 t fit: the 8 t the first version holds are given back by the amendment itself.
    text = sugar("0401", 9000, DISCREDITED).decode().replace("CTL0401", "CTL0401A")
    text = text.replace("BGM+929+CTL-0401+9", "BGM+929+CTL-0401+5")
    text = text.replace("DTM+137:20260615:102'", f"DTM+137:20260615:102'\nRFF+AAE:{d.number}'")
    (amended,) = p.submit(text.replace("UNT+22+", "UNT+23+").encode()).declarations
    assert amended.function == "amendment" and rate(amended) == IN_QUOTA
    assert held(engine) == Decimal(9)
    with Session(engine) as session:
        kinds = session.scalars(select(LedgerEntry.kind).order_by(LedgerEntry.id)).all()
    assert kinds == ["reserve", "release", "reserve"]


def _worker(url: str, n: int, start: Start) -> list[str]:
    from core.clock import FixedClock

    engine = make_engine(url)
    p = pipeline(engine, FixedClock(INSTANT))
    start()  # all four submit at the same moment, not one after another as each is ready
    rates = [rate(p.submit(sugar(f"{n}{i:03d}", 3000)).declarations[0]) for i in range(3)]
    engine.dispose()
    return rates


def test_concurrent_processes_never_over_allocate_a_quota(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the multi-process proof runs on PostgreSQL (set CUSTOMS_TEST_POSTGRES_URL)")
    prepare(engine)
    url = engine.url.render_as_string(hide_password=False)
    answers = race_processes([partial(_worker, url, n) for n in range(1, 5)])
    rates = [r for worker_rates in answers for r in worker_rates]
    # 12 declarations of 3 t against 10 t: exactly three fit, the other nine pay the MFN rate.
    assert sorted(rates) == [OUT_OF_QUOTA] * 9 + [IN_QUOTA] * 3
    assert held(engine) == Decimal(9)
