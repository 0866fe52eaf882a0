"""Protection across linked tables: a new table is protected together with those published.

Two tables are linked when their facts overlap. A published cell is the sum of *elementary
cells*: its own codes (its axes' labels, totals left out) over one *piece* of the facts,
where the pieces are the parts the frames (flow, period range, filters) of the tables taking
part cut the facts into. Publish partner × trade mode for January–March, then ask for
January–February: the pieces are January–February (in both frames) and March (in the first
only), and every cell of the quarter is its January–February cell plus its March cell. The
March cells are published by nobody, yet a public quarter cell minus a public two-month cell
gives one away: so the March cells are in the system too, with their own confidentiality
(the primary rules over their facts), and the audit must find each confidential one
uncertain enough. The same for filters (HS chapters {84, 85} against {84}: chapter 85 by
difference), month against quarter tables, year-to-date series and one flow against both.

A cell is identified across tables by its codes and the pieces it covers, so the row total
``(CN, _T)`` of ``partner × trade_mode`` and the row ``CN`` of the one-way ``partner`` table
over the same frame are one cell (as before: tables of one frame cover the same pieces), and
the January–February cell of the quarter table is the cell of the two-month table. A cell it
shares with a published table (the same identity and the same value) is one variable: hidden
there, it starts hidden here (the published suppression pattern is kept); public there, it
is *frozen* here (never chosen as a complement, it is public already). Complements are added
only in the new table. A published cell whose value has since changed (a revision) is a
different quantity and is not joined with the new one, nor linked to its pieces.

Published tables whose frames share facts with the new one take part, and so do those
sharing facts with a table taking part (a chain: January–February published, then
February–March, then January asked for: February–March narrows February through the
first table, and with it January), up to :data:`CHAIN_HOPS` tables away and
:data:`CHAIN_TABLES` tables in all, nearest first. The elementary cells of a table whose
frame is cut into several pieces are one extra cross-tab per piece (shared between tables
with the same axes).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from clearance.statistics.columns import Columns, IntArray
from clearance.statistics.cube import (
    HS_LEVELS,
    TOTAL,
    BoolArray,
    Grid,
    Query,
    crosstab,
    selection,
)
from clearance.statistics.protection import Audit, FloatArray, Known, Line, audit_table, grid_lines
from clearance.store.statistics_request_tables import StatPublishedCell, StatPublishedTable

Key = tuple[tuple[str, str], ...]

#: How far a chain of published tables is followed: a table sharing facts with the new one
#: is one step away, a table sharing facts only with that one two steps, and so on.
CHAIN_HOPS = 3
#: At most this many published tables take part through a chain (the nearest, then the
#: oldest first): each adds its cells, and its frame may cut the facts into more pieces.
#: Tables sharing facts with the new one directly always take part, however many.
CHAIN_TABLES = 24


def _capped(steps: list[list[int]]) -> list[int]:
    """The tables found step by step, nearest first: every table of the first step (those
    sharing facts with the new one: leaving one out could give a cell away by difference),
    then the chain's up to :data:`CHAIN_TABLES` in all."""
    if not steps:
        return []
    first, rest = steps[0], [t for step in steps[1:] for t in step]
    return first + rest[: max(CHAIN_TABLES - len(first), 0)]


def frame(query: Query) -> str:
    """What a table's cells partition: flow, period range, filters (canonical JSON)."""
    filters = {k: sorted(v) for k, v in sorted(query.filters.items()) if v}
    return json.dumps(
        [query.flow, query.period_from, query.period_to, filters], separators=(",", ":")
    )


def cell_keys(
    row_axis: str, column_axis: str | None, rows: list[str], cols: list[str]
) -> list[Key]:
    """Each cell's identity across tables (row-major, margins included): its codes by axis,
    totals left out. HS rows carry their own level (subtotal rows are coarser)."""

    def part(axis: str | None, label: str) -> tuple[tuple[str, str], ...]:
        if axis is None or label == TOTAL:
            return ()
        if axis in HS_LEVELS:
            axis = f"hs{len(label)}"
        return ((axis, label),)

    return [tuple(sorted(part(row_axis, r) + part(column_axis, c))) for r in rows for c in cols]


