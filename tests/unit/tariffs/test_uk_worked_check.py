"""The public UK worked check (DOMAIN.md): value GBP 1000, duty 9.70% → 97.00; VAT 20% → 219.40."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from tariffs import RegimeProfile, Schedule, quote, select_regime


def test_uk_worked_check(uk_schedule: Schedule, eu: RegimeProfile) -> None:
    result = quote(
        uk_schedule,
        eu,
        code="4202921900",
        origin="CN",
        as_of=date(2026, 2, 2),
        value="1000",
        currency="GBP",
    )
    it = result.items[0]
    duty, vat = it.line("customs_duty"), it.line("vat")
    assert duty is not None
    assert vat is not None
    assert (duty.base, duty.amount, duty.expression) == (
        Decimal("1000.00"),
        Decimal("97.00"),
        "9.70%",
    )
    assert (vat.base, vat.amount) == (Decimal("1097.00"), Decimal("219.40"))
    assert result.total_payable == Decimal("316.40")
    assert result.currency == "GBP"
    json.dumps(result.model_dump())  # JSON-ready


def test_office_chooses_the_profile() -> None:
    assert select_regime(office="GB000060").id == "eu"
    assert select_regime(office="2201").id == "cn"
    assert select_regime().id == "cn"
    assert select_regime(name="eu", office="2201").id == "eu"
