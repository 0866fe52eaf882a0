"""The statistics page of the console: the four charts of the protected figures, each with
its figures as a table and a download link (SVG), in English and Chinese.

For statisticians (and the operator). The charts come from the application layer
(:mod:`clearance.app.statistics_charts`), drawn from protected tables only; this module only
passes the session's language for the charts' own texts.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from api.console.i18n import N_
from api.console.pages import Console
from clearance.app import RefusedError, Role
from clearance.app import statistics_charts as charting

#: The charts' texts, marked for the catalogue (they are the application layer's English).
TEXTS = (
    N_("Imports and exports by month"),
    N_("Top partners"),
    N_("Top chapters (HS 2)"),
    N_("Share by trade mode"),
    N_("Value in CNY of imports and exports per month, {first} to {last}."),
    N_("The {n} partners with the largest value in CNY, {first} to {last}."),
    N_("The {n} HS chapters with the largest value in CNY, {first} to {last}."),
    N_("Each trade mode's share of the trade value in CNY, {first} to {last}."),
    N_("Imports"),
    N_("Exports"),
    N_("{n} confidential figures are not shown."),
)
PERIOD = re.compile(r"^\d{4}-\d{2}$")


def add_routes(router: APIRouter, console: Console) -> None:
    """The statistics page of ``console`` on ``router``."""

    @router.get("/statistics")
    def statistics(
        request: Request,
        period_from: Annotated[str | None, Query(alias="from")] = None,
        period_to: Annotated[str | None, Query(alias="to")] = None,
    ) -> Response:
        """The four charts over a period range (every period when none is given)."""
        visit = console.visit(request)
        actor = visit.actor(Role.STATISTICIAN)
        low, high = _period(period_from), _period(period_to)
        charts = []
        problem = None
        try:
            for kind in charting.KINDS:
                view = charting.chart(
                    console.application,
                    actor,
                    kind,
                    period_from=low,
                    period_to=high,
                    words=visit.translate,
                )
                # The SVG escapes every label it draws (clearance.statistics.charts).
                charts.append((view, Markup(view.svg)))
        except RefusedError as exc:
            problem = str(exc)
        query = "&".join(
            f"{name}={value}" for name, value in (("from", low), ("to", high)) if value
        )
        return visit.render(
            "statistics.html",
            charts=charts,
            period_from=low or "",
            period_to=high or "",
            query=query,
            problem=problem,
        )

    @router.get("/statistics/charts/{kind}.svg")
    def download(
        request: Request,
        kind: str,
        period_from: Annotated[str | None, Query(alias="from")] = None,
        period_to: Annotated[str | None, Query(alias="to")] = None,
    ) -> Response:
        """One chart as an SVG file, in the session's language."""
        visit = console.visit(request)
        actor = visit.actor(Role.STATISTICIAN)
        view = charting.chart(
            console.application,
            actor,
            kind,
            period_from=_period(period_from),
            period_to=_period(period_to),
            words=visit.translate,
        )
        return Response(
            view.svg,
            media_type="image/svg+xml",
            headers={
                "Content-Disposition": f'attachment; filename="{view.kind}.svg"',
                "Content-Security-Policy": "default-src 'none'",
                "X-Content-Type-Options": "nosniff",
            },
        )


def _period(text: str | None) -> str | None:
    """A YYYY-MM from the form, or None (an empty or malformed field: every period)."""
    return text if text and PERIOD.match(text) else None
