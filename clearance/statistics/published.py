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
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clearance.statistics import columns, linked
from clearance.statistics.cube import (
    HS_LEVELS,
    MIXED_UNITS,
    QUANTITY_UNITS,
    TOTAL,
    Grid,
    Query,
    QueryError,
    crosstab,
    with_subtotals,
)
from clearance.statistics.disclosure import Rules, primary, reasons
from clearance.statistics.linked_protection import protect_linked
from clearance.statistics.protection import Audit, Line, grid_lines, protect
from clearance.store.statistics_request_tables import StatConfidentialityRequest
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
    unit_value_usd: Decimal | None = None  # USD per first statutory unit
    #: The statutory units of ``quantity1`` and ``quantity2``: None when no fact of the cell
    #: states one, ``mixed`` when they differ (the quantity is then not given: it is no sum).
    unit1: str | None = None
    unit2: str | None = None
    prior_value_cny: Decimal | None = None  # the same cell a year earlier (--growth)
    growth_percent: Decimal | None = None


@dataclass(frozen=True)
class Options:
    """What a table adds to its cells: HS subtotals, growth on last year, trade balance."""

    subtotals: bool = False  # rows on an HS level: parent levels as subtotal rows
    growth: bool = False  # each cell beside the same cell of the same period a year before
    balance: bool = False  # columns by flow: a "balance" column, exports minus imports


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
    linked: int = 0  # published tables whose facts overlap, protected together with it
    pattern: Pattern | None = None  # what recording it as published needs


@dataclass(frozen=True)
class Pattern:
    """A protected table's grid, suppression, primary cells and lines (to record it)."""

    grid: Grid
    suppressed: np.ndarray
    confidential: np.ndarray
    lines: list[Line]


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


def confidential_traders(session: Session) -> frozenset[str]:
    """The parties whose confidentiality request was accepted."""
    return frozenset(
        session.scalars(
            select(StatConfidentialityRequest.party)
            .where(StatConfidentialityRequest.status == "accepted")
            .distinct()
        )
    )


def build(
    session: Session,
    cache_key: str,
    query: Query,
    *,
    protected: bool,
    rules: Rules | None = None,
    options: Options | None = None,
    publish_as: tuple[str, datetime] | None = None,
) -> Table:
    """The table of ``query`` over the facts as they are now.

    A protected table is protected together with the published tables it is linked to
    (:mod:`clearance.statistics.linked`). ``publish_as`` (actor, time) records it as
    published, so that tables built after it are protected together with it.
    """
    started = time.perf_counter()
    rules, options = rules or Rules(), options or Options()
    cols = columns.load(session, cache_key)
    revised_after, final = publications(session)
    asked = confidential_traders(session)

    def grid_of(q: Query) -> Grid:
        if not options.subtotals:
            return crosstab(
                cols,
                q,
                revised_after=revised_after,
                final_periods=final,
                confidential_traders=asked,
            )
        levels = [axis for axis in HS_AXES if HS_LEVELS[axis] <= HS_LEVELS.get(q.rows, 0)]
        if not levels:
            raise QueryError("subtotals need rows on an HS level (hs4, hs6, hs8, hs10)")
        grids = [
            crosstab(
                cols,
                replace(q, rows=axis),
                revised_after=revised_after,
                final_periods=final,
                confidential_traders=asked,
            )
            for axis in reversed(levels)
        ]
        return with_subtotals(grids)

    if options.balance and query.columns != "flow":
        raise QueryError("a trade balance needs the columns by flow (--columns flow)")

    def linked_to(q: Query) -> list[linked.Published]:
        # Unprotected tables are for cleared statisticians only: nothing is published by them.
        return linked.published_overlapping(session, q) if protected else []

    facts = linked.Facts(cols, lambda g: primary(g, rules), asked)
    table = protect_grid(
        grid_of(query), query, cols.seq, protected, rules, started, linked_to(query), facts
    )
    if publish_as is not None and table.pattern is not None:
        if not protected:
            raise QueryError("only a protected table can be published")
        p = table.pattern
        linked.record(
            session, query, p.grid, p.suppressed, p.confidential, p.lines, cols.seq, *publish_as
        )
    if options.growth:
        prior_query = replace(
            query, period_from=query.period_from - 100, period_to=query.period_to - 100
        )
        prior = protect_grid(
            grid_of(prior_query),
            prior_query,
            cols.seq,
            protected,
            rules,
            0.0,
            linked_to(prior_query),
            facts,
        )
        table = _with_growth(table, prior)
    if options.balance:
        table = replace(table, cells=_with_balance(table.cells))
    return replace(table, seconds=time.perf_counter() - started)