def grid_keys(grid: Grid) -> list[Key]:
    """The keys of ``grid``'s cells."""
    rows = [*grid.row_labels, TOTAL]
    cols = grid.column_labels + ([TOTAL] if grid.two_way else [])
    return cell_keys(grid.row_axis, grid.column_axis, rows, cols)


def frame_query(text: str, rows: str, columns: str | None) -> Query:
    """The query of a recorded frame (:func:`frame`) over ``rows`` and ``columns``."""
    flow, low, high, filters = json.loads(text)
    return Query(
        rows=rows,
        columns=columns,
        flow=flow,
        period_from=int(low),
        period_to=int(high),
        filters={str(k): tuple(str(c) for c in v) for k, v in filters.items()},
    )


def overlaps(a: Query, b: Query) -> bool:
    """Whether two frames can share facts (a quick test on the queries; the facts decide)."""
    if a.flow is not None and b.flow is not None and a.flow != b.flow:
        return False
    if a.period_from > b.period_to or b.period_from > a.period_to:
        return False
    for name in set(a.filters) & set(b.filters):
        mine, theirs = a.filters[name], b.filters[name]
        if not mine or not theirs:
            continue
        if name == "hs":  # prefixes: 84 and 8471 share facts
            if not any(x.startswith(y) or y.startswith(x) for x in mine for y in theirs):
                return False
        elif not set(mine) & set(theirs):
            return False
    return True


@dataclass(frozen=True)
class Published:
    """A published table as the protection of a linked one needs it."""

    id: int
    keys: list[Key]
    values: FloatArray  # CNY (float, as the linear programs take them)
    cents: list[int]
    suppressed: BoolArray
    confidential: BoolArray
    lines: list[Line]
    query: Query | None = None  # its axes and frame (None: taken to be the new table's frame)


def chained(query: Query, candidates: dict[int, Query], hops: int = CHAIN_HOPS) -> list[int]:
    """The tables of ``candidates`` whose frames may share facts with ``query``'s, directly
    or through a chain of at most ``hops`` tables (see :data:`CHAIN_HOPS`), nearest first,
    at most :data:`CHAIN_TABLES` of them."""
    taken: list[int] = []
    steps: list[list[int]] = []
    frontier = [query]
    for _ in range(max(hops, 1)):
        found = [
            t
            for t, q in sorted(candidates.items())
            if t not in taken and any(overlaps(q, near) for near in frontier)
        ]
        if not found:
            break
        taken += found
        steps.append(found)
        frontier = [candidates[t] for t in found]
    return _capped(steps)


def published_overlapping(session: Session, query: Query) -> list[Published]:
    """The published tables whose frames may share facts with ``query``'s, directly or
    through a chain (:func:`chained`), oldest first."""
    heads = session.execute(
        select(
            StatPublishedTable.id,
            StatPublishedTable.frame,
            StatPublishedTable.row_axis,
            StatPublishedTable.column_axis,
        ).order_by(StatPublishedTable.id)
    ).all()
    every = {
        int(table_id): frame_query(text, rows, columns) for table_id, text, rows, columns in heads
    }
    frames = {t: every[t] for t in chained(query, every)}
    if not frames:
        return []
    # The lines (JSON, as long as the table) only of the tables taking part.
    wanted = {
        int(table_id): (frames[int(table_id)], lines)
        for table_id, lines in session.execute(
            select(StatPublishedTable.id, StatPublishedTable.lines).where(
                StatPublishedTable.id.in_(list(frames))
            )
        )
    }
    wanted = dict(sorted(wanted.items()))
    cells: dict[int, list[StatPublishedCell]] = {t: [] for t in wanted}
    for cell in session.scalars(
        select(StatPublishedCell)
        .where(StatPublishedCell.table_id.in_(list(wanted)))
        .order_by(StatPublishedCell.table_id, StatPublishedCell.position)
    ):
        cells[int(cell.table_id)].append(cell)
    out = []
    for table_id, (q, lines) in wanted.items():
        mine = cells[table_id]
        # cell_keys crosses rows with columns; here each cell names its own pair.
        keys = [cell_keys(q.rows, q.columns, [c.row], [c.column])[0] for c in mine]
        cents = [int(c.value_cents) for c in mine]
        out.append(
            Published(
                table_id,
                keys,
                np.array(cents, np.float64) / 100,
                cents,
                np.array([c.suppressed for c in mine], np.bool_),
                np.array([c.confidential for c in mine], np.bool_),
                [(int(a), tuple(int(m) for m in b)) for a, b in json.loads(lines)],
                q,
            )
        )
    return out


