"""Cross-tabs over the columnar facts: sums, and who contributed how much to each cell.

Pure numpy: a query selects facts (flow, period range, a few codes per dimension, an HS code
filter matching by prefix) and groups them by one or two axes. Every cell, margin and the
grand total gets the measures' sums (exact, in integer cents and thousandths) and, for
disclosure control, the number of traders contributing to its value and the two largest
contributions. One sort of the selected facts by (cell, trader) does all of it.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from clearance.statistics.columns import MEASURES, CodeArray, Columns, IntArray

BoolArray = npt.NDArray[np.bool_]

#: Axes a table can be grouped by: dimensions, HS levels and periods.
HS_LEVELS = {"hs2": 2, "hs4": 4, "hs6": 6, "hs8": 8, "hs10": 10}
PLAIN = ("flow", "partner", "consignment", "trade_mode", "office", "transport_mode", "trader")
AXES = (*PLAIN, "region", *HS_LEVELS, "month", "quarter", "year")
TOTAL = "_T"  # the label of a margin (SDMX's code for "total")
#: The unit of a cell whose facts state their quantity in more than one unit (kilograms and
#: pieces): such quantities do not add up, so the cell shows no quantity.
MIXED_UNITS = "mixed"
#: Each summed quantity and the dimension holding its unit.
QUANTITY_UNITS = {"quantity1": "unit1", "quantity2": "unit2"}

#: Cells (margins included) above which a table is refused before any work: its cross-tab,
#: protection, audit and answer grow with the cells (hs4 x partner over a year of a million
#: facts, 478,696 cells, takes about 12 CPU-s; docs/statistics.md, Figures). A deterministic
#: limit, not a timeout: the same query is always answered or always refused.
MAX_CELLS = 1_000_000


class QueryError(ValueError):
    """A query names an unknown axis or a malformed filter, or its table is too large."""


@dataclass(frozen=True)
class Query:
    """One- or two-way table: axes, period range (YYYYMM, inclusive), filters per dimension.

    Filters name codes of a dimension (``partner``, ``trade_mode`` …); ``hs`` codes match by
    prefix (``0901`` selects every line under heading 0901).
    """

    rows: str
    columns: str | None = None
    flow: str | None = None  # "M", "X", or None for both
    period_from: int = 0
    period_to: int = 999912
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def check(self) -> None:
        """Raise :class:`QueryError` naming the first problem."""
        for axis in (self.rows, self.columns):
            if axis is not None and axis not in AXES:
                raise QueryError(f"unknown axis {axis!r}: one of {', '.join(AXES)}")
        if self.columns is not None and self.columns == self.rows:
            raise QueryError("rows and columns must be different axes")
        if self.flow not in (None, "M", "X"):
            raise QueryError(f"flow must be M (imports) or X (exports), not {self.flow!r}")
        for name in self.filters:
            if name not in (*PLAIN, "region", "hs"):
                raise QueryError(f"cannot filter on {name!r}")


@dataclass
class Grid:
    """A cross-tab: interior cells plus margins; the last row (and column) are totals.

    Arrays have shape ``(rows + 1, columns + 1)`` for a two-way table and ``(rows + 1, 1)``
    for a one-way one. ``top1``/``top2`` are the two largest traders' values (CNY cents).
    """

    row_axis: str
    column_axis: str | None
    row_labels: list[str]
    column_labels: list[str]
    sums: dict[str, IntArray]
    items: IntArray
    traders: IntArray
    top1: IntArray
    top2: IntArray
    revised: BoolArray
    provisional: BoolArray
    #: Additive row groups (parent row, its child rows); None: the last row totals the others.
    row_groups: list[tuple[int, list[int]]] | None = None
    #: Interior cells a trader with an accepted confidentiality request contributes to.
    requested: BoolArray | None = None
    #: Per summed quantity (``quantity1``, ``quantity2``), each cell's unit: the one unit of
    #: every fact in it with that quantity, :data:`MIXED_UNITS`, or None (no such quantity).
    units: dict[str, npt.NDArray[np.object_]] = field(default_factory=dict)

    @property
    def groups(self) -> list[tuple[int, list[int]]]:
        """The row groups: the total row over every other row unless subtotals say otherwise."""
        nr = len(self.row_labels)
        return self.row_groups if self.row_groups is not None else [(nr, list(range(nr)))]

    @property
    def shape(self) -> tuple[int, int]:
        """The arrays' shape."""
        rows, width = self.items.shape
        return int(rows), int(width)

    @property
    def two_way(self) -> bool:
        """Whether there is a column axis (and so a column of row totals)."""
        return self.column_axis is not None


