"""Rounding (0.01 half-up, per profile) and de minimis per consignment (DOMAIN.md)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tariffs import RegimeProfile, Schedule, assess_declaration
from tariffs.regimes import Rounding
from tests.unit.tariffs.builders import assess_one, build, item, measure, nomenclature, pct, request

D = Decimal


@pytest.fixture(scope="module")
def schedule() -> Schedule:
    return build(
        [
            *nomenclature("01012100", "22042100"),
            measure("mfn", "mfn", "01012100", pct("10")),
            measure("vat", "vat", "01", pct("9")),
            measure("wine", "mfn", "22042100", pct("5")),
            measure("vat22", "vat", "22", pct("13")),
            {"kind": "rate", "currency": "USD", "rate": "7", "valid_from": "2026-01-01"},
        ]
    )


ROUNDING = [
    (
        "customs value rounds half up: 12.345 → 12.35, duty 1.235 → 1.24",
        "12.345",
        "CNY",
        "12.35",
        "1.24",
    ),
    ("below half rounds down: 12.344 → 12.34, duty 1.234 → 1.23", "12.344", "CNY", "12.34", "1.23"),
    ("conversion then rounding: USD 1.005 × 7 = 7.035 → 7.04", "1.005", "USD", "7.04", "0.70"),
]


@pytest.mark.parametrize(
    ("rule", "value", "currency", "customs_value", "duty"), ROUNDING, ids=[r[0] for r in ROUNDING]
)
def test_rounding_half_up(
    schedule: Schedule,
    cn: RegimeProfile,
    rule: str,
    value: str,
    currency: str,
    customs_value: str,
    duty: str,
) -> None:
    it, _ = assess_one(schedule, cn, item("0101210000", value=value, currency=currency))
    assert it.customs_value == D(customs_value), rule
    assert it.lines[0].amount == D(duty), rule


def test_rounding_mode_is_profile_data(schedule: Schedule, cn: RegimeProfile) -> None:
    down = cn.model_copy(update={"rounding": Rounding(mode="ROUND_DOWN")})
    it, _ = assess_one(schedule, down, item("0101210000", value="12.35"))
    assert it.lines[0].amount == D("1.23")  # 1.235 rounded down


DE_MINIMIS = [
    ("duty 49.99 is under CNY 50: exempt", "499.90", "49.99", "0"),
    ("duty of exactly CNY 50 is exempt (50元以下 includes 50)", "500.00", "50.00", "0"),
    ("duty 50.01 is payable", "500.10", "50.01", "50.01"),
]


@pytest.mark.parametrize(
    ("rule", "value", "assessed", "payable"), DE_MINIMIS, ids=[d[0] for d in DE_MINIMIS]
)
def test_de_minimis_edges(
    schedule: Schedule, cn: RegimeProfile, rule: str, value: str, assessed: str, payable: str
) -> None:
    _, result = assess_one(schedule, cn, item("0101210000", value=value))
    duty = result.total("customs_duty")
    assert duty is not None
    assert (duty.assessed, duty.payable) == (D(assessed), D(payable)), rule
    assert (duty.relief is not None) is (payable == "0"), rule


def test_de_minimis_is_per_consignment_not_per_item(schedule: Schedule, cn: RegimeProfile) -> None:
    items = (
        item("0101210000", value="300", sequence=1),
        item("0101210000", value="300", sequence=2),
    )
    result = assess_declaration(request(*items), schedule, cn)
    duty = result.total("customs_duty")
    assert duty is not None
    assert (duty.assessed, duty.payable) == (D("60.00"), D("60.00"))  # 30 + 30 > 50


def test_de_minimis_is_per_tax(schedule: Schedule, cn: RegimeProfile) -> None:
    # value 400 at 10%: duty 40.00 and VAT 9% of 440 = 39.60, both within CNY 50
    _, small = assess_one(schedule, cn, item("0101210000", value="400"))
    assert small.total_payable == 0
    assert small.total_assessed == D("79.60")
    # value 900 at 5%: duty 45.00 exempt; VAT 13% of 945 = 122.85 payable
    _, mixed = assess_one(schedule, cn, item("2204210000", value="900"))
    duty, vat = mixed.total("customs_duty"), mixed.total("vat")
    assert duty is not None
    assert vat is not None
    assert (duty.payable, vat.payable) == (D(0), D("122.85"))


def test_zero_duty_is_not_called_relief(schedule: Schedule, cn: RegimeProfile) -> None:
    s = build([*nomenclature("01012100"), measure("mfn", "mfn", "01012100", pct("0"))])
    _, result = assess_one(s, cn, item("0101210000"))
    duty = result.total("customs_duty")
    assert duty is not None
    assert duty.relief is None


def test_eu_relief_by_consignment_value(uk_schedule: Schedule, eu: RegimeProfile) -> None:
    """EU profile: intrinsic value up to EUR 150 relieves customs duty, not VAT."""
    on = date(2026, 2, 2)
    _, small = assess_one(
        uk_schedule, eu, item("6109100010", origin="US", value="100", currency="GBP"), on=on
    )
    duty, vat = small.total("customs_duty"), small.total("vat")
    assert duty is not None
    assert vat is not None
    assert (duty.assessed, duty.payable, vat.payable) == (D("12.00"), D(0), D("22.40"))
    _, big = assess_one(
        uk_schedule, eu, item("6109100010", origin="US", value="200", currency="GBP"), on=on
    )
    assert big.total_payable == big.total_assessed


def test_eu_relief_excludes_alcohol(uk_schedule: Schedule, eu: RegimeProfile) -> None:
    it = item("2204219300", origin="US", value="100", currency="GBP", quantities=(("10", "l"),))
    _, result = assess_one(uk_schedule, eu, it, on=date(2026, 2, 2))
    assert result.total_payable == result.total_assessed


@pytest.mark.parametrize(
    ("value", "relieved"), [("130.00", True), ("135.00", True), ("140.00", False)]
)
def test_a_gbp_schedule_uses_the_uk_amount_in_gbp(
    uk_schedule: Schedule, eu: RegimeProfile, value: str, relieved: bool
) -> None:
    """The EU/UK profile's low-value relief is GBP 135 on a GBP schedule (not EUR 150 converted)."""
    _, result = assess_one(uk_schedule, eu, item("4202921900", value=value, currency="GBP"))
    duty = next(t for t in result.totals if t.tax == "customs_duty")
    assert duty.assessed > 0
    assert (duty.payable == 0) is relieved, duty
    if relieved:
        assert "GBP 135.00" in (duty.relief or "") and "EUR" not in (duty.relief or "")
