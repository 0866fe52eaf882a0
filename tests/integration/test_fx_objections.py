"""Objections to FX classes: filing within the working-day deadline, once, for B/C only; the
FX authority upholds or grants; the classification respects a granted objection; tenancy."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from clearance.app import (
    Actor,
    Application,
    ConflictError,
    Document,
    NotFoundError,
    NotPermittedError,
    RefusedError,
    Role,
    fx,
    fx_objections,
)
from clearance.app.fx_views import NewObjection, ObjectionRuling
from clearance.store.fx_tables import FxClass
from core.clock import FixedClock
from core.settings import Settings
from tests.integration.fx_support import EXPORTER, OTHER, add_declaration, application

pytestmark = pytest.mark.db

FX_AUTHORITY = Actor("safe-1", Role.FX_AUTHORITY)
TRADER = Actor("exporter", Role.TRADER, party_ids=frozenset({EXPORTER}))
OTHER_TRADER = Actor("other", Role.TRADER, party_ids=frozenset({OTHER}))
BROKER = Actor("broker", Role.BROKER, party_ids=frozenset({EXPORTER}))
GROUNDS = NewObjection(grounds="USD 600,000 received through our Hong Kong affiliate")


def at(engine: Engine, year: int, month: int, day: int, hour: int = 2) -> Application:
    """The application at ``hour`` UTC (Shanghai is UTC+8) of that day."""
    return Application(engine, Settings(), FixedClock(datetime(year, month, day, hour, tzinfo=UTC)))


def feed(*rows: str) -> Document:
    header = "bank,reference,trader,kind,value_date,currency,amount\n"
    return Document("feed.csv", (header + "".join(f"{r}\n" for r in rows)).encode())


def classed(engine: Engine, receipts: int) -> Application:
    """EXPORTER exports USD 1,000,000 in June 2026 and receives ``receipts``; classified on
    2026-07-15: 200,000 gives C (ratio -0.6667), 400,000 gives B (-0.4286, 43% beyond ±30%),
    990,000 gives A. A B/C notice's objection deadline is 2026-07-24 (7 working days)."""
    app = application(engine)
    add_declaration(engine, "220120260000000001", EXPORTER, date(2026, 6, 3), [("1000000", "USD")])
    add_declaration(engine, "220120260000000002", OTHER, date(2026, 6, 3), [("1000000", "USD")])
    fx.import_bank_feed(
        app,
        FX_AUTHORITY,
        feed(
            f"BKCHCNBJ,R1,{EXPORTER},receipt,2026-06-25,USD,{receipts}",
            f"BKCHCNBJ,R2,{OTHER},receipt,2026-06-25,USD,200000",
        ),
    )
    fx.classify(app, FX_AUTHORITY)
    return app


def notices(engine: Engine, trader: str = EXPORTER) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).where(FxClass.trader == trader)) or 0


def test_file_within_the_working_day_deadline_and_not_after(engine: Engine) -> None:
    classed(engine, 200000)
    # 2026-07-24 23:30 in Shanghai (15:30 UTC): the 7th working day after 2026-07-15, the
    # last day; 7 calendar days would have ended on 2026-07-22.
    filed = fx_objections.file_objection(at(engine, 2026, 7, 24, 15), TRADER, EXPORTER, GROUNDS)
    assert (filed.status, filed.notice.grade, filed.filed_by) == ("pending", "C", "exporter")
    assert filed.notice.objection_deadline == "2026-07-24"
    assert filed.grounds == GROUNDS.grounds and filed.result is None


def test_refused_after_the_deadline_in_the_customs_timezone(engine: Engine) -> None:
    classed(engine, 200000)
    # 2026-07-24 16:30 UTC is already 2026-07-25 in Shanghai: one day late.
    with pytest.raises(
        RefusedError, match=r"objection period ended on 2026-07-24 \(today is 2026-07-25\)"
    ):
        fx_objections.file_objection(at(engine, 2026, 7, 24, 16), TRADER, EXPORTER, GROUNDS)
    assert fx_objections.list_objections(at(engine, 2026, 7, 25), FX_AUTHORITY) == []