def crosstab(
    cols: Columns,
    query: Query,
    *,
    revised_after: Mapping[int, int] | None = None,
    final_periods: frozenset[int] = frozenset(),
    confidential_traders: frozenset[str] = frozenset(),
    within: BoolArray | None = None,
) -> Grid:
    """The table of ``query`` over ``cols`` (only the facts marked in ``within``, if given).

    ``revised_after`` maps a period to the fact sequence of its first publication: a fact of
    that period changed after it (a later revision) flags its cells revised. A cell is
    provisional unless every period it covers is in ``final_periods``. Interior cells that a
    trader of ``confidential_traders`` (accepted confidentiality requests) contributes a value
    to are marked in ``Grid.requested``.
    """
    query.check()
    # From here on only the selected facts: their positions, then small gathers.
    mask = _select(cols, query)
    chosen = np.flatnonzero(mask if within is None else mask & within)
    r_codes, r_labels = _axis(cols, query.rows, chosen)
    if query.columns is None:
        c_codes, c_labels = np.zeros(len(chosen), np.int32), [TOTAL]
    else:
        c_codes, c_labels = _axis(cols, query.columns, chosen)
    r_map, rows = _compact(r_codes, len(r_labels))
    c_map, columns = _compact(c_codes, len(c_labels))
    if query.columns is None:  # one column, also when nothing is selected
        c_map, columns = np.zeros(1, np.int32), [0]
    nr, nc = len(rows), len(columns)
    _check_size(query, nr, nc)
    cell = r_map[r_codes].astype(np.int64) * nc + c_map[c_codes]
    counted = cols.numbers["counted"][chosen] == 1
    grid = _aggregate(cols, chosen[counted], cell[counted], nr, nc, query.columns is not None)
    two_way = query.columns is not None
    flags = _flags(cols, chosen, cell, (nr, nc, two_way), revised_after or {}, final_periods)
    return Grid(
        query.rows,
        query.columns,
        [r_labels[i] for i in rows],
        [c_labels[i] for i in columns] if query.columns else [TOTAL],
        *grid,
        *flags,
        requested=_requested(
            cols, chosen[counted], cell[counted], (nr, nc, two_way), confidential_traders
        ),
        units=_units(cols, chosen[counted], cell[counted], (nr, nc, two_way)),
    )


def _units(
    cols: Columns, chosen: IntArray, cell: IntArray, shape: tuple[int, int, bool]
) -> dict[str, npt.NDArray[np.object_]]:
    """Each cell's unit per quantity: the smallest and largest unit code among the facts with
    that quantity, in the interior and over each margin's cells; equal: that unit."""
    nr, nc, two_way = shape
    width = nc + 1 if two_way else 1
    none, big = -1, np.iinfo(np.int64).max
    out: dict[str, npt.NDArray[np.object_]] = {}
    for measure, dimension in QUANTITY_UNITS.items():
        has = cols.measures[measure][chosen] != 0
        codes = cols.codes[dimension][chosen][has].astype(np.int64)
        lo, hi = np.full(nr * nc, big, np.int64), np.full(nr * nc, none, np.int64)
        np.minimum.at(lo, cell[has], codes)
        np.maximum.at(hi, cell[has], codes)
        low, high = np.full((nr + 1, width), big, np.int64), np.full((nr + 1, width), none)
        lo_in, hi_in = lo.reshape(nr, nc), hi.reshape(nr, nc)
        low[:nr, :nc], high[:nr, :nc] = lo_in, hi_in
        if two_way:
            low[:nr, nc], high[:nr, nc] = lo_in.min(1, initial=big), hi_in.max(1, initial=none)
            low[nr, :nc], high[nr, :nc] = lo_in.min(0, initial=big), hi_in.max(0, initial=none)
        low[nr, width - 1] = lo_in.min(initial=big)
        high[nr, width - 1] = hi_in.max(initial=none)
        labels = cols.labels[dimension]
        names = np.array([*labels, MIXED_UNITS, None], dtype=object)
        pick = np.where(high == none, len(labels) + 1, np.where(low == high, low, len(labels)))
        out[measure] = names[pick]
    return out


