"""Cheap witnesses of protection in a plain two-way table, before any linear program.

In a table whose lines are its rows and columns (margins in the last row and column), moving
suppressed cells by +d and -d in turn around a closed path that alternates between a row and
a column keeps every row and column sum: every row and column on the path gains d at one
cell and loses it at another (a margin cell counted negative, z = -x, so that its line sums
to zero too: a margin cell whose z rises loses value). Such a cycle through a confidential
cell that moves it by its protection share, with every cell losing d holding at least d, is
a table consistent with everything published: an explicit witness that the cell's interval
reaches that far on that side, exactly what the audit's linear program would otherwise have
to find.

:func:`rectangles` tries the cycles of four cells for many cells at once (numpy over the
largest suppressed cells of each row and column); :class:`Flows` decides one cell exactly, as a
maximum flow between rows and columns (several cycles, each carrying part of the move).
Neither can wrongly pass a cell: each only reports a side when the moved table exists.
Cells they do not reach go to the linear programs, or, in a component too large for them,
are decided by the flows alone (:mod:`clearance.statistics.protection`).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.sparse.csgraph import maximum_flow

from clearance.statistics.cube import BoolArray

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Targets per batch of :func:`rectangles` (bounds the memory: batch x tries x tries).
BATCH = 2048


def rectangles(
    values: FloatArray,
    suppressed: BoolArray,
    grid: tuple[int, int],
    targets: IntArray,
    share: float,
    tries: int = 12,
) -> tuple[BoolArray, BoolArray]:
    """Which ``targets`` a suppressed rectangle moves up, and down, by their share.

    Counted as in :class:`Flows` (a margin cell as z = -x, every other cell as z = x), every
    row and column of the whole grid sums to zero. For a cell (i, j) and an opposite corner
    (i2, j2), all four suppressed, +s at the cell and its opposite corner and -s at (i, j2)
    and (i2, j) keeps every line's sum; s is +d or -d, whichever moves the cell's own value
    the way asked. A corner whose value falls (its z falls, or rises for a margin cell) must
    hold d; the cell itself always can (d is at most its value). The corners tried are the
    ``tries`` largest suppressed cells of the cell's row and of its column, margins included
    (ties by position), so margin cells are witnessed as well as interior ones.
    """
    rows, width = grid
    up = np.zeros(len(targets), np.bool_)
    down = np.zeros(len(targets), np.bool_)
    if rows < 2 or width < 2 or not len(targets):
        return up, down
    # One extra row and column, never suppressed, pad the short candidate lists.
    shown = np.zeros((rows + 1, width + 1), np.bool_)
    shown[:rows, :width] = suppressed.reshape(rows, width)
    value = np.zeros((rows + 1, width + 1))
    value[:rows, :width] = values.reshape(rows, width)
    margin = np.zeros((rows + 1, width + 1), np.bool_)
    margin[rows - 1, : width - 1] = True
    margin[: rows - 1, width - 1] = True
    by_column = _largest_first(shown[:rows, :width], value[:rows, :width], tries + 1, pad=rows)
    by_row = _largest_first(shown[:rows, :width].T, value[:rows, :width].T, tries + 1, pad=width)
    i_all, j_all = np.divmod(np.asarray(targets, np.int64), width)
    for start in range(0, len(targets), BATCH):
        i, j = i_all[start : start + BATCH], j_all[start : start + BATCH]
        need = share * value[i, j]
        in_col = _without(by_column[j], i, tries)  # rows i2 != i, largest first
        in_row = _without(by_row[i], j, tries)  # columns j2 != j
        side_col = (in_col, j[:, None])  # (i2, j)
        side_row = (i[:, None], in_row)  # (i, j2)
        opposite = (in_col[:, :, None], in_row[:, None, :])  # (i2, j2)
        for rises, out in ((True, up), (False, down)):
            # The sign of the cell's z move: a margin cell's value rises as its z falls.
            s: BoolArray = np.asarray(margin[i, j] != rises, np.bool_)
            col_ok = _holds(shown, value, margin, need, side_col, ~s)
            row_ok = _holds(shown, value, margin, need, side_row, ~s)
            far_ok = _holds(shown, value, margin, need, opposite, s)
            out[start : start + BATCH] = (far_ok & col_ok[:, :, None] & row_ok[:, None, :]).any(
                axis=(1, 2)
            )
    return up, down


def _holds(
    shown: BoolArray,
    value: FloatArray,
    margin: BoolArray,
    need: FloatArray,
    at: tuple[IntArray, IntArray],
    z_rises: BoolArray,
) -> BoolArray:
    """Whether the corners ``at`` (per target: an index broadcasting with one entry per
    target first) are suppressed and, where their value falls (their z falls, or rises for a
    margin cell), hold the target's ``need``. ``z_rises`` has one entry per target."""
    shape = (-1,) + (1,) * (np.broadcast(*at).ndim - 1)
    falls = z_rises.reshape(shape) == margin[at]
    ok: BoolArray = shown[at] & (~falls | (value[at] >= need.reshape(shape)))
    return ok