def test_refused_for_an_a_class_and_a_second_objection(engine: Engine) -> None:
    app = classed(engine, 990000)
    with pytest.raises(RefusedError, match=r"an A class .* cannot be objected to"):
        fx_objections.file_objection(app, TRADER, EXPORTER, GROUNDS)
    # OTHER is C: one objection, then none more, pending or decided.
    first = fx_objections.file_objection(app, OTHER_TRADER, OTHER, GROUNDS)
    with pytest.raises(ConflictError, match=f"already has objection {first.id} \\(pending\\)"):
        fx_objections.file_objection(app, OTHER_TRADER, OTHER, GROUNDS)
    ruling = ObjectionRuling(outcome="upheld", note="the affiliate is not the exporter")
    fx_objections.decide_objection(app, FX_AUTHORITY, first.id, ruling)
    with pytest.raises(ConflictError, match=r"\(upheld\)"):
        fx_objections.file_objection(app, OTHER_TRADER, OTHER, GROUNDS)
    with pytest.raises(ConflictError, match="already upheld"):
        fx_objections.decide_objection(app, FX_AUTHORITY, first.id, ruling)
    with pytest.raises(RefusedError, match="grounds"):
        fx_objections.file_objection(app, TRADER, EXPORTER, NewObjection(grounds="   "))


def test_tenancy_and_roles(engine: Engine) -> None:
    app = classed(engine, 200000)
    # Another trader's class answers as an unknown trader's; its objections are not listed.
    with pytest.raises(NotFoundError, match="no FX monitoring record") as hidden:
        fx_objections.file_objection(app, OTHER_TRADER, EXPORTER, GROUNDS)
    with pytest.raises(NotFoundError) as unknown:
        fx_objections.file_objection(app, OTHER_TRADER, "91330200MA2AJ6YF1B", GROUNDS)
    assert str(hidden.value).replace(EXPORTER, "X") == str(unknown.value).replace(
        "91330200MA2AJ6YF1B", "X"
    )
    mine = fx_objections.file_objection(app, TRADER, EXPORTER, GROUNDS)
    theirs = fx_objections.file_objection(app, OTHER_TRADER, OTHER, GROUNDS)
    assert [o.id for o in fx_objections.list_objections(app, OTHER_TRADER)] == [theirs.id]
    with pytest.raises(NotFoundError):
        fx_objections.show_objection(app, OTHER_TRADER, mine.id)
    assert fx_objections.show_objection(app, BROKER, mine.id).id == mine.id  # reads its principal's
    assert {o.id for o in fx_objections.list_objections(app, FX_AUTHORITY)} == {mine.id, theirs.id}
    statistician = Actor("stat", Role.STATISTICIAN)
    officer = Actor("of1", Role.OFFICER, offices=frozenset({"2201"}))
    ruling = ObjectionRuling(outcome="granted", grade="B", note="n")
    for actor in (statistician, officer, BROKER, FX_AUTHORITY):
        with pytest.raises(NotPermittedError):
            fx_objections.file_objection(app, actor, EXPORTER, GROUNDS)
    for actor in (statistician, officer, TRADER, BROKER):
        with pytest.raises(NotPermittedError):
            fx_objections.decide_objection(app, actor, mine.id, ruling)
    for actor in (statistician, officer):
        with pytest.raises(NotPermittedError):
            fx_objections.list_objections(app, actor)


def test_upheld_leaves_the_class_and_a_pending_objection_suspends_nothing(engine: Engine) -> None:
    app = classed(engine, 200000)
    filed = fx_objections.file_objection(app, TRADER, EXPORTER, GROUNDS)
    assert fx.show(app, TRADER, EXPORTER).current.grade == "C"  # type: ignore[union-attr]
    assert fx.classify(app, FX_AUTHORITY).notices == 0  # pending: the class is in force
    ruling = ObjectionRuling(outcome="upheld", note="receipts abroad do not count")
    decided = fx_objections.decide_objection(app, FX_AUTHORITY, filed.id, ruling)
    assert (decided.status, decided.decided_by, decided.decision_note) == (
        "upheld",
        "safe-1",
        "receipts abroad do not count",
    )
    assert decided.granted_grade is None and decided.result is None
    assert notices(engine) == 1
    (seen,) = fx_objections.list_objections(app, TRADER)
    assert seen.status == "upheld" and seen.decision_note == "receipts abroad do not count"


