"""Trade statistics value imports CIF and exports FOB whatever the incoterm (DOMAIN.md:
"Values: export FOB, import CIF"): the statistical record of an item sold FOB and imported is
its price plus its share of freight and insurance, and the reverse for an export sold CIF."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from clearance.statistics.facts import border_values, facts_of
from edi.model import Amount, Declaration

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "edifact" / "expected"
DAY = date(2026, 6, 15)
USD = Decimal("7.10")


def _rate(currency: str, day: date) -> Decimal | None:
    return {"CNY": Decimal(1), "USD": USD}.get(currency)


def _sample(name: str, **changes: Any) -> Declaration:
    data = json.loads((SAMPLES / f"{name}.canonical.json").read_text(encoding="utf-8"))
    declaration = data["messages"][0]["declaration"]
    declaration.update(changes)
    return Declaration.model_validate(declaration)


def _values(declaration: Declaration) -> list[Decimal]:
    facts = facts_of(
        declaration, sender="S", office="2201", accepted_on=DAY, stat_date=DAY, rate=_rate
    )
    return [f.value_cny for f in facts]


def _prices(declaration: Declaration) -> list[Decimal]:
    return [i.value.value * USD for i in declaration.items if i.value is not None]


def test_an_import_sold_cif_is_counted_at_its_price() -> None:
    imported = _sample("01-import-d96b")
    assert imported.incoterm == "CIF"
    assert _values(imported) == _prices(imported)


def test_an_import_sold_fob_is_counted_cif_with_freight_and_insurance_allocated() -> None:
    imported = _sample(
        "01-import-d96b",
        incoterm="FOB",
        freight={"mark": "total", "value": "1000.00", "currency": "USD"},
        insurance={"mark": "rate", "value": "0.3"},
    )
    prices = _prices(imported)
    values = _values(imported)
    goods = sum(prices, Decimal(0))
    freight = Decimal(1000) * USD
    insurance = ((goods + freight) * Decimal("0.003")).quantize(Decimal("0.01"))
    assert sum(values, Decimal(0)) == goods + freight + insurance
    # allocated by value share: every item above its price, the dearest carrying the most
    added = [v - p for v, p in zip(values, prices, strict=True)]
    assert all(a > 0 for a in added)
    assert added.index(max(added)) == prices.index(max(prices))


def test_an_export_sold_cif_is_counted_fob() -> None:
    exported = _sample(
        "02-export-d99b-utf8",
        incoterm="CIF",
        freight={"mark": "total", "value": "2000.00", "currency": "USD"},
        insurance={"mark": "total", "value": "300.00", "currency": "USD"},
    )
    prices = _prices(exported)
    assert sum(_values(exported), Decimal(0)) == sum(prices, Decimal(0)) - Decimal(2300) * USD


def test_a_declared_statistical_value_wins() -> None:
    imported = _sample("01-import-d96b", incoterm="FOB", freight=None)
    first = imported.items[0].model_copy(
        update={"statistical_value": Amount(value=Decimal("123.45"), currency="CNY")}
    )
    declared = imported.model_copy(update={"items": [first, *imported.items[1:]]})
    assert _values(declared)[0] == Decimal("123.45")


def test_without_the_freight_an_fob_import_is_counted_at_its_price() -> None:
    """Valuing it CIF needs the freight; without it the declared totals are counted."""
    imported = _sample("01-import-d96b", incoterm="FOB", freight=None, insurance=None)
    assert border_values(imported, DAY, _rate) == (None,) * len(imported.items)
    assert _values(imported) == _prices(imported)
