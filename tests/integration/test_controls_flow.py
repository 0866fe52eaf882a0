"""Officer decisions, rebates, replay, reassessment, amendments and concurrent ledgers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, true
from sqlalchemy.orm import Session

from clearance.decisions import history
from clearance.ledgers.accounts import HeadSpec, Ref, apply, ensure_heads, lock_heads
from clearance.officer import actions as officer
from clearance.rebates import records as rebates
from clearance.store.control_tables import REBATE_AWAITING, DecisionRow, LedgerEntry, RebateRecord
from clearance.store.tables import Declaration, OutboundMessage
from core.db import make_engine
from core.settings import Settings
from rules.ledger import Allowance
from rules.risk import BUILTIN_DIRECTORY, load_ruleset
from tests.concurrency import Start, race_processes
from tests.integration.test_controls_support import (
    CONTROLS,
    INSTANT,
    export_interchange,
    pipeline,
    prepare,
)

pytestmark = pytest.mark.db


def _status(engine: Engine, number: str) -> str:
    with Session(engine) as session:
        return str(session.scalar(select(Declaration.status).where(Declaration.number == number)))


def test_officer_release_consumes_and_creates_rebates_exported_once(
    engine: Engine, tmp_path: Path
) -> None:
    clock = prepare(engine)
    (d,) = pipeline(engine, clock).submit(export_interchange()).declarations
    assert d.number is not None and d.status == "registered"  # SAN-004 warnings: an officer looks
    with Session(engine) as session:
        assert [q["number"] for q in officer.queue(session, true())] == [d.number]
        with pytest.raises(Exception, match="version"):
            officer.decide(session, Settings(), d.number, "release", "ok", "OF1", INSTANT, 7)
        result = officer.decide(
            session, Settings(), d.number, "release", "checked", "OF1", INSTANT, 1
        )
        session.commit()
    assert result["status"] == "released" and result["response"] is not None
    assert "OFFICER" in result["response"]
    with Session(engine) as session:
        records = session.scalars(select(RebateRecord)).all()
        assert [r.status for r in records] == [REBATE_AWAITING] * len(records) and records
        assert rebates.confirm_exit(session, d.number, INSTANT).records == len(records)
        batch, sent = rebates.export_batch(session, date(2026, 6, 1), date(2026, 6, 30), INSTANT)
        session.commit()
        assert len(sent) == len(records) and batch.total_amount > 0
        again, none = rebates.export_batch(session, date(2026, 6, 1), date(2026, 6, 30), INSTANT)
        session.commit()
        assert none == [] and again.record_count == 0
        with pytest.raises(Exception, match="released"):
            officer.decide(session, Settings(), d.number, "reject", "late", "OF1", INSTANT)


def test_officer_reject_gives_the_licence_back(engine: Engine) -> None:
    clock = prepare(engine)
    (d,) = (
        pipeline(engine, clock)
        .submit((CONTROLS / "08-outlier-price.edi").read_bytes())
        .declarations
    )
    assert d.number is not None and d.status == "registered"
    with Session(engine) as session:
        officer.decide(session, Settings(), d.number, "reject", "price unproven", "OF2", INSTANT)
        session.commit()
        held = session.scalars(
            select(LedgerEntry.kind).where(LedgerEntry.declaration_number == d.number)
        ).all()
        cusres = session.scalar(
            select(func.count())
            .select_from(OutboundMessage)
            .where(OutboundMessage.message_type == "CUSRES")
        )
    assert sorted(held) == ["release", "reserve"] and cusres == 2
    assert _status(engine, d.number) == "rejected"


def test_reassess_reproduces_and_replay_changes_nothing_stored(
    engine: Engine, tmp_path: Path
) -> None:
    clock = prepare(engine)
    p = pipeline(engine, clock)
    numbers = [
        p.submit(f.read_bytes()).declarations[0].number for f in sorted(CONTROLS.glob("*.edi"))
    ]
    candidate = tmp_path / "strict.json"
    text = (BUILTIN_DIRECTORY / "cn-default.json").read_text(encoding="utf-8")
    candidate.write_text(
        text.replace('"rate": 0.04', '"rate": 1').replace("0.04", "1"), encoding="utf-8"
    )
    with Session(engine) as session:
        before = session.scalars(select(DecisionRow.lane).order_by(DecisionRow.id)).all()
        for number in numbers:
            assert number is not None
            assert history.reassess(session, number, date(2026, 6, 15)).identical, number
        report = history.replay(
            session, load_ruleset(candidate), date(2026, 6, 1), date(2026, 6, 30)
        )
        session.rollback()
        after = session.scalars(select(DecisionRow.lane).order_by(DecisionRow.id)).all()
    assert before == after
    assert report["declarations"] == len(numbers)
    assert sum(report["lanes_before"].values()) == sum(report["lanes_after"].values())


def test_an_expired_certificate_gives_the_mfn_duty_and_shows_the_alternative(
    engine: Engine,
) -> None:
    """Preference follows the certificate's validity in the assessment itself."""
    clock = prepare(engine)
    p = pipeline(engine, clock)
    (d,) = p.submit((CONTROLS / "06-expired-certificate.edi").read_bytes()).declarations
    assert d.assessment is not None
    (item,) = d.assessment.items
    assert item.rate is not None and item.rate.measure_type == "mfn"
    duty = item.line("customs_duty")
    assert duty is not None and duty.amount > 0
    (agreement,) = [a for a in item.alternatives if "Y" in a.needs]
    assert agreement.saving is not None and agreement.saving > 0
    (finding,) = [f for f in d.findings if f.rule_id == "TAR-003"]
    assert "E251111111111111" in finding.message_en and "2026-05-31" in finding.message_en
    assert f"would save CNY {agreement.saving:,.2f}" in finding.message_en
    assert finding.evidence["refused_by"] == "COO-005"
    assert "TAR-003" in [r.code for r in d.reasons]
    # An officer who releases it collects the MFN duty, not nothing.
    with Session(engine) as session:
        from clearance.officer.actions import decide

        decide(session, Settings(), str(d.number), "release", "paid MFN", "officer1", clock.now())
        session.commit()
        payable = history._payable(session, _id(session, str(d.number)))
    assert payable == d.assessment.total_payable and payable > 0