def _check_size(query: Query, nr: int, nc: int) -> None:
    """Refuse a table of more than :data:`MAX_CELLS` cells, naming its size and how to
    narrow it, before anything is summed."""
    cells = (nr + 1) * (nc + 1 if query.columns is not None else 1)
    if cells > MAX_CELLS:
        raise QueryError(
            f"the table would have {cells:,} cells ({nr:,} rows x {nc:,} columns with their "
            f"totals), more than the {MAX_CELLS:,} answered: narrow it with filters (e.g. "
            "hs=84 or a few partners), a shorter period, or a coarser axis (hs2 for hs4)"
        )


def _requested(
    cols: Columns,
    chosen: IntArray,
    cell: IntArray,
    shape: tuple[int, int, bool],
    traders: frozenset[str],
) -> BoolArray | None:
    """Interior cells holding a positive value of one of ``traders`` (margins stay False:
    they follow the ordinary rules, and secondary protection keeps the interior safe)."""
    if not traders:  # the common case: no request accepted, no scan of the trader labels
        return None
    labels = cols.labels["trader"]
    wanted = [i for i, label in enumerate(labels) if label in traders]
    if not wanted:
        return None
    nr, nc, two_way = shape
    mine = np.isin(cols.codes["trader"][chosen], np.array(wanted, np.int32))
    mine &= cols.measures["value_cny"][chosen] > 0
    hits = np.bincount(cell[mine], minlength=nr * nc)[: nr * nc] > 0
    out = np.zeros((nr + 1, nc + 1 if two_way else 1), np.bool_)
    out[:nr, :nc] = hits.reshape(nr, nc)
    return out


def selection(cols: Columns, query: Query) -> BoolArray:
    """The counted facts ``query``'s frame takes (flow, period range, filters; axes aside)."""
    query.check()
    chosen: BoolArray = _select(cols, query) & (cols.numbers["counted"] == 1)
    return chosen


def _select(cols: Columns, query: Query) -> BoolArray:
    period = cols.numbers["period"]
    mask = (period >= query.period_from) & (period <= query.period_to)
    if query.flow is not None:
        mask &= _in(cols, "flow", (query.flow,))
    for name, values in query.filters.items():
        if values:
            mask &= _in(cols, name, values)
    return mask


def _in(cols: Columns, name: str, values: tuple[str, ...]) -> BoolArray:
    labels = cols.labels[name]
    if name == "hs":
        wanted = [i for i, label in enumerate(labels) if label.startswith(values)]
    else:
        chosen = set(values)
        wanted = [i for i, label in enumerate(labels) if label in chosen]
    table = np.zeros(len(labels) + 1, np.bool_)
    table[wanted] = True
    return table[cols.codes[name]]


