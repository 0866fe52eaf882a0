"""A trader's (or broker's) own records over HTTP: the licences and certificates that name it,
with what remains of them, and the export-rebate records of its exports (issue 12: a trader sees
"its own declarations, messages, responses, events, licences and rebate records").

The same use cases as the portal's pages (``clearance.app.trader_records``): a trader sees the
documents naming one of its party ids and the rebate records of the declarations it may see; a
broker those of the traders that mandated it; another tenant's never appear.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.auth import App, CurrentActor
from api.problems import problems
from clearance.app import trader_records
from clearance.app.registry_views import DocumentSummary

router = APIRouter(tags=["trader records"])


class HeldDocuments(BaseModel):
    """Licences and certificates in force that name the caller, with their balances."""

    documents: list[DocumentSummary]


class RebateRecords(BaseModel):
    """Export-rebate records of the caller's exports, newest first."""

    records: list[trader_records.RebateRecordView]


@router.get(
    "/v1/held-documents",
    summary="The licences and certificates that name the caller, with what remains",
    response_model=HeldDocuments,
    responses=problems(403),
)
def held_documents(app: App, actor: CurrentActor) -> HeldDocuments:
    """Each licence or certificate in force naming one of the caller's party ids (for a broker
    also its mandating traders'): allowance, tolerance, reserved, used, remaining, uses."""
    return HeldDocuments(documents=trader_records.held_documents(app, actor))


@router.get(
    "/v1/rebate-records",
    summary="The export-rebate records of the caller's exports",
    response_model=RebateRecords,
    responses=problems(403, 422),
)
def rebate_records(
    app: App,
    actor: CurrentActor,
    limit: Annotated[int, Query(ge=1, le=500)] = 500,
) -> RebateRecords:
    """Each record of a released export the caller may see: the item, FOB, rate, estimated
    rebate, status (and why), and the batch that carried it."""
    return RebateRecords(records=trader_records.rebate_records(app, actor, limit=limit))
