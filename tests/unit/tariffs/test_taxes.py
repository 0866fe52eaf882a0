"""Duties and taxes per item (DOMAIN.md "Import VAT", "Consumption tax", exports)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tariffs import RegimeProfile, Schedule
from tests.unit.tariffs.builders import assess_one, build, item, measure, nomenclature, pct

D = Decimal


@pytest.fixture(scope="module")
def schedule() -> Schedule:
    lines = ["22089020", "22030000", "22089030", "08039000", "24022000", "72024100"]
    return build(
        [
            *nomenclature(*lines),
            measure("vat13", "vat", "22", pct("13")),
            measure("vat13t", "vat", "24", pct("13")),
            measure("vat9", "vat", "08", pct("9")),
            measure("a-mfn", "mfn", "22089020", pct("10")),
            measure("a-ct", "consumption_tax", "22089020", pct("20")),
            measure("b-mfn", "mfn", "22030000", pct("0")),
            measure(
                "b-ct",
                "consumption_tax",
                "22030000",
                [{"amount": "250", "currency": "CNY", "per": "t", "equivalents": {"l": "988"}}],
            ),
            measure("c-mfn", "mfn", "22089030", pct("10")),
            measure(
                "c-ct",
                "consumption_tax",
                "22089030",
                [{"percent": "20"}, {"amount": "0.50", "currency": "CNY", "per": "500ml"}],
            ),
            measure("d-mfn", "mfn", "08039000", pct("5")),
            measure("e-mfn", "mfn", "24022000", pct("25")),
            measure(
                "e-ct",
                "consumption_tax",
                "24022000",
                [{"percent": "56"}, {"amount": "0.003", "currency": "CNY", "per": "pce"}],
            ),
            measure("x-exp", "export_duty", "72024100", pct("40")),
            measure("x-prov", "export_provisional", "72024100", pct("20")),
            measure("x-reb", "export_rebate", "72024100", pct("13")),
        ]
    )


# rule, code, quantities, duty, consumption tax, VAT (customs value CNY 10,000)
CASES = [
    (
        "CT ad valorem = (value + duty) / (1 − r) × r; VAT = (value + duty + CT) × 13%",
        "2208902000",
        (),
        "1000.00",
        "2750.00",  # 11000 / 0.8 × 0.2
        "1787.50",  # 13750 × 13%
    ),
    (
        "CT specific = quantity × unit rate (988 l = 1 t at CNY 250/t)",
        "2203000000",
        (("988", "l"),),
        "0.00",
        "250.00",
        "1332.50",  # 10250 × 13%
    ),
    (
        "CT compound = (value + duty + q×s) / (1 − r) × r + q×s",
        "2208903000",
        (("100", "l"),),  # CNY 0.50 per 500 ml = CNY 100 on 100 l
        "1000.00",
        "2875.00",  # 11100 / 0.8 × 0.2 + 100
        "1803.75",  # (11000 + 2875) × 13%
    ),
    (
        "CT compound on 1,000-piece statutory units (cigarettes: per stick)",
        "2402200000",
        (("10", "1000pce"),),  # 10,000 sticks × 0.003 = 30
        "2500.00",
        "15977.27",  # (10000 + 2500 + 30) / (1 − 56%) × 56% + 30
        "3702.05",  # (10000 + 2500 + 15977.27) × 13%
    ),
    (
        "VAT 9% = (value + duty) × 9% when there is no CT",
        "0803900000",
        (),
        "500.00",
        None,
        "945.00",
    ),
]


@pytest.mark.parametrize(
    ("rule", "code", "quantities", "duty", "ct", "vat"), CASES, ids=[c[0] for c in CASES]
)
def test_duty_and_taxes(
    schedule: Schedule,
    cn: RegimeProfile,
    rule: str,
    code: str,
    quantities: tuple[tuple[str, str], ...],
    duty: str,
    ct: str | None,
    vat: str,
) -> None:
    it, _ = assess_one(schedule, cn, item(code, quantities=quantities))
    got = {ln.tax: ln.amount for ln in it.lines}
    assert got["customs_duty"] == D(duty), rule
    assert got.get("consumption_tax") == (D(ct) if ct else None), rule
    assert got["vat"] == D(vat), rule
    assert it.total == sum(got.values()), "the item total is the sum of its lines"


def test_consumption_tax_line_shows_the_composite_taxable_price(
    schedule: Schedule, cn: RegimeProfile
) -> None:
    it, _ = assess_one(schedule, cn, item("2208902000"))
    ct = it.line("consumption_tax")
    assert ct is not None
    assert ct.base == D("13750.00")  # (10000 + 1000) / (1 − 20%)
    assert ct.expression == "20%"


def test_missing_quantity_for_a_specific_tax_is_a_problem(
    schedule: Schedule, cn: RegimeProfile
) -> None:
    it, result = assess_one(schedule, cn, item("2203000000"))
    assert it.status == "not_assessable"
    assert "needs a quantity in mass or volume" in it.problems[0]
    assert result.total_payable == 0


def test_export_provisional_duty_and_rebate(schedule: Schedule, cn: RegimeProfile) -> None:
    """Rule: export value = FOB / (1 + t); a provisional export rate replaces the statutory one."""
    it, result = assess_one(
        schedule, cn, item("7202410000", value="12000"), direction="export", incoterm="FOB"
    )
    assert it.rate is not None
    assert it.rate.measure_id == "x-prov"
    assert it.value is not None
    assert it.value.customs_value == D("10000.00")  # 12000 / 1.2
    assert it.lines[0].amount == D("2000.00")
    assert it.rebate is not None
    assert it.rebate.amount == D("1560.00")  # FOB 12000 × 13%
    assert result.total_payable == D("2000.00"), "the rebate is not a tax payable"
    assert [a.measure_id for a in it.alternatives] == ["x-exp"]


def test_eu_excise_is_not_grossed_up(uk_schedule: Schedule, eu: RegimeProfile) -> None:
    """EU profile: excise = expression on its quantity; VAT on value + duty + excise."""
    it, _ = assess_one(
        uk_schedule,
        eu,
        item("2204219300", value="1000", currency="GBP", quantities=(("100", "l"),)),
        on=date(2026, 2, 2),
    )
    got = {ln.tax: ln.amount for ln in it.lines}
    assert got == {"customs_duty": D("99.00"), "excise": D("267.00"), "vat": D("273.20")}
