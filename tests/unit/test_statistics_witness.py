"""The audit's witnesses without linear programs (rectangles, maximum flows) in a plain grid.

They may only spare programs, never change a verdict: every test compares them with the
linear programs alone (``grid=None``), which decide the same question.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TypeVar

import numpy as np
import pytest
from scipy.optimize import linprog

from clearance.statistics import grid_witness, protection
from clearance.statistics.protection import audit_table, grid_lines, protect

T = TypeVar("T")


def _with_margins(interior: list[list[float]]) -> np.ndarray:
    """The grid with its row totals, column totals and grand total, flat."""
    inner = np.array(interior, dtype=np.float64)
    nr, nc = inner.shape
    full = np.zeros((nr + 1, nc + 1))
    full[:nr, :nc] = inner
    full[:nr, nc] = inner.sum(axis=1)
    full[nr, :nc] = inner.sum(axis=0)
    full[nr, nc] = inner.sum()
    return full.ravel()


def _split_flow_table(second: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cell (0, 0) = 100 is confidential: pushing it up 10 % needs its column's other cells
    (6 and ``second``) to give 10 between them, as no single rectangle can."""
    values = _with_margins([[100, 50, 70], [6, 20, 30], [second, 20, 40]])
    width = 4
    confidential = np.zeros(len(values), np.bool_)
    confidential[0] = True
    suppressed = np.zeros(len(values), np.bool_)
    for i, j in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1)]:
        suppressed[i * width + j] = True
    return values, confidential, suppressed


def test_a_flow_proves_what_no_rectangle_does_without_a_program() -> None:
    values, confidential, suppressed = _split_flow_table(6)
    lines = grid_lines((4, 4), two_way=True)
    by_programs = audit_table(values, confidential, suppressed, lines, 0.10)
    assert by_programs.passed and by_programs.programs > 0
    witnessed = audit_table(values, confidential, suppressed, lines, 0.10, grid=(4, 4))
    assert witnessed.passed and witnessed.programs == 0


def test_a_flow_short_of_the_share_fails_like_the_program() -> None:
    # 6 + 3 = 9 < 10: the cell can reach 109 at most, inside its protection interval.
    values, confidential, suppressed = _split_flow_table(3)
    lines = grid_lines((4, 4), two_way=True)
    witnessed = audit_table(values, confidential, suppressed, lines, 0.10, grid=(4, 4))
    assert not witnessed.passed
    (failure,) = witnessed.failures
    assert failure.cell == 0 and failure.high == pytest.approx(109.0)
    assert failure.low <= 90.0  # the other side is protected


def test_past_the_flow_budget_the_programs_decide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(protection, "FLOW_EDGES", 0)
    values, confidential, suppressed = _split_flow_table(6)
    lines = grid_lines((4, 4), two_way=True)
    audit = audit_table(values, confidential, suppressed, lines, 0.10, grid=(4, 4))
    assert audit.passed and audit.programs > 0


def test_witnesses_and_programs_agree() -> None:
    """Random grids and patterns (margins suppressed too): the same verdict on every cell
    with and without the witnesses, and protection with them passes the programs alone."""
    rng = np.random.default_rng(14)
    spared, verdicts = 0, set()
    for _ in range(15):
        nr, nc = (int(n) for n in rng.integers(2, 9, size=2))
        interior = rng.choice([0, 1, 5, 10, 100, 1000], size=(nr, nc)) * rng.random((nr, nc))
        values = _with_margins(interior.round(1).tolist())
        shape = (nr + 1, nc + 1)
        lines = grid_lines(shape, two_way=True)
        suppressed = rng.random(len(values)) < rng.random() * 0.8
        confidential = suppressed & (rng.random(len(values)) < 0.5)
        alone = audit_table(values, confidential, suppressed, lines, 0.10)
        witnessed = audit_table(values, confidential, suppressed, lines, 0.10, grid=shape)
        assert witnessed.passed == alone.passed
        assert sorted(f.cell for f in witnessed.failures) == sorted(f.cell for f in alone.failures)
        spared += alone.programs - witnessed.programs
        verdicts.add(alone.passed)
        primary = (rng.random(len(values)) < 0.15) & (values > 0)
        hidden, audit = protect(values, primary, lines, 0.10, grid=shape)
        assert audit.passed and audit_table(values, primary, hidden, lines, 0.10).passed
    assert spared > 0  # the witnesses did the work of many programs
    assert verdicts == {True, False}  # both passing and failing patterns were compared