def test_granted_appends_a_notice_and_classify_does_not_revert_it(engine: Engine) -> None:
    app = classed(engine, 200000)
    filed = fx_objections.file_objection(app, TRADER, EXPORTER, GROUNDS)
    with pytest.raises(RefusedError, match="needs the grade"):
        fx_objections.decide_objection(
            app, FX_AUTHORITY, filed.id, ObjectionRuling(outcome="granted", note="x")
        )
    later = at(engine, 2026, 7, 20)
    ruling = ObjectionRuling(outcome="granted", grade="B", note="affiliate receipts proven")
    decided = fx_objections.decide_objection(later, FX_AUTHORITY, filed.id, ruling)
    assert (decided.status, decided.granted_grade) == ("granted", "B")
    assert decided.result is not None
    new = decided.result
    # Validity and objection deadline from the ruling day, as the policy gives for B.
    assert (new.grade, new.valid_from, new.valid_until, new.objection_deadline) == (
        "B",
        "2026-07-20",
        "2027-07-20",
        "2026-07-29",
    )
    assert new.reasons[0].code == "FX-OBJ" and "affiliate receipts proven" in new.reasons[0].text
    shown = fx.show(later, TRADER, EXPORTER)
    assert [c.grade for c in shown.history] == ["B", "C"]  # both notices, newest first
    # A month later the same figures (C) do not raise the class given on objection.
    run = fx.classify(at(engine, 2026, 8, 17), FX_AUTHORITY, date(2026, 6, 1))
    mine = next(t for t in run.traders if t.trader == EXPORTER)
    assert (mine.grade, mine.computed, mine.changed) == ("B", "C", False)
    assert mine.reasons[-1].code == "FX-RULED"
    assert fx.show(later, TRADER, EXPORTER).current.grade == "B"  # type: ignore[union-attr]
    assert notices(engine) == 2


def test_an_a_granted_holds_against_b_figures(engine: Engine) -> None:
    app = classed(engine, 400000)
    assert fx.show(app, TRADER, EXPORTER).current.grade == "B"  # type: ignore[union-attr]
    filed = fx_objections.file_objection(app, TRADER, EXPORTER, GROUNDS)
    same = ObjectionRuling(outcome="granted", grade="B", note="x")
    with pytest.raises(RefusedError, match="B is not lower than the class B"):
        fx_objections.decide_objection(app, FX_AUTHORITY, filed.id, same)
    ruling = ObjectionRuling(outcome="granted", grade="A", note="refund was a loan repayment")
    decided = fx_objections.decide_objection(app, FX_AUTHORITY, filed.id, ruling)
    assert decided.result is not None and decided.result.valid_until is None
    assert decided.result.objection_deadline is None
    run = fx.classify(at(engine, 2026, 8, 17), FX_AUTHORITY, date(2026, 6, 1))
    mine = next(t for t in run.traders if t.trader == EXPORTER)
    assert (mine.grade, mine.computed, mine.changed) == ("A", "B", False)
    # An A cannot be objected to.
    with pytest.raises(RefusedError, match="an A class"):
        fx_objections.file_objection(app, TRADER, EXPORTER, GROUNDS)


def test_granting_an_objection_to_a_replaced_notice_is_refused(engine: Engine) -> None:
    app = classed(engine, 400000)  # B
    filed = fx_objections.file_objection(app, TRADER, EXPORTER, GROUNDS)
    # A refund of USD 300,000 in June makes it C: a new notice while the objection is pending.
    fx.import_bank_feed(
        app, FX_AUTHORITY, feed(f"ICBKCNBJ,P1,{EXPORTER},payment,2026-06-28,USD,300000")
    )
    assert fx.classify(app, FX_AUTHORITY).notices == 1
    grant = ObjectionRuling(outcome="granted", grade="A", note="n")
    with pytest.raises(ConflictError, match="no longer the class in force"):
        fx_objections.decide_objection(app, FX_AUTHORITY, filed.id, grant)
    assert notices(engine) == 2
    upheld = ObjectionRuling(outcome="upheld", note="replaced by the C notice")
    assert fx_objections.decide_objection(app, FX_AUTHORITY, filed.id, upheld).status == "upheld"


def test_a_chain_of_granted_objections_keeps_the_first_class_objected_to(engine: Engine) -> None:
    app = classed(engine, 200000)  # C
    first = fx_objections.file_objection(app, TRADER, EXPORTER, GROUNDS)
    to_b = ObjectionRuling(outcome="granted", grade="B", note="partly proven")
    fx_objections.decide_objection(app, FX_AUTHORITY, first.id, to_b)
    # The B notice has its own objection period: the trader objects again, and wins.
    second = fx_objections.file_objection(app, TRADER, EXPORTER, GROUNDS)
    assert second.notice.grade == "B" and second.notice.reasons[0].code == "FX-OBJ"
    to_a = ObjectionRuling(outcome="granted", grade="A", note="fully proven")
    fx_objections.decide_objection(app, FX_AUTHORITY, second.id, to_a)
    # The figures still give C: the authority ruled on them twice; A holds.
    run = fx.classify(at(engine, 2026, 8, 17), FX_AUTHORITY, date(2026, 6, 1))
    mine = next(t for t in run.traders if t.trader == EXPORTER)
    assert (mine.grade, mine.computed, mine.changed) == ("A", "C", False)
    assert [c.grade for c in fx.show(app, TRADER, EXPORTER).history] == ["A", "B", "C"]
