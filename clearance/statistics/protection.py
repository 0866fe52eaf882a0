"""Secondary protection and its audit: no confidential cell can be worked out from the rest.

Published margins stay exact; complementary cells are suppressed instead (docs/statistics.md
explains the choice). A table is a set of additive lines (each row and column of cells sums
to its margin). First every line with exactly one suppressed cell gets a complement: the
smallest cell of that line worth at least the protection share of the confidential value in
it. Then the audit solves, for every confidential cell, the linear programs min and max of
that cell subject to every published figure and non-negative suppressed cells (SciPy's
HiGHS). Where a cell's interval is narrower than its protection interval, another cell of
its lines is suppressed and the audit runs again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy.optimize import linprog

from clearance.statistics.cube import BoolArray

FloatArray = npt.NDArray[np.float64]
#: One additive line: (the cell holding the total, the cells summing to it), flat indexes.
Line = tuple[int, tuple[int, ...]]


class ProtectionError(RuntimeError):
    """The table could not be protected (the audit kept failing)."""


@dataclass(frozen=True)
class Interval:
    """What an attacker can infer about a confidential cell from the published table."""

    cell: int
    value: float
    low: float
    high: float  # inf: unbounded

    def protects(self, share: float) -> bool:
        """Whether the interval reaches beyond ``share`` of the value on both sides."""
        slack = 1e-6 * max(1.0, self.value)
        return (
            self.low <= self.value * (1 - share) + slack
            and self.high >= self.value * (1 + share) - slack
        )


@dataclass
class Audit:
    """The audit of one published table."""

    checked: int = 0  # confidential cells whose intervals were computed
    programs: int = 0  # linear programs solved
    failures: list[Interval] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """No confidential cell narrowed below its protection interval."""
        return not self.failures


def grid_lines(
    shape: tuple[int, int], two_way: bool, groups: list[tuple[int, list[int]]] | None = None
) -> list[Line]:
    """The additive lines of a grid with margins in its last row (and column).

    ``groups`` are the row groups (parent row, child rows): by default the last row totals
    all the others; with HS subtotals each parent row is a group of its own. Each group gives
    one line per column (the margin column included); a two-way grid adds one line per row.
    """
    rows, width = shape
    nr = rows - 1
    groups = groups if groups is not None else [(nr, list(range(nr)))]
    lines: list[Line] = [
        (parent * width + j, tuple(c * width + j for c in children))
        for parent, children in groups
        for j in range(width)
    ]
    if two_way:
        nc = width - 1
        lines += [(i * width + nc, tuple(i * width + j for j in range(nc))) for i in range(rows)]
    return lines


def protect(
    values: FloatArray,
    confidential: BoolArray,
    lines: list[Line],
    share: float,
    max_rounds: int = 200,
) -> tuple[BoolArray, Audit]:
    """Cells to suppress (confidential ones and complements) and the passing audit.

    ``values`` and ``confidential`` are flat over the table's cells. Raises
    :class:`ProtectionError` when the audit still fails after ``max_rounds`` repairs.
    """
    suppressed = confidential.copy()
    _complete(values, confidential, suppressed, lines, share)
    for _ in range(max_rounds):
        audit = audit_table(values, confidential, suppressed, lines, share)
        if audit.passed:
            return suppressed, audit
        for failure in audit.failures:
            _widen(values, suppressed, lines, failure.cell)
        _complete(values, confidential, suppressed, lines, share)
    raise ProtectionError("the table could not be protected: the audit kept failing")


def _complete(
    values: FloatArray,
    confidential: BoolArray,
    suppressed: BoolArray,
    lines: list[Line],
    share: float,
) -> None:
    """Until no line has exactly one suppressed cell, give each such line a complement."""
    changed = True
    while changed:
        changed = False
        for total, members in lines:
            cells = (*members, total)
            hidden = [c for c in cells if suppressed[c]]
            if len(hidden) != 1:
                continue
            need = (
                share * max(values[c] for c in hidden if confidential[c])
                if any(confidential[c] for c in hidden)
                else 0.0
            )
            choice = _complement(values, suppressed, members, need)
            suppressed[total if choice is None else choice] = True
            changed = True


def _complement(
    values: FloatArray, suppressed: BoolArray, members: tuple[int, ...], need: float
) -> int | None:
    """The smallest unsuppressed member worth at least ``need`` (else the largest), or None."""
    open_ = [c for c in members if not suppressed[c] and values[c] > 0]
    if not open_:
        return None
    enough = [c for c in open_ if values[c] >= need]
    if enough:
        return min(enough, key=lambda c: values[c])
    return max(open_, key=lambda c: values[c])


def _widen(values: FloatArray, suppressed: BoolArray, lines: list[Line], cell: int) -> None:
    """Suppress one more cell next to ``cell``: the largest open member of its lines."""
    best: int | None = None
    for total, members in lines:
        if cell != total and cell not in members:
            continue
        for c in (*members, total):
            if not suppressed[c] and values[c] > 0 and (best is None or values[c] > values[best]):
                best = c
    if best is None:
        raise ProtectionError(f"cell {cell} cannot be protected: nothing left to suppress")
    suppressed[best] = True


def audit_table(
    values: FloatArray,
    confidential: BoolArray,
    suppressed: BoolArray,
    lines: list[Line],
    share: float,
) -> Audit:
    """Bounds of every confidential cell by linear programming over the published cells."""
    audit = Audit()
    touching: dict[int, list[int]] = {}
    for number, (total, members) in enumerate(lines):
        for c in (*members, total):
            if suppressed[c]:
                touching.setdefault(c, []).append(number)
    for component in _components(suppressed, lines):
        targets = [c for c in component if confidential[c]]
        if not targets:
            continue
        index = {c: k for k, c in enumerate(component)}
        a_rows, b = [], []
        for number in sorted({n for c in component for n in touching.get(c, [])}):
            total, members = lines[number]
            row = np.zeros(len(component))
            rhs = 0.0
            for c in members:
                if c in index:
                    row[index[c]] += 1.0
                else:
                    rhs -= values[c]
            if total in index:
                row[index[total]] -= 1.0
            else:
                rhs += values[total]
            a_rows.append(row)
            b.append(rhs)
        a_eq, b_eq = np.array(a_rows), np.array(b)
        for cell in targets:
            low, high = _bounds(a_eq, b_eq, index[cell], len(component))
            audit.programs += 2
            audit.checked += 1
            interval = Interval(cell, float(values[cell]), low, high)
            if not interval.protects(share):
                audit.failures.append(interval)
    return audit


def _bounds(a_eq: FloatArray, b_eq: FloatArray, k: int, n: int) -> tuple[float, float]:
    objective = np.zeros(n)
    objective[k] = 1.0
    low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    lo = float(low.fun) if low.status == 0 else 0.0
    hi = float(-high.fun) if high.status == 0 else float("inf")
    return lo, hi


def _components(suppressed: BoolArray, lines: list[Line]) -> list[list[int]]:
    """Suppressed cells grouped by the lines that link them (each solved on its own)."""
    parent: dict[int, int] = {int(c): int(c) for c in np.flatnonzero(suppressed)}

    def find(c: int) -> int:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for total, members in lines:
        hidden = [c for c in (*members, total) if c in parent]
        for c in hidden[1:]:
            parent[find(c)] = find(hidden[0])
    groups: dict[int, list[int]] = {}
    for c in parent:
        groups.setdefault(find(c), []).append(c)
    return [sorted(g) for g in groups.values()]
