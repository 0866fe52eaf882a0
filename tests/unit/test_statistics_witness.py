"""The audit's witnesses without linear programs (rectangles, maximum flows) in a plain grid.

They may only spare programs, never change a verdict: every test compares them with the
linear programs alone (``grid=None``), which decide the same question.
"""

from __future__ import annotations

import numpy as np
import pytest

from clearance.statistics import protection
from clearance.statistics.protection import audit_table, grid_lines, protect


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