HS_AXES = ("hs2", "hs4", "hs6", "hs8", "hs10")


def _with_growth(table: Table, prior: Table) -> Table:
    """Each cell beside its counterpart a year earlier (period labels moved on a year)."""
    q = table.query
    before = {(_next_year(q.rows, c.row), _next_year(q.columns, c.column)): c for c in prior.cells}
    cells = []
    for cell in table.cells:
        old = before.get((cell.row, cell.column))
        value = None if old is None else old.value_cny
        growth = None
        if value is not None and value > 0 and cell.value_cny is not None:
            growth = ((cell.value_cny - value) * 100 / value).quantize(Decimal("0.1"))
        cells.append(replace(cell, prior_value_cny=value, growth_percent=growth))
    return replace(
        table,
        cells=cells,
        confidential=table.confidential + prior.confidential,
        complementary=table.complementary + prior.complementary,
        audit=Audit(
            table.audit.checked + prior.audit.checked,
            table.audit.programs + prior.audit.programs,
            table.audit.failures + prior.audit.failures,
        ),
    )


def _next_year(axis: str | None, label: str) -> str:
    if axis not in ("month", "quarter", "year") or label == TOTAL:
        return label
    return f"{int(label[:4]) + 1:04d}{label[4:]}"


def _with_balance(cells: list[Cell]) -> list[Cell]:
    """Cells with a ``balance`` column after each row's flows: exports minus imports."""
    by_row: dict[str, dict[str, Cell]] = {}
    for cell in cells:
        by_row.setdefault(cell.row, {})[cell.column] = cell
    out: list[Cell] = []
    for row, line in by_row.items():
        out += line.values()
        m, x = line.get("M"), line.get("X")
        cny = usd = None
        if (m is None or m.value_cny is not None) and (x is None or x.value_cny is not None):
            cny = _or0(x, "value_cny") - _or0(m, "value_cny")
            usd = _or0(x, "value_usd") - _or0(m, "value_usd")
        flags = tuple(
            f
            for f in ("confidential", "provisional", "revised")
            if any(f in c.flags for c in (m, x) if c is not None)
        )
        out.append(Cell(row, "balance", cny, usd, None, None, None, None, None, flags, ()))
    return out


def _or0(cell: Cell | None, name: str) -> Decimal:
    value = None if cell is None else getattr(cell, name)
    return value if isinstance(value, Decimal) else Decimal(0)


def protect_grid(
    grid: Grid,
    query: Query,
    seq: int,
    protected: bool,
    rules: Rules,
    started: float,
    published: list[linked.Published] | None = None,
    facts: linked.Facts | None = None,
) -> Table:
    """Disclosure control over ``grid`` (with the published tables linked to it), then its
    cells as published. With ``facts``, published tables of other frames whose facts overlap
    are linked through the pieces of facts they share (:mod:`clearance.statistics.linked`);
    without, ``published`` are taken to be over ``query``'s own frame."""
    confidential = primary(grid, rules).ravel()
    cents = grid.sums["value_cny"].ravel()
    values = cents.astype(np.float64) / 100
    lines = grid_lines(grid.shape, grid.two_way, grid.groups)
    system = linked.join(
        linked.grid_keys(grid),
        cents.tolist(),
        values,
        confidential,
        lines,
        published or [],
        query=query,
        facts=facts,
    )
    # The rectangle shortcut of the audit knows one plain grid only, not a joined system.
    plain = grid.two_way and grid.row_groups is None and not system.linked
    share = float(rules.protection)
    known, before = linked.known_before(system, share) if system.linked else ({}, None)
    if system.linked:  # joined with published tables: the loop made for linked systems
        everything, audit = protect_linked(
            system.values,
            system.confidential,
            system.lines,
            share,
            suppressed=system.suppressed,
            frozen=system.frozen,
            links=system.links,
            known=known,
        )
    else:
        everything, audit = protect(
            system.values,
            system.confidential,
            system.lines,
            share,
            grid=grid.shape if plain else None,
            suppressed=system.suppressed,
            frozen=system.frozen,
            links=system.links,
            known=known,
        )
    if before is not None:  # the programs of what was known before count too
        audit.programs += before.programs
    suppressed = everything[: system.own]
    why = reasons(grid, rules) if not protected else None
    cells = list(_cells(grid, suppressed, protected, why))
    return Table(
        query,
        protected,
        cells,
        seq,
        int(confidential.sum()),
        int(suppressed.sum() - (suppressed & confidential).sum()),
        audit,
        time.perf_counter() - started,
        system.linked,
        Pattern(grid, suppressed, confidential, lines),
    )


