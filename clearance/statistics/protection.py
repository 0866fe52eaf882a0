"""Secondary protection and its audit: no confidential cell can be worked out from the rest.

Published margins stay exact; complementary cells are suppressed instead (docs/statistics.md
explains the choice). A table is a set of additive lines (each row and column of cells sums
to its margin). First every line with exactly one suppressed cell gets a complement: the
smallest cell of that line worth at least the protection share of the confidential value in
it. Then the audit proves, for every confidential cell, that some table consistent with every
published figure and non-negative suppressed cells moves it beyond its protection interval
on each side: by the linear programs min and max of that cell (SciPy's HiGHS), or in a plain
two-way table by an explicit witness found without one (a rectangle or a maximum flow of
suppressed cells). Where a cell's interval is narrower than its protection interval, another
cell of its lines is suppressed and the audit runs again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

from clearance.statistics import grid_witness
from clearance.statistics.cube import BoolArray

FloatArray = npt.NDArray[np.float64]
#: One additive line: (the cell holding the total, the cells summing to it), flat indexes.
Line = tuple[int, tuple[int, ...]]


#: Edges of the maximum-flow networks built per audit (each flow builds one over every
#: suppressed cell: a fraction of a microsecond an edge) before the cells left go to the
#: linear programs, whose shared witnesses reach many cells per program. Keeps a huge table
#: (hundreds of thousands of cells) from spending minutes on flows.
FLOW_EDGES = 1_000_000

#: Suppressed cells of a component above which its linear programs are not even tried. In a
#: plain grid the flows decide every cell (they decide exactly what its program would, so no
#: verdict changes) and give a failing cell's interval; any other system (linked tables,
#: subtotals) is refused. Measured on hs4 x partner's rows cut short (ADR 0012): a component
#: of 5,644 cells took 12 programs and 2.8 CPU-s (its flows: 0.06 s), one of 19,698 cells
#: did not finish in 150 s, and the whole table's 96,016 ran for minutes.
PROGRAM_CELLS = 5_000


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

    def protects_within(self, share: float, known: tuple[float, float] | None) -> bool:
        """Like :meth:`protects`, but no narrower than ``known`` is asked for: what an attacker
        could infer before (from tables already published) is no new disclosure."""
        if known is None:
            return self.protects(share)
        slack = 1e-6 * max(1.0, self.value)
        low = max(self.value * (1 - share), known[0])
        high = min(self.value * (1 + share), known[1])
        return self.low <= low + slack and self.high >= high - slack


#: Per cell, the interval an attacker could already infer (caps what the audit asks for).
Known = dict[int, tuple[float, float]]


def _aim(value: float, share: float, known: tuple[float, float] | None, *, upper: bool) -> float:
    """The value whose protection interval ends where the audit must reach: ``value`` unless
    ``known`` already ends nearer (then that end is all that can be asked for)."""
    if known is None:
        return value
    if upper:
        return min(value, known[1] / (1 + share))
    return max(value, known[0] / (1 - share)) if share < 1 else value


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
    grid: tuple[int, int] | None = None,
    *,
    suppressed: BoolArray | None = None,
    frozen: BoolArray | None = None,
    links: list[Line] | None = None,
    known: Known | None = None,
) -> tuple[BoolArray, Audit]:
    """Cells to suppress (confidential ones and complements) and the passing audit.

    ``values`` and ``confidential`` are flat over the table's cells. ``suppressed`` may
    start with cells already hidden elsewhere (a published table's pattern, kept); ``frozen``
    cells are already public and may never be chosen as complements (linked tables, see
    :mod:`clearance.statistics.linked`). ``links`` are further true equations (a cell as
    the sum of its parts in other frames) that the audit and the widening use but the
    one-suppressed-cell rule does not: their parts are never published, so one hidden part
    alone in a link is no leak in itself. ``known`` caps what the audit asks for a cell
    at the interval tables already published give (:meth:`Interval.protects_within`).
    Raises :class:`ProtectionError` when the audit still
    fails after ``max_rounds`` repairs.
    """
    hidden = confidential.copy() if suppressed is None else suppressed | confidential
    fixed = np.zeros_like(confidential) if frozen is None else frozen & ~hidden
    every = lines if not links else [*lines, *links]
    near = lines_by_cell(every)  # the lines do not change between rounds: indexed once
    _complete(values, confidential, hidden, lines, share, fixed)
    # A component whose suppressed cells did not change between rounds keeps its verdict:
    # only what a repair touched is audited again.
    verdicts: dict[tuple[int, ...], list[Interval]] = {}
    # A side of a cell once witnessed stays witnessed: suppressing more cells only frees
    # more of the table, so the witness remains a table consistent with what is published.
    proven = (np.zeros(len(values), np.bool_), np.zeros(len(values), np.bool_))
    for _ in range(max_rounds):
        audit = audit_table(
            values,
            confidential,
            hidden,
            every,
            share,
            grid,
            known,
            verdicts=verdicts,
            proven=proven,
        )
        if audit.passed:
            return hidden, audit
        stuck: ProtectionError | None = None
        widened = False
        for failure in audit.failures:
            # Nothing left next to one cell may be fine once the others of this round are
            # widened (linked tables are small and share their cells): only a round that
            # widens nothing at all is the end.
            try:
                _widen(values, hidden, every, failure.cell, fixed, near)
                widened = True
            except ProtectionError as error:
                stuck = stuck or error
        if not widened and stuck is not None:
            raise stuck
        _complete(values, confidential, hidden, lines, share, fixed)
    raise ProtectionError("the table could not be protected: the audit kept failing")


def _complete(
    values: FloatArray,
    confidential: BoolArray,
    suppressed: BoolArray,
    lines: list[Line],
    share: float,
    frozen: BoolArray,
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
            choice = _complement(values, suppressed | frozen, members, need)
            if choice is None and frozen[total]:
                # Everything else in the line is public already (another table published it).
                raise ProtectionError(f"cell {hidden[0]} follows from figures already published")
            suppressed[total if choice is None else choice] = True
            changed = True


def _complement(
    values: FloatArray, unavailable: BoolArray, members: tuple[int, ...], need: float
) -> int | None:
    """The smallest available member worth at least ``need`` (else the largest), or None."""
    open_ = [c for c in members if not unavailable[c] and values[c] > 0]
    if not open_:
        return None
    enough = [c for c in open_ if values[c] >= need]
    if enough:
        return min(enough, key=lambda c: values[c])
    return max(open_, key=lambda c: values[c])


def _widen(
    values: FloatArray,
    suppressed: BoolArray,
    lines: list[Line],
    cell: int,
    frozen: BoolArray,
    near: dict[int, list[int]] | None = None,
) -> None:
    """Suppress one more cell next to ``cell``: the largest open member of its lines.

    When every cell of those lines is hidden or already public (a linked table's), look
    one step further: the lines of the suppressed cells linked to it, and so on. ``near``
    (:func:`lines_by_cell`) saves a caller with thousands of lines, widening many times,
    scanning them all at every step.
    """
    if near is None:
        near = lines_by_cell(lines)
    reached, frontier = {cell}, [cell]
    while frontier:
        best: int | None = None
        nearby: list[int] = []
        # The lines touching the frontier, in their order: ties go to the same cell however
        # the lines were found.
        numbers = sorted({n for c in frontier for n in near.get(c, ())})
        for total, members in (lines[n] for n in numbers):
            for c in (*members, total):
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
    raise ProtectionError(f"cell {cell} cannot be protected: nothing left to suppress")


def lines_by_cell(lines: list[Line]) -> dict[int, list[int]]:
    """Each cell's lines (their numbers in ``lines``)."""
    near: dict[int, list[int]] = {}
    for number, (total, members) in enumerate(lines):
        for c in (*members, total):
            near.setdefault(c, []).append(number)
    return near


def audit_table(
    values: FloatArray,
    confidential: BoolArray,
    suppressed: BoolArray,
    lines: list[Line],
    share: float,
    grid: tuple[int, int] | None = None,
    known: Known | None = None,
    *,
    verdicts: dict[tuple[int, ...], list[Interval]] | None = None,
    proven: tuple[BoolArray, BoolArray] | None = None,
) -> Audit:
    """Prove by linear programming that no confidential cell can be narrowed too far.

    For every confidential cell there must be a table consistent with everything published
    (each line's sum, non-negative suppressed cells) in which the cell is at most
    ``1 - share`` of its value, and one in which it is at least ``1 + share`` of it. Any
    feasible solution is such a witness for every cell it reaches, so each side first solves
    one program that pushes all cells still open at once, and only cells no witness reached
    get a program of their own: their exact bound decides, and a failing cell's interval is
    reported. Cheaper witnesses come first: a component of one line needs no program (its
    cells range from 0 to the line's suppressed sum), and in a plain two-way table
    (``grid``: its shape with margins) a rectangle of suppressed cells, or else a
    maximum flow between rows and columns (:mod:`clearance.statistics.grid_witness`), moves
    a cell by the protection share while every row and column keeps its sum. The flow
    decides exactly what the cell's program would, so programs remain for the cells that
    fail (their exact intervals) and for systems that are not one plain grid (linked tables,
    subtotals).

    ``known``: per cell, an interval already inferable elsewhere (tables published before),
    which caps what is asked for that cell (:meth:`Interval.protects_within`). A witness that
    moves a cell by its whole share proves the capped requirement too.

    ``verdicts`` holds verdicts by component (its suppressed cells) over the same values,
    confidential cells, lines and ``known``: a component found there is not audited again,
    and every component audited is added to it (:func:`protect`'s rounds).

    ``proven``: per cell, the sides (up, down) already witnessed over a pattern with no more
    suppressed cells than this one (the values and lines the same), updated with the sides
    witnessed here. Suppressing more keeps a witness valid, so those sides are not searched
    again (:func:`protect`'s rounds).

    In a plain grid, a component of more than :data:`PROGRAM_CELLS` suppressed cells is
    decided by the rectangles and flows alone, with no program and no flow budget: the
    flow of a failing cell gives its interval on that side (:func:`_by_flows`). Elsewhere
    such a component raises :class:`ProtectionError` (the table is refused).
    """
    known = known or {}
    audit = Audit()
    touching: dict[int, list[int]] = {}
    if grid is None:  # a plain grid's lines follow from a cell's row and column (numpy)
        for number, (total, members) in enumerate(lines):
            for c in (*members, total):
                if suppressed[c]:
                    touching.setdefault(c, []).append(number)
    ceiling = 10.0 * max(float(values.max()) if len(values) else 0.0, 1.0)
    # In a plain grid, rectangles witness most cells at once (numpy): by cell, up and down.
    up = np.zeros(len(values), np.bool_)
    down = np.zeros(len(values), np.bool_)
    flows = None
    if proven is not None:
        up |= proven[0]
        down |= proven[1]
    if grid and share <= 1:  # the witnesses assume a cell can give its share (d <= value)
        cells = np.flatnonzero(confidential & suppressed & ~(up & down))
        found_up, found_down = grid_witness.rectangles(values, suppressed, grid, cells, share)
        up[cells] |= found_up
        down[cells] |= found_down
        flows = grid_witness.Flows(values, suppressed, grid)
    components = (
        _components(suppressed, lines) if grid is None else _grid_components(suppressed, grid)
    )
    for component in components:
        targets = [c for c in component if confidential[c]]
        if not targets:
            continue
        audit.checked += len(targets)
        key = tuple(component)
        if verdicts is not None and key in verdicts:
            audit.failures += verdicts[key]
            continue
        if grid is None:
            numbers = sorted({n for c in component for n in touching.get(c, [])})
        else:
            numbers = _grid_numbers(component, grid)
        system = [lines[n] for n in numbers]
        if len(numbers) == 1:  # one line: the intervals follow from its sum, no program
            one = _one_line(values, set(component), system[0], targets, share)
            failures = [f for f in one if not f.protects_within(share, known.get(f.cell))]
        elif flows is not None and len(component) > PROGRAM_CELLS:
            witnessed = _witnessed(targets, share, up, down, flows, budget=False)
            failures = _by_flows(values, targets, share, witnessed, flows, known)
        elif len(component) > PROGRAM_CELLS:
            # Not a plain grid (linked tables, subtotal rows): no flow decides it, and its
            # programs would run for minutes. Refused, never an endless run.
            raise ProtectionError(
                f"{len(targets):,} confidential cells are linked in one system of "
                f"{len(component):,} suppressed cells, more than the {PROGRAM_CELLS:,} the "
                "audit's programs take: narrow the table (filters, a shorter period, a coarser "
                "axis, no subtotals)"
            )
        else:
            witnessed = _witnessed(targets, share, up, down, flows)
            failures, programs = _programs(
                values, component, targets, system, share, ceiling, witnessed, known
            )
            audit.programs += programs
        if proven is not None and len(numbers) > 1:
            _remember(proven, witnessed)
        audit.failures += failures
        if verdicts is not None:
            verdicts[key] = failures
    return audit


def _witnessed(
    targets: list[int],
    share: float,
    up: BoolArray,
    down: BoolArray,
    flows: grid_witness.Flows | None,
    *,
    budget: bool = True,
) -> tuple[set[int], set[int]]:
    """The targets moved up, and down, by their share without a program (rectangles, then
    flows: while the budget lasts, or for every target without ``budget``)."""
    above: set[int] = set()
    below: set[int] = set()
    for c in targets:
        if budget and flows is not None and flows.edges >= FLOW_EDGES:
            flows = None  # the cells left go to the programs' shared witnesses
        if up[c] or (flows is not None and flows.moves(c, share, upper=True)):
            above.add(c)
        if down[c] or (flows is not None and flows.moves(c, share, upper=False)):
            below.add(c)
    return above, below


def _remember(proven: tuple[BoolArray, BoolArray], witnessed: tuple[set[int], set[int]]) -> None:
    """Mark the sides witnessed (up, down) in ``proven``."""
    for side, cells in zip(proven, witnessed, strict=True):
        side[np.fromiter(cells, np.int64, len(cells))] = True


def _by_flows(
    values: FloatArray,
    targets: list[int],
    share: float,
    witnessed: tuple[set[int], set[int]],
    flows: grid_witness.Flows,
    known: Known,
) -> list[Interval]:
    """The failures among targets of a plain grid by their flows alone, no program.

    A side not witnessed gets its maximum flow's reach: the largest move up to the share,
    exact but for the flow's rounding down (which can only fail a cell, never pass one). A
    witnessed side is reported as reaching the share (the true bound is at least as wide).
    """
    above, below = witnessed
    failures = []
    for c in targets:
        if c in above and c in below:
            continue
        value = float(values[c])
        d = share * value
        rise = 1.0 if c in above else flows.reach(c, share, upper=True)
        fall = 1.0 if c in below else flows.reach(c, share, upper=False)
        interval = Interval(c, value, value - fall * d, value + rise * d)
        if not interval.protects_within(share, known.get(c)):
            failures.append(interval)
    return failures


def _programs(
    values: FloatArray,
    component: list[int],
    targets: list[int],
    system: list[Line],
    share: float,
    ceiling: float,
    witnessed: tuple[set[int], set[int]],
    known: Known,
) -> tuple[list[Interval], int]:
    """The failures among a component's targets not witnessed yet, by linear programs, and
    how many programs it took."""
    above, below = witnessed
    index = {c: k for k, c in enumerate(component)}
    upper = {
        index[c]: _aim(float(values[c]), share, known.get(c), upper=True)
        for c in targets
        if c not in above
    }
    lower = {
        index[c]: _aim(float(values[c]), share, known.get(c), upper=False)
        for c in targets
        if c not in below
    }
    if not upper and not lower:  # every cell witnessed: no program to build
        return [], 0
    a_eq, b_eq = _system(values, component, system)
    problem = _Problem(a_eq, b_eq, len(component), ceiling)
    failed = problem.unreached(upper, share, upper=True) | problem.unreached(
        lower, share, upper=False
    )
    failures = []
    for k in sorted(failed):
        low, high = problem.bound(k, upper=False), problem.bound(k, upper=True)
        failures.append(Interval(component[k], float(values[component[k]]), low, high))
    return failures, problem.solved


def _one_line(
    values: FloatArray, hidden: set[int], line: Line, targets: list[int], share: float
) -> list[Interval]:
    """The exact intervals of the confidential cells of a component that is one line."""
    total, members = line
    inside = [c for c in members if c in hidden]
    published = sum(float(values[c]) for c in members if c not in hidden)
    free = sum(float(values[c]) for c in inside)  # what the suppressed members share
    out = []
    for c in targets:
        if c == total:  # the total: its published members plus anything the others hold
            low, high = published, float("inf") if inside else published
        else:
            low, high = 0.0, float("inf") if total in hidden else free
        interval = Interval(c, float(values[c]), low, high)
        if not interval.protects(share):
            out.append(interval)
    return out


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
            x = self.witness(sorted(open_), targets, share, upper=upper)
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

    def witness(
        self, cells: list[int], values: dict[int, float], share: float, *, upper: bool
    ) -> FloatArray | None:
        """One feasible table that takes as many ``cells`` as it can beyond their share.

        Maximises the sum of t_k, each capped at 1 and at the fraction of cell k's required
        move that the table makes, so that no single cell can soak up the whole objective.
        """
        n, m = self.n, len(cells)
        rows, cols, data = [], [], []
        bound = []
        for r, k in enumerate(cells):
            v = max(values[k], 1e-9)
            # upper: t_k * (1 + share) * v - x_k <= 0;  lower: t_k * share * v + x_k <= v
            rows += [r, r]
            cols += [k, n + r]
            if upper:
                data += [-1.0, (1 + share) * v]
                bound.append(0.0)
            else:
                data += [1.0, share * v]
                bound.append(v)
        a_ub = sparse.csr_matrix((data, (rows, cols)), shape=(m, n + m))
        a_eq = sparse.hstack([self.a_eq, sparse.csr_matrix((self.a_eq.shape[0], m))]).tocsr()
        objective = np.concatenate([np.zeros(n), -np.ones(m)])
        bounds = [(0.0, self.ceiling)] * n + [(0.0, 1.0)] * m
        self.solved += 1
        result = linprog(
            objective,
            A_ub=a_ub,
            b_ub=np.array(bound),
            A_eq=a_eq,
            b_eq=self.b_eq,
            bounds=bounds,
            method="highs",
        )
        return np.asarray(result.x[:n]) if result.status == 0 else None

    def bound(self, k: int, *, upper: bool) -> float:
        """The exact lowest or highest value of cell ``k`` (inf when it reaches the ceiling)."""
        objective = np.zeros(self.n)
        objective[k] = -1.0 if upper else 1.0
        x = self.solve(objective)
        if x is None:
            return float("inf") if upper else 0.0
        value = float(x[k])
        return float("inf") if upper and value >= self.ceiling * 0.999 else value


def _grid_components(suppressed: BoolArray, grid: tuple[int, int]) -> list[list[int]]:
    """:func:`_components` of a plain two-way grid (its lines those of :func:`grid_lines`):
    a cell lies on its row's line and its column's, so components are those of the graph of
    rows and columns joined by suppressed cells (scipy, no loop over the lines)."""
    rows, width = grid
    cells = np.flatnonzero(suppressed)
    r, c = np.divmod(cells, width)
    graph = sparse.csr_array(
        (np.ones(len(cells)), (r, rows + c)), shape=(rows + width, rows + width)
    )
    _, labels = connected_components(graph, directed=False)
    label = labels[r]
    order = np.argsort(label, kind="stable")
    starts = np.flatnonzero(np.diff(label[order], prepend=-1))
    return [part.tolist() for part in np.split(cells[order], starts[1:])] if len(cells) else []


def _grid_numbers(component: list[int], grid: tuple[int, int]) -> list[int]:
    """The numbers of the lines of :func:`grid_lines` (``two_way``, no groups) that hold a
    component's cells: column j is line j, row i line ``width + i``."""
    width = grid[1]
    at = np.asarray(component, np.int64)
    rows_, cols = np.divmod(at, width)
    numbers: list[int] = np.union1d(cols, width + rows_).tolist()
    return numbers


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