def _axis(cols: Columns, axis: str, chosen: IntArray) -> tuple[CodeArray, list[str]]:
    """Codes of the facts at ``chosen`` on ``axis``, and the axis's labels."""
    if axis in HS_LEVELS or axis == "region":
        source = "hs" if axis in HS_LEVELS else "region"
        width = HS_LEVELS.get(axis, 6)
        labels, mapping = _derive([label[:width] for label in cols.labels[source]])
        codes = cols.codes[source][chosen]
        return mapping[codes] if len(mapping) else codes, labels
    if axis in ("month", "quarter", "year"):
        period = cols.numbers["period"][chosen]
        year, month = period // 100, period % 100
        key = {"month": period, "quarter": year * 10 + (month + 2) // 3, "year": year}[axis]
        if not len(key):
            return np.zeros(0, np.int32), []
        low, high = int(key.min()), int(key.max())  # an offset, not a sort: absent slots
        labels = [_period_label(axis, v) for v in range(low, high + 1)]  # are dropped later
        return (key - low).astype(np.int32), labels
    return cols.codes[axis][chosen], cols.labels[axis]


def _period_label(axis: str, value: int) -> str:
    if axis == "month":
        return f"{value // 100:04d}-{value % 100:02d}"
    if axis == "quarter":
        return f"{value // 10:04d}-Q{value % 10}"
    return f"{value:04d}"


def _derive(values: list[str]) -> tuple[list[str], CodeArray]:
    labels = sorted(set(values))
    index = {label: i for i, label in enumerate(labels)}
    return labels, np.array([index[v] for v in values], np.int32)


def _compact(codes: CodeArray, size: int) -> tuple[CodeArray, list[int]]:
    """Renumber the codes present, in label order: (mapping old → new, old codes kept)."""
    present = np.bincount(codes, minlength=size) > 0 if len(codes) else np.zeros(size, bool)
    mapping = (np.cumsum(present) - 1).astype(np.int32)
    return mapping, [int(i) for i in np.flatnonzero(present)]


def _aggregate(
    cols: Columns, chosen: IntArray, cell: IntArray, nr: int, nc: int, two_way: bool
) -> tuple[dict[str, IntArray], IntArray, IntArray, IntArray, IntArray]:
    """Sums and trader concentration of the facts at ``chosen`` (their cells in ``cell``)."""
    width = nc + 1 if two_way else 1
    shape = (nr + 1, width)
    nt = max(len(cols.labels["trader"]), 1)
    key = cell * nt + cols.codes["trader"][chosen]
    dense = _dense_pairs(key, nr * nc * nt, [cols.measures[m][chosen] for m in MEASURES])
    if dense is not None:
        pair_key, sums_list, pair_items = dense
        pair_sums = dict(zip(MEASURES, sums_list, strict=True))
    else:
        order = np.argsort(key)
        key = key[order]
        chosen = chosen[order]  # one gather per measure below, in (cell, trader) order
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else key
        pair_key = key[starts]
        pair_sums = {
            m: np.add.reduceat(cols.measures[m][chosen], starts)
            if len(key)
            else np.zeros(0, np.int64)
            for m in MEASURES
        }
        pair_items = np.diff(np.r_[starts, len(key)]) if len(key) else np.zeros(0, np.int64)
    pair_cell, pair_trader = pair_key // nt, pair_key % nt
    sums = {m: _fill(shape, pair_cell, v, nr, nc, two_way) for m, v in pair_sums.items()}
    items = _fill(shape, pair_cell, pair_items, nr, nc, two_way)
    value = pair_sums["value_cny"]
    traders, top1, top2 = (np.zeros(shape, np.int64) for _ in range(3))
    rows_, cols_ = pair_cell // nc, pair_cell % nc
    for level, ((i, j), group_cell, size) in enumerate(_levels(rows_, cols_, nr, nc, two_way)):
        # The interior level's pairs are already one per (cell, trader), in cell order.
        n, t1, t2 = _concentration(group_cell, pair_trader, nt, value, size, level == 0)
        target = np.shape(traders[i, j])
        traders[i, j], top1[i, j], top2[i, j] = (x.reshape(target) for x in (n, t1, t2))
    return sums, items, traders, top1, top2


def _levels(
    rows: IntArray, cols: IntArray, nr: int, nc: int, two_way: bool
) -> list[tuple[tuple[slice | int, slice | int], IntArray, int]]:
    """The cell groupings: interior, row margins, column margins, grand total."""
    zero = np.zeros_like(rows)
    if not two_way:
        return [((slice(0, nr), 0), rows, nr), ((nr, 0), zero, 1)]
    return [
        ((slice(0, nr), slice(0, nc)), rows * nc + cols, nr * nc),
        ((slice(0, nr), nc), rows, nr),
        ((nr, slice(0, nc)), cols, nc),
        ((nr, nc), zero, 1),
    ]


def _fill(
    shape: tuple[int, int], pair_cell: IntArray, values: IntArray, nr: int, nc: int, two_way: bool
) -> IntArray:
    """Sum pair values into the interior; margins as sums of the interior (exact)."""
    out = np.zeros(shape, np.int64)
    interior = np.zeros(nr * nc, np.int64)
    np.add.at(interior, pair_cell, values)
    grid = interior.reshape(nr, nc)
    if two_way:
        out[:nr, :nc] = grid
        out[:nr, nc] = grid.sum(axis=1)
        out[nr, :nc] = grid.sum(axis=0)
        out[nr, nc] = grid.sum()
    else:
        out[:nr, 0] = grid[:, 0]
        out[nr, 0] = grid.sum()
    return out


#: Most (cell, trader) slots summed by counting rather than sorting (8 bytes a slot).
DENSE_SLOTS = 32_000_000
_EXACT = 2**53  # float64 adds integers exactly below this


def _dense_pairs(
    key: IntArray, slots: int, measures: list[IntArray]
) -> tuple[IntArray, list[IntArray], IntArray] | None:
    """Per distinct key, in key order: the key, each measure's sum, the count; by counting
    into ``slots`` bins, linear instead of a sort. None when there are too many slots or a
    sum could leave the range where float64 bins add integers exactly (then sort instead)."""
    if slots > DENSE_SLOTS or not len(key):
        return None
    for values in measures:
        if len(values) and (int(values.min()) < 0 or int(values.sum()) >= _EXACT):
            return None
    counts = np.bincount(key, minlength=slots)
    present = np.flatnonzero(counts)
    sums = [
        np.rint(np.bincount(key, weights=values, minlength=slots)[present]).astype(np.int64)
        for values in measures
    ]
    return present.astype(np.int64), sums, counts[present].astype(np.int64)


def _concentration(
    group: IntArray, trader: IntArray, nt: int, value: IntArray, size: int, grouped: bool
) -> tuple[IntArray, IntArray, IntArray]:
    """Per group: traders with a positive value, the largest and second largest of them.

    ``grouped``: the pairs are already one per (group, trader), sorted by group. Otherwise
    they are summed per (group, trader) first. No ranking sort: the largest is a maximum per
    group, the second the maximum once one occurrence of the largest is set aside.
    """
    if grouped:
        g, per_trader = group, value
    else:
        key = group * nt + trader
        dense = _dense_pairs(key, size * nt, [value])
        if dense is not None:
            k, (per_trader,), _ = dense
            g = k // nt
        else:
            order = np.argsort(key)
            k = key[order]
            starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]]) if len(k) else k
            per_trader = np.add.reduceat(value[order], starts) if len(k) else value
            g = k[starts] // nt if len(k) else k
    keep = per_trader > 0
    g, per_trader = g[keep], per_trader[keep]
    n = np.bincount(g, minlength=size).astype(np.int64)
    top1, top2 = np.zeros(size, np.int64), np.zeros(size, np.int64)
    if len(g):
        starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
        first = np.maximum.reduceat(per_trader, starts)
        top1[g[starts]] = first
        # Set aside the first occurrence of each group's maximum, then take the maximum again.
        spread = np.repeat(first, np.diff(np.r_[starts, len(g)]))
        is_max = per_trader == spread
        position = np.arange(len(g))
        first_max = np.minimum.reduceat(np.where(is_max, position, len(g)), starts)
        rest = per_trader.copy()
        rest[first_max] = 0
        top2[g[starts]] = np.maximum.reduceat(rest, starts)
    return n, top1, top2