def _largest_first(shown: BoolArray, value: FloatArray, keep: int, pad: int) -> IntArray:
    """Per column of ``shown``: its first ``keep`` suppressed rows by value, largest first
    (a stable order: ties by row), padded with ``pad`` (the row that is never suppressed)."""
    key = np.where(shown, -value, np.inf)
    order = np.argsort(key, axis=0, kind="stable")[:keep].T  # columns x keep
    count = shown.sum(axis=0)
    out = np.full((shown.shape[1], keep), pad, np.int64)
    width = order.shape[1]
    out[:, :width] = np.where(np.arange(width)[None, :] < count[:, None], order, pad)
    return out


def _without(candidates: IntArray, own: IntArray, tries: int) -> IntArray:
    """Each row of ``candidates`` without its ``own`` entry (or its last), ``tries`` long."""
    drop = candidates == own[:, None]  # at most once per row: candidates are distinct
    drop[~drop.any(axis=1), -1] = True
    kept: IntArray = candidates[~drop].reshape(len(candidates), tries)
    return kept


class Flows:
    """The suppressed cells of one plain grid as a flow network (built once per audit).

    Count a margin cell negative (z = -x; the grand total and interior cells z = x): then
    every row and every column of the whole grid, margins included, sums to zero, and the
    moves that keep every published figure are the circulations of z between rows and
    columns (nodes) along suppressed cells (edges). Moving a cell's z by +d is a flow of d
    from its column to its row: column to row through cells whose z falls, row to column
    through cells whose z rises (-d: the other way round). A cell can only lose what it
    holds: an interior cell whose z falls, or a margin cell whose z rises, carries at most
    its value; the others are unbounded. A maximum flow finds a flow of d whenever such a
    moved table exists (several cycles sharing d included), so it decides what the cell's
    linear program would.
    """

    def __init__(self, values: FloatArray, suppressed: BoolArray, grid: tuple[int, int]):
        self.values, self.grid = values, grid
        rows, width = grid
        self.cells = np.flatnonzero(suppressed)
        self.r, self.c = np.divmod(self.cells, width)
        self.margin = (self.r == rows - 1) != (self.c == width - 1)  # z = -x
        self.held = values[self.cells]
        self.edges = 0  # edges of the networks built so far (the work done)

    def moves(self, cell: int, share: float, *, upper: bool) -> bool:
        """Whether the suppressed cells can move ``cell`` by its share, up or down."""
        return self.reach(cell, share, upper=upper) >= 1.0

    def reach(self, cell: int, share: float, *, upper: bool) -> float:
        """How far the suppressed cells can move ``cell`` up or down, as a fraction of its
        share d (1.0: all of d; a cell that can move further still reports 1.0).

        A gaining cell never needs more than d, so the flow is exactly the largest move up
        to d. Capacities are integers (scipy's ``maximum_flow``) in units of d / 2**20,
        rounded down: rounding can only make the move look smaller, never invent one.
        """
        rows, width = self.grid
        i, j = divmod(cell, width)
        self.edges += len(self.cells)
        need = share * float(self.values[cell])
        if need <= 0:  # a cell worth nothing: the published table itself is the witness
            return 1.0
        other = self.cells != cell  # the cell is the flow's source and sink, not an edge
        r, c, margin = self.r[other], self.c[other], self.margin[other]
        held = np.floor(np.minimum(self.held[other] / need, 1.0) * _UNITS)
        free = np.full(len(r), float(_UNITS))  # a cell that gains: d at most is ever needed
        falling = np.where(margin, free, held)
        rising = np.where(margin, held, free)
        rises = upper != ((i == rows - 1) != (j == width - 1))  # the cell's own z
        col_to_row, row_to_col = (falling, rising) if rises else (rising, falling)
        # Nodes: rows 0..rows-1, then the columns, then a source feeding d into column j.
        source = rows + width
        tails = np.concatenate([rows + c, r, [source]])
        heads = np.concatenate([r, rows + c, [rows + j]])
        caps = np.concatenate([col_to_row, row_to_col, [_UNITS]]).astype(np.int32)
        keep = caps > 0
        graph = sparse.csr_array(
            (caps[keep], (tails[keep], heads[keep])), shape=(source + 1, source + 1)
        )
        return min(float(maximum_flow(graph, source, i).flow_value) / _UNITS, 1.0)


#: d in integer capacity units (a flow of this many units moves the cell by d).
_UNITS = 2**20