def _bounds(
    values: np.ndarray, suppressed: np.ndarray, shape: tuple[int, int], cell: int
) -> tuple[float, float]:
    """The cell's exact interval from the published grid, by two linear programs written
    here (not the audit's): every row and column sums to its margin, suppressed cells >= 0."""
    hidden = np.flatnonzero(suppressed)
    index = {int(c): k for k, c in enumerate(hidden)}
    a_eq, b_eq = [], []
    for total, members in grid_lines(shape, two_way=True):
        row = np.zeros(len(hidden))
        b = 0.0
        for c in members:
            if c in index:
                row[index[c]] += 1.0
            else:
                b -= values[c]
        if total in index:
            row[index[total]] -= 1.0
        else:
            b += values[total]
        a_eq.append(row)
        b_eq.append(b)
    cap = 10.0 * float(values.max())
    out = []
    for sign in (1.0, -1.0):
        objective = np.zeros(len(hidden))
        objective[index[cell]] = sign
        result = linprog(objective, A_eq=np.array(a_eq), b_eq=b_eq, bounds=(0, cap), method="highs")
        assert result.status == 0
        out.append(float(result.x[index[cell]]))
    return out[0], out[1]


def test_rectangles_through_margins_are_real_witnesses() -> None:
    """Every side a rectangle claims, margin cells included, is within the cell's exact
    interval, and margin cells do get witnessed that way."""
    rng = np.random.default_rng(7)
    margins_witnessed = 0
    for _ in range(25):
        nr, nc = (int(n) for n in rng.integers(2, 7, size=2))
        interior = rng.choice([0, 1, 5, 10, 100], size=(nr, nc)) * rng.random((nr, nc))
        values = _with_margins(interior.round(1).tolist())
        shape = (nr + 1, nc + 1)
        suppressed = (rng.random(len(values)) < 0.6) & (values > 0)
        cells = np.flatnonzero(suppressed)
        up, down = grid_witness.rectangles(values, suppressed, shape, cells, 0.10)
        for cell, rises, falls in zip(cells.tolist(), up.tolist(), down.tolist(), strict=True):
            if not (rises or falls):
                continue
            low, high = _bounds(values, suppressed, shape, cell)
            slack = 1e-6 * max(1.0, values[cell])
            if rises:
                assert high >= values[cell] * 1.1 - slack
            if falls:
                assert low <= values[cell] * 0.9 + slack
            i, j = divmod(cell, nc + 1)
            margins_witnessed += (i == nr) != (j == nc)
    assert margins_witnessed > 0


