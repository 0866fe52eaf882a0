"""Quantities add up only in one unit: a cell whose facts state their statutory quantity in
kilograms and in pieces shows no quantity (its unit is ``mixed``), a cell of one unit shows the
sum with that unit, margins and HS subtotals included."""

from __future__ import annotations

from typing import Any

from clearance.statistics import columns
from clearance.statistics.cube import MIXED_UNITS, Query, crosstab, with_subtotals
from clearance.statistics.disclosure import Rules
from clearance.statistics.formats import cell_json, to_csv
from clearance.statistics.published import Cell, protect_grid


def _fact(hs: str, partner: str, quantity: int, unit: str, trader: str) -> dict[str, Any]:
    return {
        "flow": "M",
        "period": 202606,
        "hs": hs,
        "partner": partner,
        "trader": trader,
        "value_cny": 100_000,
        "value_usd": 14_000,
        "quantity1": quantity * 1000,
        "unit1": unit,
    }


FACTS = [
    _fact("8471300000", "DE", 10, "NAR", "T1"),  # laptops in pieces
    _fact("8471300000", "DE", 5, "NAR", "T2"),
    _fact("8471300000", "JP", 7, "NAR", "T3"),
    _fact("8471500000", "DE", 300, "KGM", "T4"),  # a line counted in kilograms
    _fact("0901210000", "BR", 2000, "KGM", "T5"),  # coffee, a quantity2-less line
]


def _cells(query: Query) -> dict[tuple[str, str], Cell]:
    cols = columns.from_records(FACTS)
    table = protect_grid(crosstab(cols, query), query, 0, False, Rules(), 0.0)
    return {(c.row, c.column): c for c in table.cells}


def test_a_cell_of_one_unit_sums_its_quantity_in_that_unit() -> None:
    cells = _cells(Query("hs10", "partner"))
    laptops = cells["8471300000", "DE"]
    assert (str(laptops.quantity1), laptops.unit1) == ("15.000", "NAR")
    assert laptops.unit_value_usd is not None
    assert cells["8471300000", "_T"].unit1 == "NAR"  # its row margin: one unit too
    assert str(cells["8471300000", "_T"].quantity1) == "22.000"
    assert cells["0901210000", "BR"].unit2 is None  # no second quantity stated


def test_kilograms_and_pieces_are_not_added() -> None:
    cells = _cells(Query("hs10", "partner"))
    germany = cells["_T", "DE"]  # laptops in pieces + a line in kilograms
    assert germany.unit1 == MIXED_UNITS
    assert germany.quantity1 is None and germany.unit_value_usd is None
    assert germany.value_cny is not None  # the value still adds up
    total = cells["_T", "_T"]
    assert total.unit1 == MIXED_UNITS and total.quantity1 is None
    assert cells["8471500000", "DE"].unit1 == "KGM"


def test_hs_subtotals_carry_the_unit_of_their_children() -> None:
    levels = [crosstab(columns.from_records(FACTS), Query(axis)) for axis in ("hs10", "hs4")]
    grid = with_subtotals(levels)
    units = dict(zip([*grid.row_labels, "_T"], grid.units["quantity1"][:, 0], strict=True))
    assert units["8471"] == MIXED_UNITS and units["0901"] == "KGM"
    assert units["8471300000"] == "NAR"


def test_the_unit_is_published_beside_its_quantity() -> None:
    query = Query("hs10")
    cols = columns.from_records(FACTS)
    table = protect_grid(crosstab(cols, query), query, 0, False, Rules(), 0.0)
    header = to_csv(table).splitlines()[0].split(",")
    assert header[header.index("quantity1") + 1] == "unit1"
    laptops = next(c for c in table.cells if c.row == "8471300000")
    assert cell_json(laptops, False)["unit1"] == "NAR"