def _cells(
    grid: Grid, suppressed: np.ndarray, protected: bool, why: list[list[str]] | None
) -> list[Cell]:
    rows = [*grid.row_labels, TOTAL]
    cols = grid.column_labels + ([TOTAL] if grid.two_way else [])
    width = len(cols)
    # Plain Python lists once: indexing numpy scalars cell by cell is what costs here.
    sums = {name: grid.sums[name].ravel().tolist() for name in grid.sums}
    items, traders = grid.items.ravel().tolist(), grid.traders.ravel().tolist()
    provisional, revised = grid.provisional.ravel().tolist(), grid.revised.ravel().tolist()
    hidden_cells = suppressed.tolist()
    units = {m: grid.units[m].ravel().tolist() for m in QUANTITY_UNITS}
    out: list[Cell] = []
    for flat in range(len(rows) * width):
        hidden = bool(hidden_cells[flat])
        flags = tuple(
            name
            for name, on in (
                ("confidential", hidden),
                ("provisional", provisional[flat]),
                ("revised", revised[flat]),
            )
            if on
        )
        shown = not (hidden and protected)
        usd, quantity = sums["value_usd"][flat], sums["quantity1"][flat]
        unit1, unit2 = units["quantity1"][flat], units["quantity2"][flat]
        one1, one2 = unit1 != MIXED_UNITS, unit2 != MIXED_UNITS
        out.append(
            Cell(
                rows[flat // width],
                cols[flat % width],
                _scaled(sums["value_cny"][flat], 2) if shown else None,
                _scaled(usd, 2) if shown else None,
                _scaled(quantity, 3) if shown and one1 else None,
                _scaled(sums["quantity2"][flat], 3) if shown and one2 else None,
                _scaled(sums["net_mass"][flat], 3) if shown else None,
                int(items[flat]) if shown else None,
                None if protected else int(traders[flat]),
                flags,
                () if why is None else tuple(why[flat]),
                _unit_value(usd, quantity) if shown and one1 else None,
                unit1=unit1 if shown else None,
                unit2=unit2 if shown else None,
            )
        )
    return out


def _scaled(value: int, places: int) -> Decimal:
    """An integer count of cents (2) or thousandths (3) as a Decimal with that many places."""
    return Decimal(value).scaleb(-places)


def _unit_value(usd_cents: int, thousandths: int) -> Decimal | None:
    """USD per first statutory unit (asked only where the cell's facts share one unit)."""
    if thousandths <= 0:
        return None
    return (Decimal(usd_cents) * 10 / thousandths).quantize(MILLIS)


def publish(session: Session, period: int, *, final: bool, actor: str, now: datetime) -> int:
    """Record that ``period``'s figures are published as they are now; their fact sequence.

    From the first publication on, a fact of the period that changes flags its cells
    revised; a final publication ends the period's provisional flag.
    """
    seq = columns.current_seq(session)
    session.add(StatPublication(period=period, seq=seq, final=final, published_at=now, actor=actor))
    return seq