@dataclass(frozen=True)
class Facts:
    """What cutting frames into pieces needs: the facts and the primary rules."""

    cols: Columns
    classify: Callable[[Grid], BoolArray]  # the primary rules over a grid's cells
    confidential_traders: frozenset[str] = frozenset()
    chain_hops: int = CHAIN_HOPS  # 1: only tables sharing facts with the new one


@dataclass
class System:
    """One table's cells and lines joined with those of the published tables linked to it.

    The first ``own`` cells are the new table's, in its order; the others are published
    cells it does not share, and elementary cells (a cell over one piece of the facts).
    ``links`` say how cells are sums of their pieces (and how the pieces add up among
    themselves): equations for the audit, published by nobody.
    """

    own: int
    values: FloatArray
    confidential: BoolArray
    suppressed: BoolArray
    frozen: BoolArray
    lines: list[Line]
    linked: int  # published tables joined
    links: list[Line] = field(default_factory=list)
    elementary: int = 0  # cells over one piece of facts added to the system


Pieces = frozenset[int]
Axes = tuple[str, str | None]


@dataclass(frozen=True)
class _Split:
    """The pieces the frames cut the facts into, and each cut table's cells per piece."""

    published: list[Published]  # those sharing facts with the new table, or in a chain
    pieces: list[Pieces]  # per table, the new one first
    copies: dict[tuple[Axes, int], tuple[Grid, BoolArray]]  # (axes, piece): grid, primary


def _split(facts: Facts, query: Query, published: list[Published]) -> _Split:
    cols = facts.cols
    own = selection(cols, query)
    facts_of: dict[int, BoolArray] = {}
    for number, table in enumerate(published):
        if table.query is None:
            raise ValueError("a published table without its query cannot be cut into pieces")
        facts_of[number] = selection(cols, table.query)
    # Tables sharing facts with the new one, then with those (a chain), step by step.
    taken: list[int] = []
    steps: list[list[int]] = []
    frontier = [own]
    for _ in range(max(facts.chain_hops, 1)):
        found = [
            t
            for t in facts_of
            if t not in taken and any((facts_of[t] & near).any() for near in frontier)
        ]
        if not found:
            break
        taken += found
        steps.append(found)
        frontier = [facts_of[t] for t in found]
    taken = sorted(_capped(steps))  # the nearest, then in their order (oldest first)
    kept = [published[t] for t in taken]
    sets = [own, *(facts_of[t] for t in taken)]
    inside = np.flatnonzero(np.logical_or.reduce(sets))
    # A fact's piece: the set of frames holding it, as bits, renumbered now and then so
    # that the code never overflows however many tables take part.
    code = np.zeros(len(inside), np.int64)
    for number, chosen in enumerate(sets, 1):
        code = code * 2 + chosen[inside]
        if number % 40 == 0:
            code = _renumber(code)
    piece = _renumber(code)
    pieces = [frozenset(int(p) for p in np.unique(piece[chosen[inside]])) for chosen in sets]
    where = np.full(cols.rows, -1, np.int64)
    where[inside] = piece
    copies: dict[tuple[Axes, int], tuple[Grid, BoolArray]] = {}
    axes = [(query.rows, query.columns)] + [
        (t.query.rows, t.query.columns) for t in kept if t.query is not None
    ]
    for (rows, columns), cut in zip(axes, pieces, strict=True):
        if len(cut) < 2:  # one piece: the table's cells are the elementary cells
            continue
        for p in sorted(cut):
            if ((rows, columns), p) in copies:
                continue
            grid = crosstab(
                cols,
                Query(rows=rows, columns=columns),
                confidential_traders=facts.confidential_traders,
                within=where == p,
            )
            copies[((rows, columns), p)] = (grid, facts.classify(grid).ravel())
    return _Split(kept, pieces, copies)