def _id(session: Session, number: str) -> int:
    from clearance.store.tables import Declaration as DeclarationRow

    found = session.scalar(select(DeclarationRow.id).where(DeclarationRow.number == number))
    assert found is not None
    return found


def test_replay_of_a_ruleset_that_changes_only_wording_reports_no_change(
    engine: Engine, tmp_path: Path
) -> None:
    """Only a row's description differs: the draws stay, so no declaration changes lane."""
    clock = prepare(engine)
    p = pipeline(engine, clock)
    for f in sorted(CONTROLS.glob("*.edi")):
        p.submit(f.read_bytes())
    candidate = tmp_path / "reworded.json"
    text = (BUILTIN_DIRECTORY / "cn-default.json").read_text(encoding="utf-8")
    reworded = text.replace("Aquatic products: health certificate", "Aquatic products (reworded)")
    assert reworded != text
    candidate.write_text(reworded, encoding="utf-8")
    with Session(engine) as session:
        report = history.replay(
            session, load_ruleset(candidate), date(2026, 6, 1), date(2026, 6, 30)
        )
    shipped = load_ruleset(BUILTIN_DIRECTORY / "cn-default.json")
    assert report["ruleset"]["version"] != shipped.version
    assert report["changed"] == []
    assert report["lanes_before"] == report["lanes_after"]


def test_an_amendment_reserves_anew_and_a_cancellation_gives_back(engine: Engine) -> None:
    clock = prepare(engine)
    p = pipeline(engine, clock)
    (d,) = p.submit((CONTROLS / "08-outlier-price.edi").read_bytes()).declarations
    text = (CONTROLS / "08-outlier-price.edi").read_text(encoding="utf-8")
    amended = text.replace("BGM+929+CTL-0008+9", "BGM+929+CTL-0008+5")
    amended = amended.replace(
        "DTM+137:20260615:102'", f"DTM+137:20260615:102'\nRFF+AAE:{d.number}'"
    )
    amended = amended.replace("UNT+22+", "UNT+23+").replace("CTL0008", "CTL0008A")
    outcome = p.submit(amended.encode())
    assert outcome.declarations[0].function == "amendment", outcome.to_json()
    cancel = text.replace("BGM+929+CTL-0008+9", "BGM+929+CTL-0008+1")
    cancel = cancel.replace("DTM+137:20260615:102'", f"DTM+137:20260615:102'\nRFF+AAE:{d.number}'")
    cancel = cancel.replace("UNT+22+", "UNT+23+").replace("CTL0008", "CTL0008C")
    p.submit(cancel.encode())
    with Session(engine) as session:
        kinds = session.scalars(
            select(LedgerEntry.kind)
            .where(LedgerEntry.declaration_number == d.number)
            .order_by(LedgerEntry.id)
        ).all()
    assert kinds == ["reserve", "release", "reserve", "release"]
    assert _status(engine, str(d.number)) == "invalidated"


def _worker(url: str, n: int, start: Start) -> int:
    engine = make_engine(url)
    ok = 0
    start()  # the four processes reserve at the same moment
    for i in range(10):
        with Session(engine) as session, session.begin():
            heads = lock_heads(session, ["licence:CONC"])
            ref = Ref(f"{n:09d}{i:09d}", 1)
            refusal = apply(session, heads["licence:CONC"], ref, "reserve", INSTANT, Decimal(7), 1)
            ok += refusal is None
    engine.dispose()
    return ok


def test_concurrent_processes_never_over_allocate(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the multi-process proof runs on PostgreSQL (set CUSTOMS_TEST_POSTGRES_URL)")
    with Session(engine) as session, session.begin():
        allowance = Allowance(Decimal(100), "KGM", Decimal("0.05"), 12)
        ensure_heads(session, [HeadSpec("licence:CONC", "licence", "CONC", allowance)], INSTANT)
    url = engine.url.render_as_string(hide_password=False)
    granted = sum(race_processes([partial(_worker, url, n) for n in range(4)]))
    with Session(engine) as session:
        held = session.scalar(
            select(func.sum(LedgerEntry.quantity)).where(LedgerEntry.kind == "reserve")
        )
        uses = session.scalar(select(func.count()).select_from(LedgerEntry))
    assert granted == 12 and uses == 12  # 12 uses of 7 kg = 84 kg ≤ 105; the 13th use is refused
    assert held == Decimal(84)
