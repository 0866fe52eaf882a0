"""Linked tables: two cross-tabs sharing margins (partner × trade mode, partner × office over
the same facts). Each protected alone passes its own audit, yet together they narrow a
confidential cell; protected together (the second with the first's published pattern), the
audit over both passes."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest

from clearance.statistics import columns, linked
from clearance.statistics.cube import Query, crosstab
from clearance.statistics.disclosure import Rules
from clearance.statistics.protection import (
    Audit,
    Line,
    ProtectionError,
    audit_table,
    protect,
)
from clearance.statistics.published import Pattern, Table, protect_grid

FIRST = Query(rows="partner", columns="trade_mode")
SECOND = Query(rows="partner", columns="office")


def _facts(seed: int = 52) -> columns.Columns:
    """A small month of imports where separate protection leaks (found by a seeded search)."""
    rng = random.Random(seed)
    partners = ["CN", "DE", "JP", "US", "KR"][: rng.randint(3, 5)]
    modes = ["0110", "0214", "0615"][: rng.randint(2, 3)]
    records: list[dict[str, Any]] = []
    for i in range(rng.randint(15, 40)):
        records.append(
            {
                "id": i + 1,
                "period": 202501,
                "flow": "M",
                "partner": rng.choice(partners),
                "trade_mode": rng.choice(modes),
                "office": rng.choice(["2201", "2202", "2203"]),
                "trader": f"T{rng.randint(1, 8)}",
                "value_cny": rng.choice([1, 5, 20, 100, 500, 3000]) * 100 * rng.randint(1, 9),
                "seq": i + 1,
            }
        )
    return columns.from_records(records)


def _protect(query: Query, published: list[linked.Published] | None = None) -> Pattern:
    table: Table = protect_grid(crosstab(_facts(), query), query, 0, True, Rules(), 0.0, published)
    assert table.audit.passed and table.pattern is not None
    return table.pattern


def _audit_both(first: Pattern, second: Pattern) -> Audit:
    """The audit over both tables as an attacker holding both sees them."""
    published = linked.as_published(first.grid, first.suppressed, first.confidential, first.lines)
    cents = second.grid.sums["value_cny"].ravel()
    system = linked.join(
        linked.grid_keys(second.grid),
        cents.tolist(),
        cents.astype(np.float64) / 100,
        second.confidential,
        second.lines,
        [published],
    )
    hidden = system.suppressed.copy()
    hidden[: system.own] |= second.suppressed
    return audit_table(system.values, system.confidential, hidden, system.lines, 0.10)


def test_two_linked_tables_protected_separately_leak() -> None:
    first, second = _protect(FIRST), _protect(SECOND)
    audit = _audit_both(first, second)
    assert not audit.passed
    narrowed = audit.failures[0]
    assert narrowed.high < narrowed.value * 1.10 or narrowed.low > narrowed.value * 0.90


def test_protected_together_they_do_not() -> None:
    first = _protect(FIRST)
    published = linked.as_published(first.grid, first.suppressed, first.confidential, first.lines)
    second = _protect(SECOND, [published])
    assert _audit_both(first, second).passed
    # The shared margins keep the first table's pattern: hidden there, hidden here.
    hidden_first = {k for k, s in zip(published.keys, published.suppressed, strict=True) if s}
    second_keys = linked.grid_keys(second.grid)
    for key, hidden in zip(second_keys, second.suppressed.tolist(), strict=True):
        if key in hidden_first:
            assert hidden


def test_a_cell_already_public_is_never_chosen_as_a_complement() -> None:
    # One line a + b + c = total; a is confidential; b is public elsewhere (frozen).
    values = np.array([100.0, 500.0, 40.0, 640.0])
    confidential = np.array([True, False, False, False])
    lines: list[Line] = [(3, (0, 1, 2))]
    frozen = np.array([False, True, False, False])
    suppressed, audit = protect(values, confidential, lines, 0.10, frozen=frozen)
    assert audit.passed and not suppressed[1] and suppressed[2]
    # With every other cell public the confidential one follows: refused, not published.
    with pytest.raises(ProtectionError):
        protect(values, confidential, lines, 0.10, frozen=np.array([False, True, True, True]))


def test_a_solver_that_does_not_finish_fails_the_audit(monkeypatch: pytest.MonkeyPatch) -> None:
    """A non-optimal solve (time or iteration limit) is never taken as protection."""
    from clearance.statistics import protection

    class Unfinished:
        status = 1  # iteration / time limit
        x = np.zeros(0)

    monkeypatch.setattr(protection, "linprog", lambda *a, **k: Unfinished())
    # Two lines sharing suppressed cells: needs linear programs, no one-line shortcut.
    values = np.array([100.0, 200.0, 300.0, 150.0, 250.0, 400.0, 250.0, 450.0, 700.0])
    confidential = np.zeros(9, bool)
    confidential[0] = True
    suppressed = np.zeros(9, bool)
    suppressed[[0, 1, 3, 4]] = True
    lines = protection.grid_lines((3, 3), True)
    audit = audit_table(values, confidential, suppressed, lines, 0.10)
    assert not audit.passed
