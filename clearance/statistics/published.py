"""A statistical table as it is published: cells with their flags, protected or not.

Builds the cross-tab of a query over the current facts, marks what the disclosure rules make
confidential, adds the complementary suppressions and runs the audit
(:mod:`clearance.statistics.protection`). A protected table shows no value of a suppressed
cell; an unprotected one (for statisticians with clearance) shows every value and marks the
cells that protection would hide. Flags on every cell: ``confidential``, ``provisional``
(a period not yet published as final), ``revised`` (a fact changed after its period's
figures were first published).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clearance.statistics import columns
from clearance.statistics.cube import TOTAL, Grid, Query, crosstab
from clearance.statistics.disclosure import Rules, primary, reasons
from clearance.statistics.protection import Audit, grid_lines, protect
from clearance.store.statistics_tables import StatPublication

CENTS = Decimal("0.01")
MILLIS = Decimal("0.001")


@dataclass(frozen=True)
class Cell:
    """One published cell (a margin has ``_T`` as its row or column label)."""

    row: str
    column: str
    value_cny: Decimal | None
    value_usd: Decimal | None
    quantity1: Decimal | None
    quantity2: Decimal | None
    net_mass: Decimal | None
    items: int | None
    traders: int | None  # unprotected tables only
    flags: tuple[str, ...]
    rules: tuple[str, ...]  # unprotected tables only: the primary rules the cell fails


@dataclass(frozen=True)
class Table:
    """A published table and how it was protected."""

    query: Query
    protected: bool
    cells: list[Cell]
    seq: int  # the fact sequence the figures include
    confidential: int  # cells failing a primary rule
    complementary: int  # cells suppressed to protect them
    audit: Audit
    seconds: float  # time to build, audit included


def publications(session: Session) -> tuple[dict[int, int], frozenset[int]]:
    """(period → fact sequence of its first publication, periods published as final)."""
    first = dict(
        session.execute(
            select(StatPublication.period, func.min(StatPublication.seq)).group_by(
                StatPublication.period
            )
        ).all()
    )
    final = frozenset(
        session.scalars(select(StatPublication.period).where(StatPublication.final).distinct())
    )
    return {int(k): int(v) for k, v in first.items()}, final


def build(
    session: Session, cache_key: str, query: Query, *, protected: bool, rules: Rules | None = None
) -> Table:
    """The table of ``query`` over the facts as they are now."""
    started = time.perf_counter()
    cols = columns.load(session, cache_key)
    revised_after, final = publications(session)
    grid = crosstab(cols, query, revised_after=revised_after, final_periods=final)
    return protect_grid(grid, query, cols.seq, protected, rules or Rules(), started)


def protect_grid(
    grid: Grid, query: Query, seq: int, protected: bool, rules: Rules, started: float
) -> Table:
    """Disclosure control over ``grid``, then its cells as published."""
    confidential = primary(grid, rules)
    values = grid.sums["value_cny"].ravel().astype(np.float64) / 100
    suppressed, audit = protect(
        values,
        confidential.ravel(),
        grid_lines(grid.shape, grid.two_way),
        float(rules.protection),
    )
    why = reasons(grid, rules) if not protected else None
    cells = list(_cells(grid, suppressed, protected, why))
    return Table(
        query,
        protected,
        cells,
        seq,
        int(confidential.sum()),
        int(suppressed.sum() - confidential.sum()),
        audit,
        time.perf_counter() - started,
    )


def _cells(
    grid: Grid, suppressed: np.ndarray, protected: bool, why: list[list[str]] | None
) -> list[Cell]:
    rows = [*grid.row_labels, TOTAL]
    cols = grid.column_labels + ([TOTAL] if grid.two_way else [])
    width = len(cols)
    out: list[Cell] = []
    for flat in range(len(rows) * width):
        i, j = divmod(flat, width)
        hidden = bool(suppressed[flat])
        show = not (hidden and protected)
        flags = tuple(
            name
            for name, on in (
                ("confidential", hidden),
                ("provisional", bool(grid.provisional[i, j])),
                ("revised", bool(grid.revised[i, j])),
            )
            if on
        )
        out.append(
            Cell(
                row=rows[i],
                column=cols[j],
                value_cny=_money(grid, "value_cny", i, j) if show else None,
                value_usd=_money(grid, "value_usd", i, j) if show else None,
                quantity1=_measure(grid, "quantity1", i, j) if show else None,
                quantity2=_measure(grid, "quantity2", i, j) if show else None,
                net_mass=_measure(grid, "net_mass", i, j) if show else None,
                items=int(grid.items[i, j]) if show else None,
                traders=None if protected else int(grid.traders[i, j]),
                flags=flags,
                rules=() if why is None else tuple(why[flat]),
            )
        )
    return out


def _money(grid: Grid, name: str, i: int, j: int) -> Decimal:
    return (Decimal(int(grid.sums[name][i, j])) / 100).quantize(CENTS)


def _measure(grid: Grid, name: str, i: int, j: int) -> Decimal:
    return (Decimal(int(grid.sums[name][i, j])) / 1000).quantize(MILLIS)


def publish(session: Session, period: int, *, final: bool, actor: str, now: datetime) -> int:
    """Record that ``period``'s figures are published as they are now; their fact sequence.

    From the first publication on, a fact of the period that changes flags its cells
    revised; a final publication ends the period's provisional flag.
    """
    seq = columns.current_seq(session)
    session.add(StatPublication(period=period, seq=seq, final=final, published_at=now, actor=actor))
    return seq
