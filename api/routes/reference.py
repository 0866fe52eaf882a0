"""Reference data over HTTP: tariff lookups and quotes (no declaration needed), and the
licences and certificates an agency issues, with their draw-down."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import AfterValidator, BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.auth import App, CurrentActor
from api.problems import problems
from clearance.app import Document, registries, tariffs
from clearance.app.registry_views import DocumentChanged, DocumentDetail, DocumentSummary
from edi.model.values import iso_country

router = APIRouter(tags=["reference data"])
Kind = Literal["licences", "certificates"]
_SINGULAR: dict[str, registries.Kind] = {"licences": "licence", "certificates": "certificate"}


class Revocation(BaseModel):
    """Why a licence or certificate is revoked."""

    reason: str = Field(min_length=1, max_length=512)


@router.get(
    "/v1/tariff/{code}",
    summary="The measures in force for a commodity code, origin and date",
    response_model=tariffs.MeasuresInForce,
    responses=problems(404, 422),
)
def tariff_lookup(
    code: Annotated[str, Path(pattern=r"^\d{4,10}$")],
    app: App,
    actor: CurrentActor,
    origin: Annotated[str, Query(pattern=r"^[A-Z]{2}$"), AfterValidator(iso_country)],
    on: Annotated[date | None, Query(alias="date")] = None,
    regime: Literal["cn", "eu"] | None = None,
    version: str | None = None,
) -> tariffs.MeasuresInForce:
    """Rates, conditions and the text ``customs tariff show`` prints (default date: today)."""
    lookup = tariffs.Lookup(
        code=code, origin=origin, on=on or app.clock.now().date(), regime=regime, version=version
    )
    return tariffs.measures(app, actor, lookup)


@router.post(
    "/v1/quotes",
    summary="Customs value, duties and taxes of one item",
    responses=problems(404, 422),
)
def quote(request: tariffs.QuoteRequest, app: App, actor: CurrentActor) -> dict[str, Any]:
    """The assessment of one line: chosen rates, alternatives not chosen, totals."""
    return tariffs.quote(app, actor, request).model_dump()


@router.get(
    "/v1/tariff-schedules",
    summary="Loaded tariff schedule versions",
    response_model=list[tariffs.ScheduleVersion],
)
def schedules(app: App, actor: CurrentActor) -> list[tariffs.ScheduleVersion]:
    """Every stored schedule version, oldest load first."""
    return tariffs.versions(app, actor)


@router.get(
    "/v1/registry/{kind}",
    summary="Licences or certificates in force that the caller issues, with their ledgers",
    response_model=list[DocumentSummary],
    responses=problems(403),
)
def list_documents(kind: Kind, app: App, actor: CurrentActor) -> list[DocumentSummary]:
    """An agency sees the documents it issues; the draw-down is in each ``ledgers``."""
    return registries.list_documents(app, actor, _SINGULAR[kind])


@router.get(
    "/v1/registry/{kind}/{number}",
    summary="One licence or certificate: record in force, draw-down, changes",
    response_model=DocumentDetail,
    responses=problems(404),
)
def show_document(kind: Kind, number: str, app: App, actor: CurrentActor) -> DocumentDetail:
    """404 for a document the caller does not issue, as for an unknown number."""
    return registries.show_document(app, actor, _SINGULAR[kind], number)


@router.post(
    "/v1/registry/records",
    summary="Push a licence or certificate (a new one, or an amendment of one by number)",
    response_model=DocumentChanged,
    responses=problems(403, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
async def push_document(request: Request, app: App, actor: CurrentActor) -> DocumentChanged:
    """The record in the registry format (docs/rules.md); every problem named with its place."""
    raw = await request.body()
    document = Document("registry record", raw)
    return await run_in_threadpool(registries.register_document, app, actor, document)


@router.post(
    "/v1/registry/{kind}/{number}/revocation",
    summary="Revoke a licence or certificate",
    response_model=DocumentChanged,
    responses=problems(404, 422),
)
def revoke_document(
    kind: Kind, number: str, body: Revocation, app: App, actor: CurrentActor
) -> DocumentChanged:
    """A licence becomes revoked, a certificate cancelled; declarations citing it see it."""
    return registries.revoke(app, actor, _SINGULAR[kind], number, body.reason)
