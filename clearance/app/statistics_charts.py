"""Charts of the protected statistics: monthly trend, top partners, top chapters, share by
trade mode, as SVG drawn on the server (:mod:`clearance.statistics.charts`).

Charts are drawn from protected tables only, for anyone who may read protected tables
(:attr:`Permission.STATISTICS`): a suppressed cell is left out of a chart (a gap in a line, no
bar) and counted in ``confidential_hidden``, never drawn. Every chart comes with its figures
as rows, for a table beside it and for those who cannot see the picture.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from clearance.app.access import Permission, require_granted
from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.errors import NotFoundError, RefusedError
from clearance.app.views import View
from clearance.statistics import charts, published
from clearance.statistics.cube import TOTAL, Query, QueryError
from clearance.statistics.protection import ProtectionError

KINDS = ("monthly-trend", "top-partners", "top-chapters", "trade-mode-share")
#: The texts of the charts, in English; a front door may pass a translation of them.
TITLES = {
    "monthly-trend": "Imports and exports by month",
    "top-partners": "Top partners",
    "top-chapters": "Top chapters (HS 2)",
    "trade-mode-share": "Share by trade mode",
}
DESCRIPTION = {
    "monthly-trend": "Value in CNY of imports and exports per month, {first} to {last}.",
    "top-partners": "The {n} partners with the largest value in CNY, {first} to {last}.",
    "top-chapters": "The {n} HS chapters with the largest value in CNY, {first} to {last}.",
    "trade-mode-share": "Each trade mode's share of the trade value in CNY, {first} to {last}.",
}
SERIES = {"M": "Imports", "X": "Exports"}
HIDDEN = "{n} confidential figures are not shown."
#: Translates one of the texts above, filling in its placeholders.
Words = Callable[..., str]


class ChartRow(View):
    """One figure of a chart: its label (and series), value, share; None when confidential."""

    label: str
    series: str | None = None
    value_cny: str | None
    share_percent: str | None = None


class ChartView(View):
    """A chart: its SVG and the figures it shows."""

    kind: str
    title: str
    description: str
    period_from: str | None
    period_to: str | None
    flow: str | None
    confidential_hidden: int
    rows: list[ChartRow]
    svg: str


def chart(
    app: Application,
    actor: Actor,
    kind: str,
    *,
    flow: str | None = None,
    period_from: str | None = None,
    period_to: str | None = None,
    top: int = 10,
    words: Words | None = None,
) -> ChartView:
    """The chart ``kind`` over the protected figures (``words`` translates its texts)."""
    require_granted(actor, Permission.STATISTICS)
    if kind not in KINDS:
        raise NotFoundError(f"no chart {kind!r}: one of {', '.join(KINDS)}")
    if flow not in (None, "M", "X"):
        raise RefusedError("flow must be M or X")
    if not 1 <= top <= 50:
        raise RefusedError("top must be between 1 and 50")
    say: Words = words or (lambda message, **values: message.format(**values))
    rows_axis = {"monthly-trend": "month", "top-partners": "partner"}.get(kind)
    rows_axis = rows_axis or {"top-chapters": "hs2", "trade-mode-share": "trade_mode"}[kind]
    query = Query(
        rows=rows_axis,
        columns="flow" if kind == "monthly-trend" else None,
        flow=None if kind == "monthly-trend" else flow,
        period_from=_period(period_from, 0),
        period_to=_period(period_to, 999912),
    )
    with app.read() as session:
        try:
            table = published.build(session, app.database, query, protected=True)
        except (QueryError, ProtectionError) as exc:
            raise RefusedError(str(exc)) from exc
    first, last = period_from or "…", period_to or "…"
    title = say(TITLES[kind])
    if kind == "monthly-trend":
        rows, svg_of, hidden = _trend(table, say)
        n = 0
    else:
        rows, svg_of, hidden, n = _bars(table, kind, top)
    description = say(DESCRIPTION[kind], n=n, first=first, last=last)
    if hidden:
        description += " " + say(HIDDEN, n=hidden)
    return ChartView(
        kind=kind,
        title=title,
        description=description,
        period_from=period_from,
        period_to=period_to,
        flow=None if kind == "monthly-trend" else flow,
        confidential_hidden=hidden,
        rows=rows,
        svg=svg_of(title, description, f"chart-{kind}"),
    )


SvgOf = Callable[[str, str, str], str]


def _trend(table: published.Table, say: Words) -> tuple[list[ChartRow], SvgOf, int]:
    months = sorted({c.row for c in table.cells if c.row != TOTAL})
    values: dict[tuple[str, str], Decimal | None] = {
        (c.row, c.column): c.value_cny for c in table.cells
    }
    series = []
    rows: list[ChartRow] = []
    hidden = 0
    for code in ("M", "X"):
        points = [values.get((m, code), Decimal(0)) for m in months]
        hidden += sum(1 for p in points if p is None)
        name = say(SERIES[code])
        series.append(charts.Series(name, points))
        rows += [
            ChartRow(label=m, series=name, value_cny=None if p is None else str(p))
            for m, p in zip(months, points, strict=True)
        ]
    return (
        rows,
        lambda title, desc, ident: charts.lines(months, series, title, desc, ident),
        hidden,
    )


def _bars(table: published.Table, kind: str, top: int) -> tuple[list[ChartRow], SvgOf, int, int]:
    total = next((c.value_cny for c in table.cells if c.row == TOTAL), None)
    lines = [c for c in table.cells if c.row != TOTAL]
    shown = sorted(
        (c for c in lines if c.value_cny is not None and c.value_cny > 0),
        key=lambda c: (-(c.value_cny or 0), c.row),
    )
    hidden = sum(1 for c in lines if c.value_cny is None)
    if kind != "trade-mode-share":
        shown = shown[:top]
    items, rows = [], []
    for cell in shown:
        value = cell.value_cny or Decimal(0)
        share = None
        if total:
            share = (value * 100 / total).quantize(Decimal("0.1"))
        text = (
            f"{share} %"
            if kind == "trade-mode-share" and share is not None
            else charts.amount(value)
        )
        items.append(charts.Bar(cell.row, value, text))
        rows.append(
            ChartRow(
                label=cell.row,
                value_cny=str(value),
                share_percent=None if share is None else str(share),
            )
        )
    return (
        rows,
        lambda title, desc, ident: charts.bars(items, title, desc, ident),
        hidden,
        len(items),
    )


def _period(text: str | None, default: int) -> int:
    if text is None:
        return default
    try:
        year, month = text.split("-")
        value = int(year) * 100 + int(month)
    except ValueError as exc:
        raise RefusedError(f"period {text!r}: expected YYYY-MM") from exc
    if not 1 <= int(month) <= 12:
        raise RefusedError(f"period {text!r}: expected YYYY-MM")
    return value


__all__ = ["KINDS", "ChartRow", "ChartView", "chart"]
