"""FX monitoring (issue 14): a trader's class and indicators; for the FX authority, bank feeds,
indicators, classification runs and the goods feed with its control record; objections to a
class (a trader files against its own B/C class, the FX authority rules on them).

A trader or broker sees only the traders it acts as (another's answers 404, as an unknown one);
an officer sees any trader's class as risk information; the rest needs the FX permission (403).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from api.auth import App, CurrentActor
from api.problems import Problem
from clearance.app import Document, fx, fx_objections
from clearance.app.fx_views import (
    ClassificationView,
    FeedImportView,
    GoodsFeedView,
    NewObjection,
    ObjectionRuling,
    ObjectionView,
    TraderFxView,
    TraderIndicatorsView,
)

router = APIRouter(prefix="/v1/fx", tags=["fx"])
PROBLEM = {"model": Problem, "content": {"application/problem+json": {}}}
#: The last month of the rolling window, YYYY-MM (default: the last complete month).
Month = Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


def _month(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(f"{text}-01")


@router.get(
    "/traders/{trader}",
    summary="A trader's FX class in force, its history and its indicators",
    response_model=TraderFxView,
    responses={404: PROBLEM, 422: PROBLEM},
)
def trader(trader: str, app: App, actor: CurrentActor, month: Month = None) -> TraderFxView:
    """404 for a trader the caller may not see, exactly as for one never monitored."""
    return fx.show(app, actor, trader, _month(month))


@router.get(
    "/indicators",
    summary="Every trader's indicators over the rolling window (FX authority)",
    response_model=list[TraderIndicatorsView],
    responses={403: PROBLEM, 422: PROBLEM},
)
def indicators(
    app: App,
    actor: CurrentActor,
    month: Month = None,
    trader: Annotated[str | None, Query(max_length=35)] = None,
) -> list[TraderIndicatorsView]:
    """Gap, gap ratio, funds-to-goods and receipt ratios, breach and on-site flags."""
    return fx.indicators(app, actor, _month(month), trader)


@router.post(
    "/bank-feeds",
    status_code=201,
    summary="Import a bank receipt/payment feed (CSV), all or nothing",
    response_model=FeedImportView,
    responses={403: PROBLEM, 422: PROBLEM},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
async def bank_feed(request: Request, app: App, actor: CurrentActor) -> FeedImportView:
    """The body is the CSV file; 422 names every problem by line and column."""
    raw = await request.body()
    document = Document(request.headers.get("Content-Disposition") or "bank feed", raw)
    return await run_in_threadpool(fx.import_bank_feed, app, actor, document)


@router.post(
    "/classifications",
    status_code=201,
    summary="Classify every trader (A/B/C) and record the notices",
    response_model=ClassificationView,
    responses={403: PROBLEM, 422: PROBLEM},
)
def classify(app: App, actor: CurrentActor, month: Month = None) -> ClassificationView:
    """A notice for every new or changed class; running it again writes nothing new."""
    return fx.classify(app, actor, _month(month))


@router.post(
    "/goods-feeds",
    status_code=201,
    summary="The goods feed for the FX authority: every row not sent yet, with its control record",
    response_model=GoodsFeedView,
    responses={403: PROBLEM, 422: PROBLEM},
)
def goods_feed(app: App, actor: CurrentActor) -> GoodsFeedView:
    """Each goods row is sent once; the files come back in the answer."""
    return fx.export_goods_feed(app, actor)


@router.get(
    "/goods-feeds/{reference}",
    summary="A goods feed as sent",
    response_model=GoodsFeedView,
    responses={403: PROBLEM, 404: PROBLEM},
)
def goods_feed_batch(reference: str, app: App, actor: CurrentActor) -> GoodsFeedView:
    """The feed's control record and files, byte for byte as sent."""
    return fx.goods_feed_batch(app, actor, reference)


@router.post(
    "/traders/{trader}/objections",
    status_code=201,
    summary="Object to the trader's B/C class in force, by its objection deadline (the trader)",
    response_model=ObjectionView,
    responses={403: PROBLEM, 404: PROBLEM, 409: PROBLEM, 422: PROBLEM},
)
def file_objection(trader: str, new: NewObjection, app: App, actor: CurrentActor) -> ObjectionView:
    """422 for an A class or after the deadline, 409 when the notice already has an objection;
    another trader's class is 404, as an unknown one. The class stays in force meanwhile."""
    return fx_objections.file_objection(app, actor, trader, new)


@router.get(
    "/objections",
    summary="The objections the caller may see, pending first (FX authority; a trader its own)",
    response_model=list[ObjectionView],
    responses={403: PROBLEM, 422: PROBLEM},
)
def objections(
    app: App,
    actor: CurrentActor,
    status: Annotated[Literal["pending", "upheld", "granted"] | None, Query()] = None,
    trader: Annotated[str | None, Query(max_length=35)] = None,
) -> list[ObjectionView]:
    """Each with the notice objected to and, when granted, the notice the ruling appended."""
    return fx_objections.list_objections(app, actor, status, trader)


@router.get(
    "/objections/{objection_id}",
    summary="One objection and its ruling",
    response_model=ObjectionView,
    responses={403: PROBLEM, 404: PROBLEM},
)
def objection(objection_id: int, app: App, actor: CurrentActor) -> ObjectionView:
    """Another trader's objection is 404, as an unknown one."""
    return fx_objections.show_objection(app, actor, objection_id)


@router.post(
    "/objections/{objection_id}/decision",
    summary="Uphold a pending objection or grant it with a lower grade (FX authority)",
    response_model=ObjectionView,
    responses={403: PROBLEM, 404: PROBLEM, 409: PROBLEM, 422: PROBLEM},
)
def decide_objection(
    objection_id: int, ruling: ObjectionRuling, app: App, actor: CurrentActor
) -> ObjectionView:
    """Decided once (409 after); granting appends a class notice (reason FX-OBJ) from today."""
    return fx_objections.decide_objection(app, actor, objection_id, ruling)