def _flags(
    cols: Columns,
    chosen: IntArray,
    cell: IntArray,
    shape: tuple[int, int, bool],
    revised_after: Mapping[int, int],
    final_periods: frozenset[int],
) -> tuple[BoolArray, BoolArray]:
    """Cells holding a fact changed after its period's first publication; cells holding a
    fact of a period not published as final (withdrawn facts count for both)."""
    nr, nc, two_way = shape
    period = cols.numbers["period"][chosen]
    revised = np.zeros(len(chosen), np.bool_)
    if revised_after:
        changed = cols.numbers["revision"][chosen] > 0
        seq = cols.numbers["seq"][chosen]
        for p, published_seq in revised_after.items():
            revised |= changed & (period == p) & (seq > published_seq)
    provisional = ~np.isin(period, np.array(sorted(final_periods), np.int64))
    return _any(cell, revised, nr, nc, two_way), _any(cell, provisional, nr, nc, two_way)


def _any(cell: IntArray, flag: BoolArray, nr: int, nc: int, two_way: bool) -> BoolArray:
    hits = np.bincount(cell[flag], minlength=nr * nc)[: nr * nc] > 0
    grid = hits.reshape(nr, nc)
    if not two_way:
        out = np.zeros((nr + 1, 1), np.bool_)
        out[:nr, 0] = grid[:, 0]
        out[nr, 0] = grid.any()
        return out
    out = np.zeros((nr + 1, nc + 1), np.bool_)
    out[:nr, :nc] = grid
    out[:nr, nc] = grid.any(axis=1)
    out[nr, :nc] = grid.any(axis=0)
    out[nr, nc] = grid.any()
    return out


