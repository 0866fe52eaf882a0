"""The widening loop for linked systems (clearance/statistics/linked_protection.py): what
makes it faster than one largest cell per failing cell per round, and why it keeps the
audit's guarantee."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import numpy as np

from clearance.statistics import linked_protection, protection
from clearance.statistics.protection import FloatArray, Line, audit_table, grid_lines, protect


def _grid(interior: list[list[float]]) -> tuple[FloatArray, list[Line]]:
    """A two-way table with its margins, row-major, and its lines."""
    rows = [[*r, sum(r)] for r in interior]
    rows.append([sum(c) for c in zip(*rows, strict=True)])
    values = np.array([v for r in rows for v in r], np.float64)
    return values, grid_lines((len(rows), len(rows[0])), True)


def test_hiding_more_cells_never_narrows_a_cell() -> None:
    """What lets the loop keep a proof across rounds: protection only adds suppressions, and
    a pattern's witnesses stay witnesses of any larger pattern. On random tables and
    patterns, no cell that passes fails once more cells are hidden."""
    rng = random.Random(3)
    for _ in range(40):
        interior = [[float(rng.choice([0, 1, 5, 20, 300])) for _ in range(4)] for _ in range(3)]
        values, lines = _grid(interior)
        confidential = np.zeros(len(values), np.bool_)
        confidential[rng.sample(range(len(values)), 2)] = True
        confidential &= values > 0
        hidden = confidential | (np.array([rng.random() < 0.3 for _ in values]))
        more = hidden | np.array([rng.random() < 0.3 for _ in values])
        before = {f.cell for f in audit_table(values, confidential, hidden, lines, 0.10).failures}
        after = {f.cell for f in audit_table(values, confidential, more, lines, 0.10).failures}
        assert after <= before


def test_a_side_proved_is_not_audited_again() -> None:
    values, lines = _grid([[10, 50, 1000], [12, 48, 900]])
    confidential = np.zeros(len(values), np.bool_)
    confidential[0] = True
    hidden = np.zeros(len(values), np.bool_)
    hidden[[0, 1, 4, 5]] = True  # a rectangle: the cell moves by 12 either way
    proven: tuple[set[int], set[int]] = (set(), set())
    failures, checked, solved = linked_protection._audit(
        values, confidential, hidden, lines, 0.10, {}, proven
    )
    assert not failures and checked == 1 and solved > 0
    assert proven == ({0}, {0})
    failures, _, solved = linked_protection._audit(
        values, confidential, hidden, lines, 0.10, {}, proven
    )
    assert not failures and solved == 0


def test_a_confidential_cell_alone_in_its_link_gets_a_complement_before_any_audit() -> None:
    # A published quarter cell (public, frozen) = a two-month cell (open) + a March cell
    # (confidential, hidden by nobody's publication): the March cell is the difference.
    values = np.array([100.0, 60.0, 40.0])
    confidential = np.array([False, False, True])
    hidden = np.array([False, False, True])
    frozen = np.array([True, False, False])
    links: list[Line] = [(0, (1, 2))]
    linked_protection._complete_all(values, confidential, hidden, [], links, 0.10, frozen)
    assert hidden.tolist() == [False, True, True]


def test_a_failing_cell_is_repaired_by_what_its_program_says_binds() -> None:
    """The confidential cell (10) can only rise by what its rectangle partner (0.5) can
    give: 10.5, short of 11. Widening by the largest open cell of its lines hides thousands
    (row totals and the 1,000s); the failing program's duals point at the cells that bind,
    the column totals, worth a hundred together, and the result passes the audit."""
    values, lines = _grid([[10, 50, 1000], [0.5, 48, 900]])
    confidential = np.zeros(len(values), np.bool_)
    confidential[0] = True
    start = np.zeros(len(values), np.bool_)
    start[[0, 1, 4, 5]] = True
    assert not audit_table(values, confidential, start, lines, 0.10).passed
    none = np.zeros(len(values), np.bool_)
    hidden, audit = linked_protection.protect_linked(
        values, confidential, lines, 0.10, suppressed=start, frozen=none, links=[]
    )
    assert audit.passed and audit_table(values, confidential, hidden, lines, 0.10).passed
    added = float(values[hidden & ~start].sum())
    widened, _ = protect(values, confidential, lines, 0.10, suppressed=start, frozen=none)
    assert added < 200 < float(values[widened & ~start].sum())


def test_widening_with_the_lines_by_cell_hides_what_scanning_every_line_would() -> None:
    """protection._widen looks a cell's lines up (lines_by_cell) instead of scanning every
    line at every step, as it did before linked systems of thousands of lines used it: the
    same cell as the scan (written out here) on random tables and patterns."""
    rng = random.Random(5)
    for _ in range(60):
        interior = [[float(rng.choice([0, 1, 5, 20, 300])) for _ in range(5)] for _ in range(4)]
        values, lines = _grid(interior)
        hidden = np.array([rng.random() < 0.4 for _ in values])
        frozen = np.array([rng.random() < 0.3 for _ in values]) & ~hidden
        cell = int(rng.choice(np.flatnonzero(hidden))) if hidden.any() else 0
        hidden[cell] = True
        scanned, looked_up = hidden.copy(), hidden.copy()
        near = protection.lines_by_cell(lines)
        hid_scanned = _widened(_widen_scanning, values, scanned, lines, cell, frozen)
        hid_looked_up = _widened(protection._widen, values, looked_up, lines, cell, frozen, near)
        assert hid_scanned == hid_looked_up
        assert scanned.tolist() == looked_up.tolist()


def _widen_scanning(
    values: FloatArray, suppressed: Any, lines: list[Line], cell: int, frozen: Any
) -> None:
    """The widening as first written: every line scanned at every step."""
    reached, frontier = {cell}, [cell]
    while frontier:
        best: int | None = None
        nearby: list[int] = []
        for total, members in lines:
            line = (*members, total)
            if not any(c in frontier for c in line):
                continue
            for c in line:
                if suppressed[c]:
                    if c not in reached:
                        reached.add(c)
                        nearby.append(c)
                elif not frozen[c] and values[c] > 0 and (best is None or values[c] > values[best]):
                    best = c
        if best is not None:
            suppressed[best] = True
            return
        frontier = nearby
    raise protection.ProtectionError(f"cell {cell} cannot be protected")


def _widened(widen: Callable[..., None], *arguments: Any) -> bool:
    """Whether ``widen`` hid a cell (False: it found nothing left to suppress)."""
    try:
        widen(*arguments)
    except protection.ProtectionError:
        return False
    return True
