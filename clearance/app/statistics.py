"""Trade statistics: refresh the facts, cross-tabs with disclosure control, own records.

Statisticians (:attr:`Permission.STATISTICS`) get protected tables; a subject with the
clearance :attr:`Permission.STATISTICS_UNPROTECTED` (by role or grant) may ask for a table
before protection. A trader sees its own statistical records, nobody else's. The refresh,
publication and synthetic data are for the operator (:attr:`Permission.STATISTICS_MANAGE`).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field, PrivateAttr
from sqlalchemy import select

from clearance.app.access import Permission, require_granted, stat_facts_visible
from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.errors import RefusedError
from clearance.app.views import View
from clearance.statistics import columns, formats, loading, published
from clearance.statistics import refresh as refreshing
from clearance.statistics.cube import AXES, Query, QueryError
from clearance.statistics.generate import Shape
from clearance.statistics.loading import Progress
from clearance.statistics.protection import ProtectionError
from clearance.store.statistics_tables import StatFact

#: Facts changed since the stored columnar copy that make a refresh write a new one.
SNAPSHOT_AFTER = 20_000


class RefreshView(View):
    """What a refresh counted."""

    cursor_before: int
    cursor: int
    declarations: int
    counted: int
    revised: int
    withdrawn: int
    without_usd: int


class TableRequest(View):
    """A one- or two-way table: axes, flow, period range (YYYY-MM), filters."""

    rows: str
    columns: str | None = None
    flow: str | None = Field(default=None, pattern=r"^[MX]$")
    period_from: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}$")
    period_to: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}$")
    filters: dict[str, list[str]] = Field(default_factory=dict)
    unprotected: bool = False
    subtotals: bool = False  # rows on an HS level: parent levels as subtotal rows
    growth: bool = False  # beside each cell, the same cell a year earlier and the growth
    balance: bool = False  # columns by flow: exports minus imports per row


class AuditView(View):
    """The audit of a published table."""

    passed: bool
    confidential_cells: int
    complementary_cells: int
    checked: int
    linear_programs: int
    linked_tables: int = 0  # published tables whose facts overlap, protected together with it


class StatTableView(View):
    """A published table: cells with flags, the audit, the figures it includes."""

    rows: str
    columns: str | None
    flow: str | None
    period_from: str | None
    period_to: str | None
    filters: dict[str, list[str]]
    protected: bool
    seq: int
    seconds: float
    audit: AuditView
    cells: list[dict[str, Any]]
    # The built table, kept so that CSV and SDMX-CSV are rendered only when a front door asks
    # for them: an answer sends one form, and rendering the other two for every answer cost
    # a 478,696-cell table 1.5 of its 11.3 CPU-s (docs/statistics.md, Figures).
    _built: published.Table | None = PrivateAttr(default=None)
    _rendered: dict[str, str] = PrivateAttr(default_factory=dict)

    @property
    def csv(self) -> str:
        """The table as CSV (one line per cell), rendered on first use."""
        return self._render("csv")

    @property
    def sdmx_csv(self) -> str:
        """The table as SDMX-CSV, rendered on first use."""
        return self._render("sdmx_csv")

    def _render(self, form: str) -> str:
        text = self._rendered.get(form)
        if text is None:
            if self._built is None:
                raise RuntimeError("this table view was not built from a table")
            render = formats.to_csv if form == "csv" else formats.to_sdmx_csv
            text = self._rendered[form] = render(self._built)
        return text


class OwnRecord(View):
    """One of a trader's own statistical records."""

    declaration_number: str
    item_sequence: int
    flow: str
    stat_date: str
    hs: str
    partner: str
    trade_mode: str
    value_cny: str
    value_usd: str | None
    counted: bool
    revision: int


def refresh(app: Application, actor: Actor) -> RefreshView:
    """Count what the event log released, amended or invalidated since the last refresh."""
    require_granted(actor, Permission.STATISTICS_MANAGE)
    with app.unit() as session:
        now = app.clock.now()
        done = refreshing.refresh(session, now, ZoneInfo(app.settings.timezone))
        _, behind = columns.snapshot_lag(session)
        if behind >= SNAPSHOT_AFTER:  # keep the stored columnar copy close to the facts
            columns.write_snapshot(session, columns.load(session, app.database), now)
    return RefreshView(
        cursor_before=done.cursor_before,
        cursor=done.cursor,
        declarations=done.declarations,
        counted=done.counted,
        revised=done.revised,
        withdrawn=done.withdrawn,
        without_usd=done.without_usd,
    )


def table(app: Application, actor: Actor, request: TableRequest) -> StatTableView:
    """The table asked for: protected, or (with clearance, when asked) unprotected."""
    require_granted(actor, Permission.STATISTICS)
    if request.unprotected:
        require_granted(actor, Permission.STATISTICS_UNPROTECTED)
    query = _query(request)
    options = published.Options(
        subtotals=request.subtotals, growth=request.growth, balance=request.balance
    )
    with app.read() as session:
        try:
            built = published.build(
                session, app.database, query, protected=not request.unprotected, options=options
            )
        except (QueryError, ProtectionError) as exc:
            raise RefusedError(str(exc)) from exc
    return _table_view(request, built)


