"""The widening loop for linked systems: a new table protected with the published tables.

:func:`clearance.statistics.protection.protect` repairs a failing cell one suppression at a
time (the largest open cell of its lines) and audits everything again after each round. A
linked system (a table joined with published tables and the elementary cells of their
pieces, :mod:`clearance.statistics.linked`) is one large component of hidden cells whose
audit is all linear programs, so that loop took tens of rounds of hundreds of programs on
the worst table measured. This loop keeps the same guarantee (every confidential cell of
the system proved by a feasible table on each side, or capped by ``known``) and does less:

- **A proof stays a proof.** Protection only ever adds suppressions. A table consistent
  with the published figures of a pattern, extended with the true values of the cells
  hidden since, is consistent with the larger pattern: a cell side once witnessed is
  witnessed for every later round. Only the cells that failed are audited again.
- **The links get the one-hidden-cell rule for confidential cells.** A confidential March
  cell whose link (quarter = two months + March) has every other cell public is determined
  exactly; it gets a complement in that link before any audit, as a line's lone hidden
  cell does, instead of costing the audit four programs to find out.
- **Complements from the exact interval.** A failing cell's bound comes from a linear
  program whose duals say how much each open cell of the lines involved would move the
  bound if hidden: the cheapest cells (smallest values) whose estimated gain covers the
  missing protection are suppressed, not the largest cell of the lines. The estimate is
  local (a dual), so the next audit checks it; a failure with no usable dual falls back to
  the largest open cell (:func:`protection._widen`, as a plain table's repair does).
- **No program twice.** The single-cell program that decides a failing cell is its bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import OptimizeResult, linprog

from clearance.statistics.cube import BoolArray
from clearance.statistics.protection import (
    Audit,
    FloatArray,
    Interval,
    Known,
    Line,
    ProtectionError,
    _aim,
    _complement,
    _complete,
    _components,
    _one_line,
    _Problem,
    _system,
    _widen,
    lines_by_cell,
)

#: At most this many cells suppressed for one failing side in one round (when no single
#: open cell's estimated gain covers what is missing, several are taken, largest gain first).
PER_FAILURE = 4


@dataclass(frozen=True)
class _Failure:
    """One side of a confidential cell the audit could not prove, with what repairs it."""

    cell: int
    upper: bool
    missing: float  # how far the bound is from what is asked, in the cell's units (> 0)
    gains: dict[int, float]  # open cell → estimated gain in the bound if it were hidden


def protect_linked(
    values: FloatArray,
    confidential: BoolArray,
    lines: list[Line],
    share: float,
    *,
    suppressed: BoolArray,
    frozen: BoolArray,
    links: list[Line],
    known: Known | None = None,
    max_rounds: int = 200,
) -> tuple[BoolArray, Audit]:
    """Cells to suppress in a linked system and its passing audit (see the module).

    The arguments are those of :func:`clearance.statistics.protection.protect` for a
    system from :func:`clearance.statistics.linked.join`. The audit returned counts the
    linear programs of every round, not only of the last. Raises :class:`ProtectionError`
    when the audit still fails after ``max_rounds`` repairs.
    """
    known = known or {}
    hidden = suppressed | confidential
    fixed = frozen & ~hidden
    every = [*lines, *links]
    near = lines_by_cell(every)
    _complete_all(values, confidential, hidden, lines, links, share, fixed)
    proven: tuple[set[int], set[int]] = (set(), set())  # sides witnessed: up, down
    programs = 0
    for _ in range(max_rounds):
        failures, checked, solved = _audit(
            values, confidential, hidden, every, share, known, proven
        )
        programs += solved
        if not failures:
            return hidden, Audit(checked, programs, [])
        stuck: ProtectionError | None = None
        widened = False
        for failure in failures:
            try:
                _repair(values, hidden, every, failure, fixed, near)
                widened = True
            except ProtectionError as error:
                stuck = stuck or error
        if not widened and stuck is not None:
            raise stuck
        _complete_all(values, confidential, hidden, lines, links, share, fixed)
    raise ProtectionError("the table could not be protected: the audit kept failing")


def _complete_all(
    values: FloatArray,
    confidential: BoolArray,
    hidden: BoolArray,
    lines: list[Line],
    links: list[Line],
    share: float,
    frozen: BoolArray,
) -> None:
    """The tables' lines' rule (:func:`protection._complete`), then the links' rule for a
    confidential cell hidden alone in its link, until neither adds a cell."""
    while True:
        _complete(values, confidential, hidden, lines, share, frozen)
        if not _complete_links(values, confidential, hidden, links, share, frozen):
            return


def _complete_links(
    values: FloatArray,
    confidential: BoolArray,
    hidden: BoolArray,
    links: list[Line],
    share: float,
    frozen: BoolArray,
) -> bool:
    """Give a complement to each link whose one hidden cell is confidential; whether any.

    A link with no open cell left is left to the audit (the cell may still be protected
    through the lines of its piece, or fail and be widened further away)."""
    added = False
    for total, members in links:
        cells = (*members, total)
        alone = [c for c in cells if hidden[c]]
        if len(alone) != 1 or not confidential[alone[0]]:
            continue
        choice = _complement(values, hidden | frozen, cells, share * float(values[alone[0]]))
        if choice is not None:
            hidden[choice] = True
            added = True
    return added


def _audit(
    values: FloatArray,
    confidential: BoolArray,
    hidden: BoolArray,
    lines: list[Line],
    share: float,
    known: Known,
    proven: tuple[set[int], set[int]],
) -> tuple[list[_Failure], int, int]:
    """The sides of confidential cells not proved yet, audited over the whole system: the
    failures (with their repair gains), the confidential cells checked, programs solved.

    Proved sides are added to ``proven`` (see the module: they stay proved)."""
    above, below = proven
    touching: dict[int, list[int]] = {}
    for number, (total, members) in enumerate(lines):
        for c in (*members, total):
            if hidden[c]:
                touching.setdefault(c, []).append(number)
    ceiling = 10.0 * max(float(values.max()) if len(values) else 0.0, 1.0)
    failures: list[_Failure] = []
    checked = solved = 0
    for component in _components(hidden, lines):
        targets = [c for c in component if confidential[c]]
        checked += len(targets)
        ups = [c for c in targets if c not in above]
        downs = [c for c in targets if c not in below]
        if not ups and not downs:
            continue
        numbers = sorted({n for c in component for n in touching.get(c, [])})
        system = [lines[n] for n in numbers]
        if len(numbers) == 1:  # one line: its sum gives the intervals, no program
            wrong = {
                f.cell: f
                for f in _one_line(values, set(component), system[0], targets, share)
                if not f.protects_within(share, known.get(f.cell))
            }
            for c in targets:
                interval = wrong.get(c)
                if interval is None:
                    above.add(c)
                    below.add(c)
                    continue
                failures += _line_failures(values, interval, share, known.get(c), system[0], hidden)
            continue
        a_eq, b_eq = _system(values, component, system)
        problem = _Bounds(a_eq, b_eq, len(component), ceiling)
        index = {c: k for k, c in enumerate(component)}
        for upper, open_, done in ((True, ups, above), (False, downs, below)):
            aims = {
                index[c]: _aim(float(values[c]), share, known.get(c), upper=upper) for c in open_
            }
            if not aims:
                continue
            failed = problem.unreached(aims, share, upper=upper)
            done.update(component[k] for k in aims if k not in failed)
            for k in sorted(failed):
                need = aims[k] * (1 + share) if upper else aims[k] * (1 - share)
                failures.append(
                    problem.failure(component, system, values, hidden, k, need, upper=upper)
                )
        solved += problem.solved
    return failures, checked, solved


def _line_failures(
    values: FloatArray,
    interval: Interval,
    share: float,
    known: tuple[float, float] | None,
    line: Line,
    hidden: BoolArray,
) -> list[_Failure]:
    """The failing sides of a cell of a one-line component: any open cell of the line
    widens it by its value (down: an open member; up: the open total or members)."""
    low = max(interval.value * (1 - share), known[0]) if known else interval.value * (1 - share)
    high = min(interval.value * (1 + share), known[1]) if known else interval.value * (1 + share)
    total, members = line
    # Hiding an open member frees its value; hiding the total frees the line upwards.
    gains = {c: float(values[c]) for c in members if not hidden[c] and values[c] > 0}
    if not hidden[total]:
        gains[total] = float("inf")
    out = []
    if interval.low > low:
        out.append(_Failure(interval.cell, False, interval.low - low, gains))
    if interval.high < high:
        out.append(_Failure(interval.cell, True, high - interval.high, gains))
    return out


class _Bounds(_Problem):
    """A component's programs, keeping each single-cell program's result: the program that
    decides a failing cell in :meth:`unreached` is its exact bound, with its duals."""

    def __init__(self, a_eq: sparse.csr_matrix, b_eq: FloatArray, n: int, ceiling: float):
        super().__init__(a_eq, b_eq, n, ceiling)
        self.results: dict[tuple[int, bool], OptimizeResult] = {}

    def solve(self, objective: FloatArray) -> FloatArray | None:
        self.solved += 1
        result = linprog(
            objective, A_eq=self.a_eq, b_eq=self.b_eq, bounds=(0, self.ceiling), method="highs"
        )
        chosen = np.flatnonzero(objective)
        if len(chosen) == 1:
            k = int(chosen[0])
            self.results[(k, bool(objective[k] < 0))] = result
        return np.asarray(result.x) if result.status == 0 else None

    def failure(
        self,
        component: list[int],
        system: list[Line],
        values: FloatArray,
        hidden: BoolArray,
        k: int,
        need: float,
        *,
        upper: bool,
    ) -> _Failure:
        """The failing side ``upper`` of component cell ``k``, asked to reach ``need``: how
        far its exact bound is, and each open cell's estimated gain if hidden (the program's
        duals: hiding cell j and moving it by d changes every right-hand side it is in)."""
        result = self.results.get((k, upper))
        if result is None:
            objective = np.zeros(self.n)
            objective[k] = -1.0 if upper else 1.0
            self.solve(objective)
            result = self.results[(k, upper)]
        cell = component[k]
        if result.status != 0:  # no optimum: no bound, no duals
            return _Failure(cell, upper, float("inf"), {})
        bound = float(result.x[k])
        missing = need - bound if upper else bound - need
        duals = np.asarray(result.eqlin.marginals)
        # d(objective)/d(move of an open cell j) = -Σ coef(j, line) · dual(line), with coef
        # +1 where j is a member and -1 where it is the total (see _system's right sides).
        rate: dict[int, float] = {}
        for r, (total, members) in enumerate(system):
            y = float(duals[r])
            if y == 0.0:
                continue
            for c in members:
                if not hidden[c]:
                    rate[c] = rate.get(c, 0.0) - y
            if not hidden[total]:
                rate[total] = rate.get(total, 0.0) + y
        gains = {}
        for c, slope in rate.items():
            if abs(slope) < 1e-9 or values[c] <= 0:
                continue
            # The objective falls (the bound improves) moving the cell up when the slope is
            # negative (no limit short of the ceiling) and down when positive (to zero).
            gains[c] = (
                -slope * (self.ceiling - float(values[c]))
                if slope < 0
                else slope * float(values[c])
            )
        return _Failure(cell, upper, max(missing, 0.0), gains)


def _repair(
    values: FloatArray,
    hidden: BoolArray,
    lines: list[Line],
    failure: _Failure,
    frozen: BoolArray,
    near: dict[int, list[int]],
) -> None:
    """Hide the cheapest open cells whose estimated gains cover what ``failure`` misses;
    without usable estimates, the largest open cell near it (:func:`protection._widen`)."""
    usable = {c: g for c, g in failure.gains.items() if not hidden[c] and not frozen[c]}
    if not usable:
        _widen(values, hidden, lines, failure.cell, frozen, near)
        return
    enough = [c for c, g in usable.items() if g >= failure.missing * 1.01]
    if enough:
        hidden[min(enough, key=lambda c: (float(values[c]), c))] = True
        return
    covered = 0.0
    for c in sorted(usable, key=lambda c: (-usable[c], c))[:PER_FAILURE]:
        hidden[c] = True
        covered += usable[c]
        if covered >= failure.missing * 1.01:
            return
