"""FX indicators and classes, checked by hand against the policy (rules/fx/cn.json)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from rules.fx import Grade, MonthTotals, classify, compute_indicators, shipped_policy
from rules.fx.classify import CurrentClass
from rules.working_days import shipped_calendar

POLICY = shipped_policy()
THRESHOLD = POLICY.default  # ±30%, USD 500,000
CAL = shipped_calendar()
JUNE = date(2026, 6, 1)
NOTICE = date(2026, 7, 15)


def months(**by_month: MonthTotals) -> dict[date, MonthTotals]:
    return {date.fromisoformat(f"{k[1:5]}-{k[5:7]}-01"): v for k, v in by_month.items()}


def test_gap_ratio_and_friends_by_hand() -> None:
    # exports 2,000,000, imports 500,000, receipts 1,500,000, payments 400,000
    # gap = (500,000 + 1,500,000) - (2,000,000 + 400,000) = -400,000
    # gap ratio = -400,000 / 4,400,000 = -0.0909; funds-to-goods = 1,900,000 / 2,500,000 = 0.76
    i = compute_indicators(
        months(
            m202603=MonthTotals(
                Decimal(500000), Decimal(2000000), Decimal(1500000), Decimal(400000)
            )
        ),
        JUNE,
        POLICY,
        THRESHOLD,
    )
    assert i.total_gap == Decimal(-400000)
    assert i.gap_ratio == Decimal("-0.0909")
    assert i.funds_to_goods == Decimal("0.7600")
    assert i.receipt_ratio == Decimal("0.7500")
    assert not i.breach and not i.on_site_candidate
    assert (i.period_from, i.period_to) == (date(2025, 7, 1), JUNE)


def test_breach_needs_both_ratio_and_floor() -> None:
    # ratio -100% but the gap is only USD 100,000: under the floor, no breach.
    small = compute_indicators(
        months(m202606=MonthTotals(exports=Decimal(100000))), JUNE, POLICY, THRESHOLD
    )
    assert small.gap_ratio == Decimal("-1.0000") and not small.breach
    # exports 2,000,000, receipts 900,000: gap -1,100,000, ratio -0.3793: a breach,
    # 26.4% beyond the threshold (< 50%): B.
    b = compute_indicators(
        months(m202606=MonthTotals(exports=Decimal(2000000), receipts=Decimal(900000))),
        JUNE,
        POLICY,
        THRESHOLD,
    )
    assert b.breach and b.gap_ratio == Decimal("-0.3793") and b.deviation == Decimal("0.2643")
    assert b.consecutive_breaches == 1 and not b.on_site_candidate
    decision = classify(b, None, NOTICE, POLICY, CAL)
    assert decision.grade is Grade.B and [r.code for r in decision.reasons] == ["FX-B01"]
    assert decision.valid_until == date(2027, 7, 15)
    assert decision.objection_deadline == date(2026, 7, 24)  # 7 working days


def test_far_beyond_the_threshold_is_an_on_site_candidate() -> None:
    # exports 1,000,000, receipts 200,000: ratio -0.6667, 122% beyond the threshold: C.
    i = compute_indicators(
        months(m202606=MonthTotals(exports=Decimal(1000000), receipts=Decimal(200000))),
        JUNE,
        POLICY,
        THRESHOLD,
    )
    assert i.deviation == Decimal("1.2223") and i.large_deviation and i.on_site_candidate
    decision = classify(i, None, NOTICE, POLICY, CAL)
    assert decision.grade is Grade.C and [r.code for r in decision.reasons] == ["FX-C01"]


def test_four_consecutive_breaches_make_an_on_site_candidate() -> None:
    # The March shipment is inside the windows ending March, April, May and June: four
    # breaches in a row, each only 26% beyond the threshold.
    flows = months(m202603=MonthTotals(exports=Decimal(2000000), receipts=Decimal(900000)))
    june = compute_indicators(flows, JUNE, POLICY, THRESHOLD)
    assert june.consecutive_breaches == 4 and june.on_site_candidate
    assert not june.large_deviation
    assert classify(june, None, NOTICE, POLICY, CAL).reasons[0].code == "FX-C02"
    may = compute_indicators(flows, date(2026, 5, 1), POLICY, THRESHOLD)
    assert may.consecutive_breaches == 3 and not may.on_site_candidate


def test_b_and_c_last_a_year_and_are_not_lifted_early() -> None:
    good = compute_indicators(
        months(m202606=MonthTotals(exports=Decimal(1000000), receipts=Decimal(990000))),
        JUNE,
        POLICY,
        THRESHOLD,
    )
    held = CurrentClass(Grade.B, date(2026, 1, 10), date(2027, 1, 10))
    kept = classify(good, held, NOTICE, POLICY, CAL)
    assert kept.grade is Grade.B and kept.computed is Grade.A and not kept.changed
    assert kept.reasons[-1].code == "FX-HOLD"
    expired = CurrentClass(Grade.B, date(2025, 7, 1), date(2026, 7, 1))
    lifted = classify(good, expired, NOTICE, POLICY, CAL)
    assert lifted.grade is Grade.A and lifted.changed and lifted.objection_deadline is None
    same = classify(good, CurrentClass(Grade.A, date(2026, 1, 1), None), NOTICE, POLICY, CAL)
    assert not same.changed


def test_district_threshold_by_longest_office_prefix() -> None:
    assert POLICY.threshold("5316").gap_ratio == Decimal("0.25")
    assert POLICY.threshold("2201") == POLICY.default
    assert POLICY.threshold(None) == POLICY.default