def test_a_huge_component_is_decided_by_flows_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Above PROGRAM_CELLS (here: every component) no program runs; every cell's verdict
    is the programs' own, a failing side's bound is the program's, and protection passes
    the programs alone (these run with the limit as it is: no grid, no flows)."""

    def flows_only(call: Callable[[], T]) -> T:
        with monkeypatch.context() as limited:
            limited.setattr(protection, "PROGRAM_CELLS", 0)
            return call()

    rng = np.random.default_rng(41)
    failed_sides = 0
    for _ in range(20):
        nr, nc = (int(n) for n in rng.integers(2, 9, size=2))
        interior = rng.choice([0, 1, 5, 10, 100, 1000], size=(nr, nc)) * rng.random((nr, nc))
        values = _with_margins(interior.round(1).tolist())
        shape = (nr + 1, nc + 1)
        lines = grid_lines(shape, two_way=True)
        suppressed = rng.random(len(values)) < rng.random() * 0.8
        confidential = suppressed & (rng.random(len(values)) < 0.5)
        alone = audit_table(values, confidential, suppressed, lines, 0.10)
        flowed = flows_only(
            partial(audit_table, values, confidential, suppressed, lines, 0.10, grid=shape)
        )
        assert flowed.programs == 0
        assert sorted(f.cell for f in flowed.failures) == sorted(f.cell for f in alone.failures)
        exact = {f.cell: f for f in alone.failures}
        for failure in flowed.failures:
            value, tolerance = failure.value, 1e-4 * max(1.0, failure.value)
            if exact[failure.cell].high < value * 1.1:  # the program's bound is the flow's
                assert failure.high == pytest.approx(exact[failure.cell].high, abs=tolerance)
                failed_sides += 1
            if exact[failure.cell].low > value * 0.9:
                assert failure.low == pytest.approx(exact[failure.cell].low, abs=tolerance)
                failed_sides += 1
        primary = (rng.random(len(values)) < 0.15) & (values > 0)
        hidden, audit = flows_only(partial(protect, values, primary, lines, 0.10, grid=shape))
        assert audit.passed and audit.programs == 0
        assert audit_table(values, primary, hidden, lines, 0.10).passed
    assert failed_sides > 0


def test_grid_components_are_those_of_the_lines() -> None:
    """The plain grid's components (rows and columns joined by suppressed cells) are the
    components found from the lines themselves, margins included."""
    rng = np.random.default_rng(3)
    for _ in range(30):
        rows, width = (int(n) for n in rng.integers(2, 10, size=2))
        suppressed = rng.random(rows * width) < rng.random() * 0.5
        lines = grid_lines((rows, width), two_way=True)
        by_lines = sorted(protection._components(suppressed, lines))
        assert sorted(protection._grid_components(suppressed, (rows, width))) == by_lines
        for component in by_lines:
            held = [n for n, (t, m) in enumerate(lines) if set(component) & {t, *m}]
            assert protection._grid_numbers(component, (rows, width)) == held


def test_a_huge_component_outside_a_plain_grid_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without flows (linked tables, subtotals: no ``grid``) a component above PROGRAM_CELLS
    is refused rather than handed to programs that would run for minutes; the plain grid
    of the same table is still decided."""
    values, confidential, suppressed = _split_flow_table(6)
    lines = grid_lines((4, 4), two_way=True)
    monkeypatch.setattr(protection, "PROGRAM_CELLS", int(suppressed.sum()) - 1)
    with pytest.raises(protection.ProtectionError, match=r"6 suppressed cells.*narrow"):
        audit_table(values, confidential, suppressed, lines, 0.10)
    assert audit_table(values, confidential, suppressed, lines, 0.10, grid=(4, 4)).passed


def test_flows_alone_agree_with_programs_on_mid_size_sparse_grids(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Sparse grids of a few hundred cells shaped like trade tables (many thin cells, a
    quarter confidential, margins among them): the flows-only audit gives every cell the
    programs' verdict, and its protected pattern passes the programs alone."""
    rng = np.random.default_rng(1414)
    compared = failing = 0
    for _ in range(4):
        nr, nc = int(rng.integers(20, 40)), int(rng.integers(8, 16))
        thin = rng.random((nr, nc)) < 0.5
        interior = np.where(thin, rng.lognormal(3, 1.5, (nr, nc)), 0.0).round(1)
        values = _with_margins(interior.tolist())
        shape = (nr + 1, nc + 1)
        lines = grid_lines(shape, two_way=True)
        confidential = (rng.random(len(values)) < 0.25) & (values > 0)
        suppressed = confidential | ((rng.random(len(values)) < 0.1) & (values > 0))
        alone = audit_table(values, confidential, suppressed, lines, 0.10)
        with monkeypatch.context() as limited:
            limited.setattr(protection, "PROGRAM_CELLS", 0)
            flowed = audit_table(values, confidential, suppressed, lines, 0.10, grid=shape)
            hidden, audit = protect(values, confidential, lines, 0.10, grid=shape)
        assert flowed.programs == 0 and audit.programs == 0 and audit.passed
        assert sorted(f.cell for f in flowed.failures) == sorted(f.cell for f in alone.failures)
        assert audit_table(values, confidential, hidden, lines, 0.10).passed
        compared += alone.checked
        failing += len(alone.failures)
    assert compared > 150 and failing > 0  # passing and failing cells were both compared
