"""Statistics over HTTP: protected tables for statisticians, a trader's own records.

``GET /v1/statistics/tables`` answers a one- or two-way table as JSON (cells with their
flags and the audit), CSV, SDMX-CSV or Parquet; ``unprotected=true`` needs the clearance
permission. ``GET /v1/statistics/records`` lists the caller's own statistical records (a
trader's or broker's). Who may ask what is decided in the application layer.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from starlette.concurrency import run_in_threadpool

from api.auth import App, CurrentActor
from api.problems import Problem
from clearance.app import RefusedError
from clearance.app import statistics as stats
from clearance.app import statistics_charts as charting
from clearance.app import statistics_confidentiality as confidentiality

router = APIRouter(prefix="/v1/statistics", tags=["statistics"])
PROBLEM = {"model": Problem, "content": {"application/problem+json": {}}}
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "sdmx-csv": "application/vnd.sdmx.data+csv; version=1.0.0; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
}
Period = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")]


@router.get(
    "/tables",
    summary="A one- or two-way table with disclosure control and flags",
    response_model=stats.StatTableView,
    responses={
        200: {"content": {m: {} for m in MEDIA.values()}},
        403: PROBLEM,
        422: PROBLEM,
    },
)
async def table(
    app: App,
    actor: CurrentActor,
    rows: Annotated[str, Query(description="axis: " + ", ".join(stats.AXES))],
    columns: Annotated[str | None, Query(description="second axis, if any")] = None,
    flow: Annotated[Literal["M", "X"] | None, Query()] = None,
    period_from: Annotated[str | None, Query(alias="from", pattern=r"^\d{4}-\d{2}$")] = None,
    period_to: Annotated[str | None, Query(alias="to", pattern=r"^\d{4}-\d{2}$")] = None,
    filter_: Annotated[
        list[str] | None,
        Query(alias="filter", description="DIM:CODE[,CODE] (hs by prefix), repeatable"),
    ] = None,
    unprotected: bool = False,
    subtotals: bool = False,
    growth: bool = False,
    balance: bool = False,
    format_: Annotated[
        Literal["json", "csv", "sdmx-csv", "parquet"], Query(alias="format")
    ] = "json",
) -> stats.StatTableView | Response:
    """The table; every answer has passed the disclosure audit."""
    request = stats.TableRequest(
        rows=rows,
        columns=columns,
        flow=flow,
        period_from=period_from,
        period_to=period_to,
        filters=_filters(filter_ or []),
        unprotected=unprotected,
        subtotals=subtotals,
        growth=growth,
        balance=balance,
    )
    result = await run_in_threadpool(stats.table, app, actor, request)
    if format_ == "json":
        return result
    if format_ == "parquet":
        return Response(stats.parquet(result), media_type=MEDIA["parquet"])
    body = result.csv if format_ == "csv" else result.sdmx_csv
    return Response(body, media_type=MEDIA[format_])


@router.post(
    "/published-tables",
    summary="Publish a protected table (statistics manager): linked tables keep its pattern",
    response_model=stats.StatTableView,
    status_code=201,
    responses={403: PROBLEM, 422: PROBLEM},
)
def publish_table(
    app: App, actor: CurrentActor, request: stats.TableRequest
) -> stats.StatTableView:
    """Recorded cell by cell: later tables over the same facts are protected together."""
    return stats.publish_table(app, actor, request)


#: An SVG answer may hold no script and load nothing (it has neither; this says so to browsers).
SVG_HEADERS = {
    "Content-Security-Policy": "default-src 'none'",
    "X-Content-Type-Options": "nosniff",
}


@router.get(
    "/charts/{kind}",
    summary="A chart of the protected figures: SVG, or its figures as JSON",
    response_model=charting.ChartView,
    responses={
        200: {"content": {"image/svg+xml": {}}},
        403: PROBLEM,
        404: PROBLEM,
        422: PROBLEM,
    },
)
async def chart(
    app: App,
    actor: CurrentActor,
    kind: Annotated[str, Path(description="one of " + ", ".join(charting.KINDS))],
    flow: Annotated[Literal["M", "X"] | None, Query()] = None,
    period_from: Annotated[str | None, Query(alias="from", pattern=r"^\d{4}-\d{2}$")] = None,
    period_to: Annotated[str | None, Query(alias="to", pattern=r"^\d{4}-\d{2}$")] = None,
    top: Annotated[int, Query(ge=1, le=50)] = 10,
    format_: Annotated[Literal["svg", "json"], Query(alias="format")] = "svg",
    download: bool = False,
) -> charting.ChartView | Response:
    """Drawn on the server from protected tables; confidential figures are left out."""
    view = await run_in_threadpool(
        lambda: charting.chart(
            app,
            actor,
            kind,
            flow=flow,
            period_from=period_from,
            period_to=period_to,
            top=top,
        )
    )
    if format_ == "json":
        return view
    headers = dict(SVG_HEADERS)
    if download:
        headers["Content-Disposition"] = f'attachment; filename="{view.kind}.svg"'
    return Response(view.svg, media_type="image/svg+xml", headers=headers)


@router.get(
    "/records",
    summary="The caller's own statistical records (a trader's declarations, item by item)",
    response_model=list[stats.OwnRecord],
    responses={403: PROBLEM},
)
def records(
    app: App,
    actor: CurrentActor,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
) -> list[stats.OwnRecord]:
    """Only the caller's own: another trader's records never appear."""
    return stats.own_records(app, actor, date_from, date_to)


@router.post(
    "/confidentiality-requests",
    summary="File a confidentiality request (a trader, for its own party)",
    response_model=confidentiality.RequestView,
    status_code=201,
    responses={403: PROBLEM, 422: PROBLEM},
)
def file_confidentiality_request(
    app: App, actor: CurrentActor, new: confidentiality.NewRequest
) -> confidentiality.RequestView:
    """Registered as pending; a statistics manager reviews it."""
    return confidentiality.file_request(app, actor, new)


@router.get(
    "/confidentiality-requests",
    summary="The confidentiality requests the caller may see (a trader: its own)",
    response_model=list[confidentiality.RequestView],
    responses={403: PROBLEM, 422: PROBLEM},
)
def list_confidentiality_requests(
    app: App,
    actor: CurrentActor,
    status: Annotated[Literal["pending", "accepted", "rejected"] | None, Query()] = None,
) -> list[confidentiality.RequestView]:
    """Oldest first."""
    return confidentiality.list_requests(app, actor, status)


@router.get(
    "/confidentiality-requests/{request_id}",
    summary="One confidentiality request",
    response_model=confidentiality.RequestView,
    responses={404: PROBLEM},
)
def show_confidentiality_request(
    app: App, actor: CurrentActor, request_id: int
) -> confidentiality.RequestView:
    """Another trader's request is not found."""
    return confidentiality.show_request(app, actor, request_id)


@router.post(
    "/confidentiality-requests/{request_id}/review",
    summary="Accept or reject a pending request (statistics manager)",
    response_model=confidentiality.RequestView,
    responses={403: PROBLEM, 404: PROBLEM, 409: PROBLEM},
)
def review_confidentiality_request(
    app: App, actor: CurrentActor, request_id: int, review: confidentiality.Review
) -> confidentiality.RequestView:
    """Decided once: an accepted request makes the trader's cells confidential."""
    return confidentiality.review_request(app, actor, request_id, review)


def _filters(texts: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for text in texts:
        name, sep, codes = text.partition(":")
        if not sep or not codes:
            raise RefusedError(f"filter {text!r}: expected DIM:CODE[,CODE]")
        out.setdefault(name, []).extend(c for c in codes.split(",") if c)
    return out
