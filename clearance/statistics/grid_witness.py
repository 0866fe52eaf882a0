"""Cheap witnesses of protection in a plain two-way table, before any linear program.

In a table whose lines are its rows and columns (margins in the last row and column), moving
suppressed interior cells by +d and -d in turn around a closed path that alternates between
a row and a column keeps every row and column sum: every row and column on the path gains d
at one cell and loses it at another. Such a cycle through a confidential cell that moves it
by its protection share, with every cell losing d holding at least d, is a table consistent
with everything published: an explicit witness that the cell's interval reaches that far on
that side, exactly what the audit's linear program would otherwise have to find.

:func:`rectangles` tries the cycles of four cells for many cells at once (numpy over the
largest suppressed cells of each row and column); :class:`Flows` decides one cell exactly, as a
maximum flow between rows and columns (several cycles, each carrying part of the move).
Neither can wrongly pass a cell: each only reports a side when the moved table exists.
Cells they do not reach go to the linear programs.
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
    """Which ``targets`` a suppressed interior rectangle moves up, and down, by their share.

    For a cell (i, j) and opposite corner (i2, j2), all four suppressed: +d at the cell and
    its opposite corner, -d at (i, j2) and (i2, j) keeps every line's sum; the corners losing
    d must hold it (up), or the cell and its opposite corner lose it (down: the cell holds d,
    the opposite corner must). The corners tried are the ``tries`` largest suppressed cells
    of the cell's row and of its column (ties by position). Margin cells get neither side.
    """
    rows, width = grid
    nr, nc = rows - 1, width - 1
    up = np.zeros(len(targets), np.bool_)
    down = np.zeros(len(targets), np.bool_)
    if nr < 2 or nc < 2 or not len(targets):
        return up, down
    # One extra row and column, never suppressed, pad the short candidate lists.
    shown = np.zeros((nr + 1, nc + 1), np.bool_)
    shown[:nr, :nc] = suppressed.reshape(rows, width)[:nr, :nc]
    value = np.zeros((nr + 1, nc + 1))
    value[:nr, :nc] = values.reshape(rows, width)[:nr, :nc]
    by_column = _largest_first(shown[:nr, :nc], value[:nr, :nc], tries + 1, pad=nr)
    by_row = _largest_first(shown[:nr, :nc].T, value[:nr, :nc].T, tries + 1, pad=nc)
    i_all, j_all = np.divmod(np.asarray(targets, np.int64), width)
    inside = np.flatnonzero((i_all < nr) & (j_all < nc))
    for start in range(0, len(inside), BATCH):
        at = inside[start : start + BATCH]
        i, j = i_all[at], j_all[at]
        need = share * value[i, j]
        in_col = _without(by_column[j], i, tries)  # rows i2 != i, largest first
        in_row = _without(by_row[i], j, tries)  # columns j2 != j
        corner = shown[in_col[:, :, None], in_row[:, None, :]]
        # up: the cell's column (i2, j) and row (i, j2) cells give d
        gives_col = shown[in_col, j[:, None]] & (value[in_col, j[:, None]] >= need[:, None])
        gives_row = shown[i[:, None], in_row] & (value[i[:, None], in_row] >= need[:, None])
        up[at] = (corner & gives_col[:, :, None] & gives_row[:, None, :]).any(axis=(1, 2))
        # down: the opposite corner gives d; (i2, j) and (i, j2) only need to be suppressed
        col_open = shown[in_col, j[:, None]]
        row_open = shown[i[:, None], in_row]
        opposite = value[in_col[:, :, None], in_row[:, None, :]] >= need[:, None, None]
        down[at] = (corner & opposite & col_open[:, :, None] & row_open[:, None, :]).any(
            axis=(1, 2)
        )
    return up, down


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
        """Whether the suppressed cells can move ``cell`` by its share, up or down.

        Capacities are integers (scipy's ``maximum_flow``) in units of d / 2**20, rounded
        down: rounding can miss a witness but never invent one.
        """
        rows, width = self.grid
        i, j = divmod(cell, width)
        self.edges += len(self.cells)
        need = share * float(self.values[cell])
        if need <= 0:  # a cell worth nothing: the published table itself is the witness
            return True
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
        return bool(maximum_flow(graph, source, i).flow_value >= _UNITS)


#: d in integer capacity units (a flow of this many units moves the cell by d).
_UNITS = 2**20
