"""Primary disclosure control: which cells could reveal one trader's figures.

The unit is the trader. A cell with a value is confidential when fewer than ``min_traders``
contribute (threshold rule), when the largest holds more than ``dominance`` of it (NK(1,75)),
or under the p% rule: when the cell minus its two largest contributions is less than p% of
the largest, so that the second largest could estimate the largest to within p%. A trader
with an accepted confidentiality request makes every interior cell it contributes to
confidential (``Grid.requested``). Zero cells
are never confidential. Integer arithmetic throughout: no rounding decides a cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from clearance.statistics.cube import BoolArray, Grid


@dataclass(frozen=True)
class Rules:
    """Disclosure rules and the protection the audit demands (docs/statistics.md)."""

    min_traders: int = 3
    dominance_percent: int = 75
    p_percent: int = 10
    #: A confidential cell's value must stay uncertain by at least this share either way.
    protection: Decimal = Decimal("0.10")


def primary(grid: Grid, rules: Rules = Rules()) -> BoolArray:
    """Cells (margins included) that the rules make confidential."""
    total = grid.sums["value_cny"]
    top1, top2 = grid.top1, grid.top2
    has_value = total > 0
    few = grid.traders < rules.min_traders
    dominated = top1 * 100 > total * rules.dominance_percent
    p_rule = (total - top1 - top2) * 100 < top1 * rules.p_percent
    requested = grid.requested if grid.requested is not None else np.zeros_like(has_value)
    return np.asarray(has_value & (few | dominated | p_rule | requested), np.bool_)


def reasons(grid: Grid, rules: Rules = Rules()) -> list[list[str]]:
    """For each cell (row-major), the rules it fails: ``threshold``, ``dominance``, ``p%``,
    ``request`` (a contributor's accepted confidentiality request)."""
    total = grid.sums["value_cny"].ravel()
    requested = (
        grid.requested.ravel().tolist() if grid.requested is not None else [False] * len(total)
    )
    traders, top1, top2 = grid.traders.ravel(), grid.top1.ravel(), grid.top2.ravel()
    out: list[list[str]] = []
    for t, n, a, b, asked in zip(total, traders, top1, top2, requested, strict=True):
        why: list[str] = []
        if t > 0:
            if n < rules.min_traders:
                why.append("threshold")
            if a * 100 > t * rules.dominance_percent:
                why.append("dominance")
            if (t - a - b) * 100 < a * rules.p_percent:
                why.append("p%")
            if asked:
                why.append("request")
        out.append(why)
    return out
