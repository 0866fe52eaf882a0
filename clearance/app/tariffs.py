"""Tariff schedules: load versions, list them, the measures in force, quote one line."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import Field

from clearance.app.access import Permission, require
from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.documents import Document
from clearance.app.errors import NotFoundError, RefusedError
from clearance.app.views import View
from clearance.assessment import tariff_store
from clearance.assessment.adapter import unit_symbol
from edi.model.values import CountryCode
from tariffs import (
    DeclarationAssessment,
    Quantity,
    Schedule,
    TariffError,
    measures_in_force,
    render_measures,
    select_regime,
)
from tariffs import (
    quote as quote_line,
)


class ScheduleLoaded(View):
    """A schedule load: the version, its name, and whether it was new."""

    name: str
    version_id: str
    schedule_name: str
    content_hash: str
    created: bool


class ScheduleVersion(View):
    """One stored schedule version."""

    version_id: str
    regime: str | None
    published: str
    loaded_at: str
    content_hash: str
    name: str


class Lookup(View):
    """Which line, origin and date; which regime and schedule version (default: the latest)."""

    code: str = Field(pattern=r"^\d{4,10}$")
    #: A country, as a declaration's origin is: two capitals that name no country (ZZ) are
    #: refused, not priced at the rates for "every other origin".
    origin: CountryCode
    on: date
    regime: Literal["cn", "eu"] | None = None
    version: str | None = None


class MeasuresInForce(View):
    """The measures in force for a lookup, as data and as ``customs tariff show`` prints them."""

    schedule_version: str
    measures: list[dict[str, Any]]
    text: str


class QuoteRequest(Lookup):
    """One item to quote: value and currency, quantities, incoterm, charges, documents."""

    value: str
    currency: str = Field(pattern=r"^[A-Za-z]{3}$")
    quantities: list[tuple[str, str]] = Field(default_factory=list)
    incoterm: str = "CIF"
    freight: str | None = None
    insurance: str | None = None
    documents: list[str] = Field(default_factory=list)
    preference: str | None = None
    direction: Literal["import", "export"] = "import"


def load_schedule(app: Application, actor: Actor, document: Document) -> ScheduleLoaded:
    """Store one schedule file as a version, all or nothing; the same content again is a no-op.

    Raises :class:`tariffs.TariffError` (file, line and column for a bad file).
    """
    require(actor, Permission.TARIFFS)
    with app.unit() as session:
        loaded = tariff_store.load_content(
            session, document.name, document.content, app.clock.now()
        )
    return ScheduleLoaded(
        name=document.name,
        version_id=loaded.version_id,
        schedule_name=loaded.name,
        content_hash=loaded.content_hash,
        created=loaded.created,
    )


def versions(app: Application, actor: Actor) -> list[ScheduleVersion]:
    """Every loaded schedule version, oldest load first."""
    require(actor, Permission.QUOTE)
    with app.read() as session:
        return [
            ScheduleVersion(
                version_id=row.version_id,
                regime=row.regime,
                published=row.published.isoformat(),
                loaded_at=row.loaded_at.isoformat(),
                content_hash=row.content_hash,
                name=row.name,
            )
            for row in tariff_store.versions(session)
        ]


def measures(app: Application, actor: Actor, lookup: Lookup) -> MeasuresInForce:
    """The measures in force for ``lookup``'s code and origin on its date."""
    require(actor, Permission.QUOTE)
    schedule = _schedule(app, lookup)
    views = measures_in_force(schedule, lookup.code, lookup.origin, lookup.on)
    return MeasuresInForce(
        schedule_version=schedule.version.id,
        measures=[json.loads(json.dumps(v._asdict(), default=str)) for v in views],
        text=render_measures(schedule, lookup.code, lookup.origin, lookup.on),
    )


def quote(app: Application, actor: Actor, request: QuoteRequest) -> DeclarationAssessment:
    """Customs value, every duty and tax line, the alternatives not chosen, the total."""
    require(actor, Permission.QUOTE)
    regime = select_regime(request.regime or app.settings.regime)
    schedule = _schedule(app, request)
    try:
        Decimal(request.value)
    except InvalidOperation:
        raise RefusedError(f"value {request.value!r} is not a number") from None
    quantities = []
    for number, unit in request.quantities:
        symbol = unit_symbol(unit)
        if symbol is None:
            raise RefusedError(f"unknown unit {unit!r} (UN/ECE Rec. 20 code or kg, l, pce …)")
        try:
            quantities.append(Quantity(value=Decimal(number), unit=symbol, kind="statutory"))
        except (InvalidOperation, ValueError):
            raise RefusedError(f"quantity {number!r} is not a number") from None
    try:
        return quote_line(
            schedule,
            regime,
            code=request.code,
            origin=request.origin,
            as_of=request.on,
            value=request.value,
            currency=request.currency.upper(),
            quantities=quantities,
            incoterm=request.incoterm,
            freight=request.freight,
            insurance=request.insurance,
            documents=request.documents,
            preference=request.preference,
            direction=request.direction,
        )
    except (TariffError, ValueError) as exc:
        raise RefusedError(str(exc)) from exc


def _schedule(app: Application, lookup: Lookup) -> Schedule:
    regime = select_regime(lookup.regime or app.settings.regime)
    with app.read() as session:
        if lookup.version:
            try:
                return tariff_store.get(session, lookup.version)
            except TariffError as exc:
                raise NotFoundError(exc.message) from exc
        schedule = tariff_store.latest(session, regime.id)
    if schedule is None:
        raise NotFoundError(
            f"no tariff schedule of regime {regime.id} is loaded: customs tariff load FILE"
        )
    return schedule