def publish_table(app: Application, actor: Actor, request: TableRequest) -> StatTableView:
    """Build the protected table and record it as published (statistics managers).

    Every protected table built afterwards over the same facts (flow, periods, filters) is
    protected together with it, so that the two cannot be combined to narrow a confidential
    cell (docs/statistics.md, "Linked tables").
    """
    require_granted(actor, Permission.STATISTICS_MANAGE)
    if request.unprotected:
        raise RefusedError("only a protected table can be published")
    if request.growth:
        raise RefusedError("publish the table and its year-earlier table one by one")
    query = _query(request)
    options = published.Options(subtotals=request.subtotals, balance=request.balance)
    with app.unit() as session:
        try:
            built = published.build(
                session,
                app.database,
                query,
                protected=True,
                options=options,
                publish_as=(actor.subject, app.clock.now()),
            )
        except (QueryError, ProtectionError) as exc:
            raise RefusedError(str(exc)) from exc
    return _table_view(request, built)


def _table_view(request: TableRequest, built: published.Table) -> StatTableView:
    view = StatTableView(
        rows=request.rows,
        columns=request.columns,
        flow=request.flow,
        period_from=request.period_from,
        period_to=request.period_to,
        filters=request.filters,
        protected=built.protected,
        seq=built.seq,
        seconds=round(built.seconds, 4),
        audit=AuditView(
            passed=built.audit.passed,
            confidential_cells=built.confidential,
            complementary_cells=built.complementary,
            checked=built.audit.checked,
            linear_programs=built.audit.programs,
            linked_tables=built.linked,
        ),
        cells=[formats.cell_json(c, built.protected) for c in built.cells],
    )
    view._built = built
    return view


def parquet(table: StatTableView) -> bytes:
    """A table's cells as one Parquet file (needs the optional extra ``parquet``: pyarrow)."""
    try:
        return formats.cells_to_parquet(table.cells, table.rows, table.columns)
    except formats.ParquetUnavailableError as exc:
        raise RefusedError(str(exc)) from exc


class PublicationView(View):
    """A period published: the fact sequence its figures include."""

    period: str
    seq: int
    final: bool


def publish(app: Application, actor: Actor, period: str, *, final: bool) -> PublicationView:
    """Record ``period`` (YYYY-MM) as published now (``final``: no longer provisional)."""
    require_granted(actor, Permission.STATISTICS_MANAGE)
    with app.unit() as session:
        seq = published.publish(
            session, _period(period, 0), final=final, actor=actor.subject, now=app.clock.now()
        )
    return PublicationView(period=period, seq=seq, final=final)


class Generated(View):
    """Synthetic facts written."""

    items: int
    traders: int
    first_period: str
    months: int
    seed: int


def generate(
    app: Application,
    actor: Actor,
    items: int,
    *,
    seed: int = 14,
    first_period: str = "2025-01",
    months: int = 24,
    progress: Progress | None = None,
) -> Generated:
    """Write ``items`` synthetic facts (declaration numbers ``SYN…``) for trying things out."""
    require_granted(actor, Permission.STATISTICS_MANAGE)
    if not 0 < items <= 20_000_000:
        raise RefusedError("items must be between 1 and 20,000,000")
    shape = Shape(items=items, first_period=_period(first_period, 0), months=months, seed=seed)
    with app.unit() as session:
        cols = loading.generate(session, shape, app.clock.now(), app.database, progress)
    return Generated(
        items=cols.rows,
        traders=len(cols.labels["trader"]),
        first_period=first_period,
        months=months,
        seed=seed,
    )


def own_records(
    app: Application, actor: Actor, date_from: date | None = None, date_to: date | None = None
) -> list[OwnRecord]:
    """The statistical records of the actor's own declarations (a trader's, by its ids)."""
    require_granted(actor, Permission.READ)
    query = select(StatFact).where(stat_facts_visible(actor))
    if date_from is not None:
        query = query.where(StatFact.stat_date >= date_from)
    if date_to is not None:
        query = query.where(StatFact.stat_date <= date_to)
    with app.read() as session:
        rows = session.scalars(
            query.order_by(StatFact.stat_date, StatFact.declaration_number, StatFact.item_sequence)
        ).all()
        return [
            OwnRecord(
                declaration_number=r.declaration_number,
                item_sequence=r.item_sequence,
                flow=r.flow,
                stat_date=r.stat_date.isoformat(),
                hs=r.hs,
                partner=r.partner,
                trade_mode=r.trade_mode,
                value_cny=str(r.value_cny),
                value_usd=None if r.value_usd is None else str(r.value_usd),
                counted=r.counted,
                revision=r.revision,
            )
            for r in rows
        ]


def _query(request: TableRequest) -> Query:
    try:
        query = Query(
            rows=request.rows,
            columns=request.columns,
            flow=request.flow,
            period_from=_period(request.period_from, 0),
            period_to=_period(request.period_to, 999912),
            filters={k: tuple(v) for k, v in request.filters.items()},
        )
        query.check()
    except QueryError as exc:
        raise RefusedError(str(exc)) from exc
    return query


def _period(text: str | None, default: int) -> int:
    if text is None:
        return default
    year, month = text.split("-")
    return int(year) * 100 + int(month)


__all__ = [
    "AXES",
    "Generated",
    "OwnRecord",
    "PublicationView",
    "RefreshView",
    "StatTableView",
    "TableRequest",
    "generate",
    "own_records",
    "parquet",
    "publish",
    "publish_table",
    "refresh",
    "table",
]