def _renumber(code: IntArray) -> IntArray:
    """The codes as 0, 1, 2 … in their order (counting when small, else sorting)."""
    if not len(code):
        return code
    if int(code.max()) < 1 << 24:
        present = np.bincount(code) > 0
        return (np.cumsum(present) - 1).astype(np.int64)[code]
    return np.unique(code, return_inverse=True)[1].astype(np.int64).ravel()


def join(
    keys: list[Key],
    cents: list[int],
    values: FloatArray,
    confidential: BoolArray,
    lines: list[Line],
    published: list[Published],
    *,
    query: Query | None = None,
    facts: Facts | None = None,
) -> System:
    """The system of a new table (its keys, values, primary cells, lines) and ``published``.

    With ``query`` and ``facts`` the frames are cut into pieces and tables of other frames
    whose facts overlap take part, directly or through a chain (see the module's docstring);
    without them every table is taken to be over the new table's frame.
    """
    split = _split(facts, query, published) if facts is not None and query is not None else None
    if split is not None:
        published = split.published

    def cut(t: int) -> Pieces:
        return split.pieces[t] if split is not None else frozenset()

    n = len(keys)
    index: dict[tuple[Key, Pieces, int], int] = {}
    for i, (k, v) in enumerate(zip(keys, cents, strict=True)):
        index.setdefault((k, cut(0), v), i)
    vals, conf = list(values.tolist()), list(confidential.tolist())
    amount = list(cents)
    hidden, frozen = [False] * n, [False] * n

    def variable(key: Key, pieces: Pieces, v: int, hide: bool) -> int:
        at = index.get((key, pieces, v))
        if at is None:
            at = len(vals)
            index[(key, pieces, v)] = at
            vals.append(v / 100)
            amount.append(v)
            conf.append(False)
            hidden.append(hide)
            frozen.append(False)
        return at

    all_lines = list(lines)
    positions: list[list[int]] = [list(range(n))]  # per table: each cell's variable
    for t, table in enumerate(published, 1):
        local: list[int] = []
        for k, v, c, s in zip(
            table.keys,
            table.cents,
            table.confidential.tolist(),
            table.suppressed.tolist(),
            strict=True,
        ):
            at = variable(k, cut(t), v, False)
            conf[at] = conf[at] or bool(c)
            if s:
                hidden[at] = True
            else:
                frozen[at] = True
            local.append(at)
        all_lines += [(local[a], tuple(local[m] for m in ms)) for a, ms in table.lines]
        positions.append(local)
    links: list[Line] = []
    before = len(vals)
    if split is not None:
        links = _links(split, keys, cents, published, query, positions, variable, conf, amount)
    return System(
        n,
        np.array(vals, np.float64),
        np.array(conf, np.bool_),
        np.array(hidden, np.bool_),
        np.array(frozen, np.bool_),
        all_lines,
        len(published),
        links,
        len(vals) - before,
    )


