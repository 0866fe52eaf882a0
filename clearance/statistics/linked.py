"""Protection across linked tables: a new table is protected together with those published.

Two tables are linked when they partition the same facts (the same flow, period range and
filters: their *frame*) over different axes: they share margins. A cell is identified across
tables by its frame and its codes with totals left out, so the row total ``(CN, _T)`` of
``partner × trade_mode`` and the row ``CN`` of the one-way ``partner`` table are one cell.
Protected one at a time, two linked tables can each pass their own audit while a cell one
hides is published by the other, and that narrows a confidential cell of the first.

So every protected table is built over one system: its own cells and lines, plus the cells
and lines of every published table of its frame. A cell it shares with a published table
(the same key and the same value) is one variable: hidden there, it starts hidden here (the
published suppression pattern is kept); public there, it is *frozen* here (never chosen as
a complement, it is public already). The audit then runs over both together, the published
tables' confidential cells included, and complements are added only in the new table.
A published cell whose value has since changed (a revision) is a different quantity and is
not joined with the new one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from clearance.statistics.cube import HS_LEVELS, TOTAL, BoolArray, Grid, Query
from clearance.statistics.protection import FloatArray, Line
from clearance.store.statistics_request_tables import StatPublishedCell, StatPublishedTable

Key = tuple[tuple[str, str], ...]


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


def published_in(session: Session, table_frame: str) -> list[Published]:
    """The published tables of ``table_frame``, oldest first."""
    tables = session.scalars(
        select(StatPublishedTable)
        .where(StatPublishedTable.frame == table_frame)
        .order_by(StatPublishedTable.id)
    ).all()
    out = []
    for t in tables:
        cells = session.scalars(
            select(StatPublishedCell)
            .where(StatPublishedCell.table_id == t.id)
            .order_by(StatPublishedCell.position)
        ).all()
        # cell_keys crosses rows with columns; here each cell names its own pair.
        keys = [cell_keys(t.row_axis, t.column_axis, [c.row], [c.column])[0] for c in cells]
        cents = [int(c.value_cents) for c in cells]
        out.append(
            Published(
                t.id,
                keys,
                np.array(cents, np.float64) / 100,
                cents,
                np.array([c.suppressed for c in cells], np.bool_),
                np.array([c.confidential for c in cells], np.bool_),
                [(int(a), tuple(int(m) for m in b)) for a, b in json.loads(t.lines)],
            )
        )
    return out


@dataclass
class System:
    """One table's cells and lines joined with those of the published tables linked to it.

    The first ``own`` cells are the new table's, in its order; the others are published
    cells it does not share.
    """

    own: int
    values: FloatArray
    confidential: BoolArray
    suppressed: BoolArray
    frozen: BoolArray
    lines: list[Line]
    linked: int  # published tables joined


def join(
    keys: list[Key],
    cents: list[int],
    values: FloatArray,
    confidential: BoolArray,
    lines: list[Line],
    published: list[Published],
) -> System:
    """The system of a new table (its keys, values, primary cells, lines) and ``published``."""
    n = len(keys)
    index: dict[tuple[Key, int], int] = {
        (k, v): i for i, (k, v) in enumerate(zip(keys, cents, strict=True))
    }
    vals, conf = list(values.tolist()), list(confidential.tolist())
    hidden, frozen = [False] * n, [False] * n
    all_lines = list(lines)
    for table in published:
        local: list[int] = []
        for k, v, c, s, x in zip(
            table.keys,
            table.cents,
            table.confidential.tolist(),
            table.suppressed.tolist(),
            table.values.tolist(),
            strict=True,
        ):
            at = index.get((k, v))
            if at is None:
                at = len(vals)
                index[(k, v)] = at
                vals.append(x)
                conf.append(False)
                hidden.append(False)
                frozen.append(False)
            conf[at] = conf[at] or bool(c)
            if s:
                hidden[at] = True
            else:
                frozen[at] = True
            local.append(at)
        all_lines += [(local[t], tuple(local[m] for m in ms)) for t, ms in table.lines]
    return System(
        n,
        np.array(vals, np.float64),
        np.array(conf, np.bool_),
        np.array(hidden, np.bool_),
        np.array(frozen, np.bool_),
        all_lines,
        len(published),
    )


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
    grid: Grid, suppressed: BoolArray, confidential: BoolArray, lines: list[Line]
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
    )