def with_subtotals(levels: list[Grid]) -> Grid:
    """One grid of HS rows with subtotals from grids of the same query at nested HS levels
    (finest first, e.g. hs6, hs4, hs2): rows in code order, each parent before its children,
    and the row groups saying which rows sum to which."""
    labels = [label for grid in levels for label in grid.row_labels]
    source = [(g, i) for g, grid in enumerate(levels) for i in range(len(grid.row_labels))]
    order = sorted(range(len(labels)), key=lambda k: labels[k])
    rows = [labels[k] for k in order]
    picks = [source[k] for k in order]
    position = {label: i for i, label in enumerate(rows)}
    nr = len(rows)
    top = levels[-1]
    groups: list[tuple[int, list[int]]] = [(nr, [position[x] for x in top.row_labels])]
    for finer, coarser in itertools.pairwise(levels):
        width = len(coarser.row_labels[0]) if coarser.row_labels else 0
        children: dict[str, list[int]] = {}
        for label in finer.row_labels:
            children.setdefault(label[:width], []).append(position[label])
        groups += [(position[parent], kids) for parent, kids in children.items()]

    def stack(name: str) -> npt.NDArray[Any]:
        parts = [getattr(levels[g], name)[i] for g, i in picks]
        return np.vstack([*parts, getattr(levels[0], name)[-1]])

    sums = {
        m: np.vstack([*(levels[g].sums[m][i] for g, i in picks), levels[0].sums[m][-1]])
        for m in levels[0].sums
    }

    def stack_units(m: str) -> npt.NDArray[np.object_]:
        rows_ = [levels[g].units[m][i] for g, i in picks]
        return np.vstack([*rows_, levels[0].units[m][-1]])

    return Grid(
        levels[0].row_axis,
        levels[0].column_axis,
        rows,
        levels[0].column_labels,
        sums,
        stack("items"),
        stack("traders"),
        stack("top1"),
        stack("top2"),
        stack("revised"),
        stack("provisional"),
        groups,
        _stack_requested(levels, picks),
        {m: stack_units(m) for m in levels[0].units},
    )


def _stack_requested(levels: list[Grid], picks: list[tuple[int, int]]) -> BoolArray | None:
    """The request marks of the subtotal grid's rows (the total row unmarked)."""
    if all(g.requested is None for g in levels):
        return None
    parts = []
    for g, i in picks:
        marks = levels[g].requested
        parts.append(marks[i] if marks is not None else np.zeros(levels[g].shape[1], np.bool_))
    return np.vstack([*parts, np.zeros(levels[0].shape[1], np.bool_)])
