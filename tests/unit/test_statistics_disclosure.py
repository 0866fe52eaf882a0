"""Disclosure control on hand-made cells: the primary rules, complements and the LP audit."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from clearance.statistics.columns import from_records
from clearance.statistics.cube import Query, crosstab
from clearance.statistics.disclosure import Rules, primary, reasons
from clearance.statistics.protection import audit_table, grid_lines, protect


def _facts(cells: dict[tuple[str, str], list[tuple[str, int]]]) -> list[dict[str, Any]]:
    """(hs, partner) → [(trader, value in cents)] as fact records, one item each."""
    out = []
    for (hs, partner), contributions in cells.items():
        for trader, cents in contributions:
            out.append(
                {
                    "flow": "M",
                    "hs": hs,
                    "partner": partner,
                    "trader": trader,
                    "value_cny": cents,
                    "period": 202610,
                }
            )
    return out


def _one_way(contributions: list[tuple[str, int]]) -> Any:
    cols = from_records(_facts({("01011000", "AU"): contributions}))
    return crosstab(cols, Query(rows="partner"))


def test_threshold_rule_two_traders_is_confidential_three_is_not() -> None:
    two = _one_way([("A", 500), ("B", 500)])
    three = _one_way([("A", 300), ("B", 300), ("C", 300)])
    assert primary(two)[0, 0]
    assert "threshold" in reasons(two)[0]
    assert not primary(three)[0, 0]


def test_dominance_rule_one_trader_over_75_percent() -> None:
    # 3 traders, the largest 76 %: dominance (and the p% rule: 24 - 12 = 12 >= 7.6, passes).
    dominated = _one_way([("A", 7600), ("B", 1200), ("C", 1200)])
    assert reasons(dominated)[0] == ["dominance"]
    even = _one_way([("A", 7400), ("B", 1300), ("C", 1300)])
    assert reasons(even)[0] == []


def test_p_percent_rule_the_second_largest_could_estimate_the_largest() -> None:
    # Others beyond the top two hold 5 < 10 % of the largest (60): p% fails, dominance not.
    cell = _one_way([("A", 6000), ("B", 3500), ("C", 300), ("D", 200)])
    assert reasons(cell)[0] == ["p%"]
    # Remainder 700 > 10 % of 6000: safe.
    safe = _one_way([("A", 6000), ("B", 3000), ("C", 400), ("D", 300), ("E", 300)])
    assert reasons(safe)[0] == []


def test_one_traders_many_items_count_once() -> None:
    cell = _one_way([("A", 100), ("A", 100), ("A", 100), ("B", 100)])
    assert int(cell.traders[0, 0]) == 2
    assert int(cell.top1[0, 0]) == 300


def test_zero_cells_are_not_confidential() -> None:
    cols = from_records(
        _facts({("0101", "AU"): [("A", 0)], ("0102", "AU"): [(t, 1000) for t in "ABCD"]})
    )
    grid = crosstab(cols, Query(rows="hs4"))
    assert not primary(grid)[0, 0]


def _table() -> Any:
    """hs4 × partner: one confidential cell (0102, NZ: one trader) in a 3 × 3 table."""
    many = [(t, 10_000) for t in "CDEFG"]
    cells = {(hs, p): list(many) for hs in ("0101", "0102", "0103") for p in ("AU", "NZ", "US")}
    cells[("0102", "NZ")] = [("A", 50_000)]
    return crosstab(from_records(_facts(cells)), Query(rows="hs4", columns="partner"))


def test_an_unprotected_table_fails_the_audit() -> None:
    grid = _table()
    confidential = primary(grid).ravel()
    assert confidential.sum() == 1  # only the single trader's cell
    values = grid.sums["value_cny"].ravel() / 100
    lines = grid_lines(grid.shape, two_way=True)
    # Suppressing only the confidential cell: its row total gives it away exactly.
    audit = audit_table(values, confidential, confidential.copy(), lines, 0.10)
    assert not audit.passed
    (failure,) = audit.failures
    assert failure.low == pytest.approx(500.0) and failure.high == pytest.approx(500.0)


def test_secondary_suppression_passes_the_audit_and_keeps_totals() -> None:
    grid = _table()
    confidential = primary(grid).ravel()
    values = grid.sums["value_cny"].ravel() / 100
    lines = grid_lines(grid.shape, two_way=True)
    suppressed, audit = protect(values, confidential, lines, 0.10)
    assert audit.passed and audit.checked == 1
    assert suppressed.sum() >= 4  # a rectangle at least: cell, row and column complements
    width = grid.shape[1]
    margins = [i * width + width - 1 for i in range(grid.shape[0])]
    margins += [(grid.shape[0] - 1) * width + j for j in range(width)]
    assert not suppressed[margins].any()  # totals stay published and exact
    # The audit is real: drop any one complement and it fails.
    for cell in np.flatnonzero(suppressed & ~confidential):
        weaker = suppressed.copy()
        weaker[cell] = False
        assert not audit_table(values, confidential, weaker, lines, 0.10).passed


def test_rules_are_settings() -> None:
    two = _one_way([("A", 500), ("B", 500)])
    assert not primary(two, Rules(min_traders=2, dominance_percent=90, p_percent=0))[0, 0]
