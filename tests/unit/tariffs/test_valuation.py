"""Customs value from the incoterm (DOMAIN.md "Customs value"; docs/duties.md "Valuation")."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from tariffs import Charge, RegimeProfile, Schedule, assess_declaration
from tariffs.valuation import allocate, export_customs_value
from tests.unit.tariffs.builders import build, item, measure, nomenclature, pct, request

D = Decimal
ON = date(2026, 3, 2)


@pytest.fixture(scope="module")
def schedule() -> Schedule:
    """One line at 10% MFN, VAT 13%, USD at 7 CNY, and an export-duty line at 25%."""
    return build(
        [
            *nomenclature("01012100", "72011000"),
            measure("m-mfn", "mfn", "01012100", pct("10")),
            measure("m-vat", "vat", "01", pct("13")),
            measure("x-exp", "export_duty", "72011000", pct("25")),
            {"kind": "rate", "currency": "USD", "rate": "7", "valid_from": "2026-01-01"},
        ]
    )


def value_of(schedule: Schedule, regime: RegimeProfile, **kw: Any) -> D:
    it = item("0101210000", value="1000", currency="USD")
    result = assess_declaration(request(it, on=ON, **kw), schedule, regime)
    v = result.items[0].value
    assert v is not None, result.items[0].problems
    return v.customs_value


# rule, incoterm, freight, insurance, other, expected CIF value in CNY (goods USD 1000 = CNY 7000)
CASES = [
    ("CIF: the price is the value", "CIF", None, None, None, "7000.00"),
    (
        "CIF with other charges (杂费): price + other",
        "CIF",
        None,
        None,
        Charge.amount("10", "USD"),
        "7070.00",
    ),
    (
        "CFR: + insurance 3‰ of (goods + freight) when unknown; a CFR price holds the freight",
        "CFR",
        None,
        None,
        None,
        "7021.00",
    ),
    ("CFR with declared insurance amount", "CFR", None, Charge.amount("5", "USD"), None, "7035.00"),
    (
        "FOB: + freight + insurance 3‰ of (goods + freight)",
        "FOB",
        Charge.amount("100", "USD"),
        None,
        None,
        # 7000 + 700 + (7700 × 0.003 = 23.10)
        "7723.10",
    ),
    (
        "FOB, rates: freight % of goods; insurance % of goods + freight",
        "FOB",
        Charge.percent("5"),
        Charge.percent("0.5"),
        None,
        # 7000 + 350 + 7350 × 0.005 = 36.75
        "7386.75",
    ),
    (
        "EXW: + inland costs (other charges) + freight + insurance",
        "EXW",
        Charge.amount("100", "USD"),
        Charge.amount("3", "USD"),
        Charge.amount("20", "USD"),
        "7861.00",
    ),
    ("C&F is CFR", "C&F", None, None, None, "7021.00"),
]


@pytest.mark.parametrize(
    ("rule", "incoterm", "freight", "insurance", "other", "expected"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_import_value(
    schedule: Schedule,
    cn: RegimeProfile,
    rule: str,
    incoterm: str,
    freight: Charge | None,
    insurance: Charge | None,
    other: Charge | None,
    expected: str,
) -> None:
    value = value_of(
        schedule, cn, incoterm=incoterm, freight=freight, insurance=insurance, other=other
    )
    assert value == D(expected), rule


def test_fob_without_freight_is_not_assessable(schedule: Schedule, cn: RegimeProfile) -> None:
    result = assess_declaration(request(item("0101210000"), incoterm="FOB"), schedule, cn)
    assert result.items[0].status == "not_assessable"
    assert "freight is needed" in result.items[0].problems[0]


def test_eu_profile_adds_no_default_insurance(schedule: Schedule, eu: RegimeProfile) -> None:
    # The EU profile has no 3‰ rule; EU profile's base types do not include mfn first but do.
    result = assess_declaration(
        request(item("0101210000", value="1000", currency="USD"), incoterm="CFR"), schedule, eu
    )
    assert result.items[0].value is not None
    assert result.items[0].value.insurance == D("0.00")


def test_per_tonne_freight_uses_gross_mass(schedule: Schedule, cn: RegimeProfile) -> None:
    freight = Charge(mark="per_unit", value=D("20"), currency="USD")
    value = value_of(schedule, cn, incoterm="FOB", freight=freight, gross_mass_kg=D("2500"))
    # freight USD 20/t × 2.5 t × 7 = 350; insurance 3‰ of 7350 = 22.05
    assert value == D("7372.05")


def test_freight_allocated_by_value_share_remainder_to_last(
    schedule: Schedule, cn: RegimeProfile
) -> None:
    """Rule: shares rounded, the last item takes the remainder so the items add up."""
    items = tuple(
        item("0101210000", value=v, currency="CNY", sequence=n)
        for n, v in enumerate(("100", "100", "100"), start=1)
    )
    result = assess_declaration(
        request(
            *items,
            incoterm="FOB",
            freight=Charge.amount("100", "CNY"),
            insurance=Charge.amount("0", "CNY"),
        ),
        schedule,
        cn,
    )
    freights = [i.value.freight for i in result.items if i.value is not None]
    assert freights == [D("33.33"), D("33.33"), D("33.34")]
    assert sum(freights) == D(100)


def test_allocate_sums_to_total_and_handles_zero_weights() -> None:
    cent, up = D("0.01"), ROUND_HALF_UP
    assert allocate(D("10.00"), [D(1), D(2)], cent, up) == (D("3.33"), D("6.67"))
    assert allocate(D("10.00"), [D(0), D(0), D(0)], cent, up) == (D("3.33"), D("3.33"), D("3.34"))
    assert allocate(D("7.00"), [D(5)], cent, up) == (D("7.00"),)


def test_export_value_is_fob_over_one_plus_rate(schedule: Schedule, cn: RegimeProfile) -> None:
    """Rule (DOMAIN.md): exports: value = FOB / (1 + export duty rate)."""
    result = assess_declaration(
        request(
            item("7201100000", value="1000", currency="USD"), incoterm="FOB", direction="export"
        ),
        schedule,
        cn,
    )
    it = result.items[0]
    assert it.value is not None
    assert it.value.customs_value == D("5600.00")  # 7000 / 1.25
    assert it.lines[0].amount == D("1400.00")  # 5600 × 25%
    assert export_customs_value(D(7000), D("0.25")) == D(5600)


def test_export_cif_takes_out_freight_and_insurance(schedule: Schedule, cn: RegimeProfile) -> None:
    result = assess_declaration(
        request(
            item("7201100000", value="1100", currency="USD"),
            incoterm="CIF",
            direction="export",
            freight=Charge.amount("80", "USD"),
            insurance=Charge.amount("20", "USD"),
        ),
        schedule,
        cn,
    )
    v = result.items[0].value
    assert v is not None
    assert v.goods - v.freight - v.insurance == D("7000.00")  # FOB
    assert v.customs_value == D("5600.00")
