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
from scipy import sparse
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
    """Prove by linear programming that no confidential cell can be narrowed too far.

    For every confidential cell there must be a table consistent with everything published
    (each line's sum, non-negative suppressed cells) in which the cell is at most
    ``1 - share`` of its value, and one in which it is at least ``1 + share`` of it. Any
    feasible solution is such a witness for every cell it reaches, so each side first solves
    one program that pushes all cells still open at once, and only cells no witness reached
    get a program of their own: their exact bound decides, and a failing cell's interval is
    reported.
    """
    audit = Audit()
    touching: dict[int, list[int]] = {}
    for number, (total, members) in enumerate(lines):
        for c in (*members, total):
            if suppressed[c]:
                touching.setdefault(c, []).append(number)
    ceiling = 10.0 * max(float(values.max()) if len(values) else 0.0, 1.0)
    for component in _components(suppressed, lines):
        targets = [c for c in component if confidential[c]]
        if not targets:
            continue
        numbers = sorted({n for c in component for n in touching.get(c, [])})
        a_eq, b_eq = _system(values, component, [lines[n] for n in numbers])
        problem = _Problem(a_eq, b_eq, len(component), ceiling)
        index = {c: k for k, c in enumerate(component)}
        local = {index[c]: float(values[c]) for c in targets}
        failed = problem.unreached(local, share, upper=True) | problem.unreached(
            local, share, upper=False
        )
        audit.checked += len(targets)
        for k in sorted(failed):
            low, high = problem.bound(k, upper=False), problem.bound(k, upper=True)
            audit.failures.append(Interval(component[k], local[k], low, high))
        audit.programs += problem.solved
    return audit


def _system(
    values: FloatArray, component: list[int], lines: list[Line]
) -> tuple[sparse.csr_matrix, FloatArray]:
    """The lines as equations over the component's suppressed cells (published: constants)."""
    index = {c: k for k, c in enumerate(component)}
    rows, cols, data, rhs = [], [], [], []
    for r, (total, members) in enumerate(lines):
        b = 0.0
        for c in members:
            if c in index:
                rows.append(r)
                cols.append(index[c])
                data.append(1.0)
            else:
                b -= values[c]
        if total in index:
            rows.append(r)
            cols.append(index[total])
            data.append(-1.0)
        else:
            b += values[total]
        rhs.append(b)
    shape = (len(lines), len(component))
    return sparse.csr_matrix((data, (rows, cols)), shape=shape), np.array(rhs)


class _Problem:
    """The linear programs of one component: witnesses for many cells, bounds for one."""

    def __init__(self, a_eq: sparse.csr_matrix, b_eq: FloatArray, n: int, ceiling: float):
        self.a_eq, self.b_eq, self.n = a_eq, b_eq, n
        # A ceiling far above any real value keeps every program bounded; a cell that can
        # reach it is unbounded for the attacker's purposes.
        self.ceiling = ceiling
        self.solved = 0

    def solve(self, objective: FloatArray) -> FloatArray | None:
        self.solved += 1
        result = linprog(
            objective, A_eq=self.a_eq, b_eq=self.b_eq, bounds=(0, self.ceiling), method="highs"
        )
        return np.asarray(result.x) if result.status == 0 else None

    def unreached(self, targets: dict[int, float], share: float, *, upper: bool) -> set[int]:
        """Cells with no feasible table beyond ``share`` of their value on one side."""
        sign = -1.0 if upper else 1.0
        need = {k: v * (1 + share) if upper else v * (1 - share) for k, v in targets.items()}
        slack = {k: 1e-6 * max(1.0, v) for k, v in targets.items()}

        def reached(x: FloatArray, k: int) -> bool:
            if upper:
                return bool(x[k] >= need[k] - slack[k])
            return bool(x[k] <= need[k] + slack[k])

        open_, failed = set(targets), set()
        while open_:
            objective = np.zeros(self.n)
            for k in open_:
                objective[k] = sign / max(targets[k], 1e-9)
            x = self.solve(objective)
            done = {k for k in open_ if x is not None and reached(x, k)}
            if not done:  # no common witness: the first open cell alone decides
                k = min(open_)
                single = np.zeros(self.n)
                single[k] = sign
                x = self.solve(single)
                done = {k}
                if x is None or not reached(x, k):
                    failed.add(k)
                elif x is not None:
                    done |= {j for j in open_ if reached(x, j)}
            open_ -= done
        return failed

    def bound(self, k: int, *, upper: bool) -> float:
        """The exact lowest or highest value of cell ``k`` (inf when it reaches the ceiling)."""
        objective = np.zeros(self.n)
        objective[k] = -1.0 if upper else 1.0
        x = self.solve(objective)
        if x is None:
            return float("inf") if upper else 0.0
        value = float(x[k])
        return float("inf") if upper and value >= self.ceiling * 0.999 else value


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
