"""A class given on a granted objection (rules.fx.Ruling) against the classification's rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from rules.fx import (
    Grade,
    Indicators,
    MonthTotals,
    Ruling,
    classify,
    compute_indicators,
    shipped_policy,
)
from rules.fx.classify import CurrentClass
from rules.working_days import shipped_calendar

POLICY = shipped_policy()
CAL = shipped_calendar()
JUNE = date(2026, 6, 1)
NOTICE = date(2026, 8, 17)  # a month after the notice objected to (2026-07-15)


def indicators(exports: int, receipts: int) -> Indicators:
    flows = {JUNE: MonthTotals(exports=Decimal(exports), receipts=Decimal(receipts))}
    return compute_indicators(flows, JUNE, POLICY, POLICY.default)


C_FIGURES = indicators(1000000, 200000)  # ratio -0.6667: C (FX-C01)
B_FIGURES = indicators(2000000, 900000)  # ratio -0.3793: B (FX-B01)


def test_a_class_given_on_objection_is_not_raised_on_the_figures_ruled_on() -> None:
    # C of 2026-07-15 (until 2027-07-15) objected to; granted B on 2026-07-20.
    ruled_b = CurrentClass(
        Grade.B, date(2026, 7, 20), date(2027, 7, 20), Ruling(Grade.C, date(2027, 7, 15))
    )
    kept = classify(C_FIGURES, ruled_b, NOTICE, POLICY, CAL)
    assert (kept.grade, kept.computed, kept.changed) == (Grade.B, Grade.C, False)
    assert kept.reasons[-1].code == "FX-RULED" and "until 2027-07-15" in kept.reasons[-1].text
    # Without the ruling the same figures raise B to C (the ordinary rule).
    plain = CurrentClass(Grade.B, date(2026, 7, 20), date(2027, 7, 20))
    assert classify(C_FIGURES, plain, NOTICE, POLICY, CAL).grade is Grade.C


def test_an_a_given_on_objection_to_b_holds_against_b_not_against_c() -> None:
    ruled_a = CurrentClass(Grade.A, date(2026, 7, 20), None, Ruling(Grade.B, date(2027, 7, 15)))
    kept = classify(B_FIGURES, ruled_a, NOTICE, POLICY, CAL)
    assert (kept.grade, kept.changed) == (Grade.A, False)
    assert kept.reasons[-1].code == "FX-RULED"
    # Figures stricter than the class objected to were not ruled on: a new C notice.
    raised = classify(C_FIGURES, ruled_a, NOTICE, POLICY, CAL)
    assert (raised.grade, raised.changed) == (Grade.C, True)
    assert raised.objection_deadline is not None


def test_the_ruling_ends_with_the_term_of_the_class_objected_to() -> None:
    ruled_a = CurrentClass(Grade.A, date(2026, 7, 20), None, Ruling(Grade.B, date(2026, 8, 17)))
    after = classify(B_FIGURES, ruled_a, NOTICE, POLICY, CAL)  # NOTICE is the last day: ended
    assert (after.grade, after.changed) == (Grade.B, True)
    assert all(r.code != "FX-RULED" for r in after.reasons)