def _links(
    split: _Split,
    keys: list[Key],
    cents: list[int],
    published: list[Published],
    query: Query | None,
    positions: list[list[int]],
    variable: Callable[[Key, Pieces, int, bool], int],
    conf: list[bool],
    amount: list[int],
) -> list[Line]:
    """Elementary cells as variables (hidden unless a table publishes them) and the links:
    each piece's own lines, and every cut table's cell as the sum of its pieces."""
    links: list[Line] = []
    parts: dict[tuple[Axes, int], dict[Key, int]] = {}
    for (axes, p), (grid, primary) in split.copies.items():
        local = [
            variable(k, frozenset({p}), int(v), True)
            for k, v in zip(grid_keys(grid), grid.sums["value_cny"].ravel().tolist(), strict=True)
        ]
        for at, c in zip(local, primary.tolist(), strict=True):
            conf[at] = conf[at] or bool(c)
        links += [
            (local[t], tuple(local[m] for m in ms))
            for t, ms in grid_lines(grid.shape, grid.two_way, grid.groups)
        ]
        parts[(axes, p)] = dict(zip(grid_keys(grid), local, strict=True))
    assert query is not None
    tables = [((query.rows, query.columns), keys, cents)]
    for table in published:
        assert table.query is not None  # _split kept only tables with their queries
        tables.append(((table.query.rows, table.query.columns), table.keys, table.cents))
    for t, (axes, tkeys, tcents) in enumerate(tables):
        cut = split.pieces[t]
        if len(cut) < 2:
            continue
        pieces = [parts[(axes, p)] for p in sorted(cut)]
        done: set[int] = set()
        for position, (k, v) in enumerate(zip(tkeys, tcents, strict=True)):
            members = tuple(part[k] for part in pieces if k in part)
            total = positions[t][position]
            # A revised cell (its pieces no longer add up to what was published) is not
            # linked: what was published stays a quantity of its own.
            if not members or total in done or sum(amount[m] for m in members) != v:
                continue
            done.add(total)
            links.append((total, members))
    return links


def known_before(system: System, share: float) -> tuple[Known, Audit]:
    """What the published tables alone already let an attacker infer, where it is narrower
    than the protection interval: the audit of the system with the new table adding nothing
    (every cell with a value hidden but those published already). Asking the new table to
    widen such a cell is asking for the impossible; it must only not narrow it further."""
    hidden = system.suppressed.copy()
    mine = system.values[: system.own] > 0
    hidden[: system.own] |= mine & ~system.frozen[: system.own]
    audit = audit_table(
        system.values, system.confidential, hidden, system.lines + system.links, share
    )
    return {f.cell: (f.low, f.high) for f in audit.failures}, audit


def record(
    session: Session,
    query: Query,
    grid: Grid,
    suppressed: BoolArray,
    confidential: BoolArray,
    lines: list[Line],
    seq: int,
    actor: str,
    now: datetime,
) -> int:
    """Record a protected table as published, cell by cell; its id."""
    rows = [*grid.row_labels, TOTAL]
    cols = grid.column_labels + ([TOTAL] if grid.two_way else [])
    cents = grid.sums["value_cny"].ravel().tolist()
    table = StatPublishedTable(
        frame=frame(query),
        row_axis=grid.row_axis,
        column_axis=grid.column_axis,
        seq=seq,
        cells=len(cents),
        lines=json.dumps([[t, list(m)] for t, m in lines], separators=(",", ":")),
        published_at=now,
        actor=actor,
    )
    session.add(table)
    session.flush()
    width = len(cols)
    session.add_all(
        StatPublishedCell(
            table_id=table.id,
            position=i,
            row=rows[i // width],
            column=cols[i % width],
            value_cents=Decimal(int(v)),
            suppressed=bool(suppressed[i]),
            confidential=bool(confidential[i]),
        )
        for i, v in enumerate(cents)
    )
    return table.id


def as_published(
    grid: Grid,
    suppressed: BoolArray,
    confidential: BoolArray,
    lines: list[Line],
    query: Query | None = None,
) -> Published:
    """A protected table's pattern as it would be recorded (without the store)."""
    cents = [int(v) for v in grid.sums["value_cny"].ravel().tolist()]
    return Published(
        0,
        grid_keys(grid),
        np.array(cents, np.float64) / 100,
        cents,
        np.asarray(suppressed, np.bool_).copy(),
        np.asarray(confidential, np.bool_).copy(),
        list(lines),
        query,
    )
