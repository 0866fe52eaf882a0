"""The goods side of FX monitoring: one row per version of a released declaration.

:func:`sync_goods` brings ``fx_goods`` up to date with the declarations, incrementally: a newly
released declaration gets an ``original`` row; one amended after release (a new version) a
``correction`` that supersedes the previous row; one invalidated after release a
``cancellation`` (value zero). Only the newest row of a declaration is ``current``; the
indicators read those, the goods feed sends every row once. Each item is valued in CNY and USD
at the official rate of the declaration day and rounded, then the items are summed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased

from clearance.fx.valuation import CNY, USD, Converter, NoRatesError
from clearance.lifecycle.registration import DeclarationStatus
from clearance.store.fx_tables import FxGoods
from clearance.store.tables import Declaration, DeclarationItem

#: The domestic party whose FX flows are monitored, by direction (and its fallbacks).
TRADER_ROLES = {"export": ("consignor", "exporter"), "import": ("consignee", "importer")}


@dataclass(frozen=True, slots=True)
class GoodsSync:
    """What a sync added, and the declarations it could not value (no rate for the day)."""

    originals: int
    corrections: int
    cancellations: int
    unvalued: tuple[str, ...]


def trader_of(canonical: dict[str, Any], direction: str, sender: str) -> str:
    """The domestic consignor (export) or consignee (import) by USCC, else the sender."""
    parties = canonical.get("parties", [])
    for role in TRADER_ROLES.get(direction, ()):
        for party in parties:
            if party.get("role") != role:
                continue
            for identifier in party.get("identifiers", []):
                if identifier.get("scheme") == "uscc":
                    return str(identifier["value"])
    return sender


def sync_goods(session: Session, now: datetime) -> GoodsSync:
    """Add the rows that released, amended and invalidated declarations call for."""
    current = aliased(FxGoods)
    query = (
        select(Declaration, current)
        .outerjoin(current, and_(current.declaration_id == Declaration.id, current.current))
        .where(
            or_(
                and_(
                    Declaration.status == DeclarationStatus.RELEASED,
                    or_(current.id.is_(None), current.version != Declaration.version),
                ),
                and_(
                    Declaration.status == DeclarationStatus.INVALIDATED,
                    current.id.is_not(None),
                    current.kind != "cancellation",
                ),
            )
        )
        .order_by(Declaration.id)
    )
    pending = list(session.execute(query))
    if not pending:
        return GoodsSync(0, 0, 0, ())
    converter = Converter.of_store(session)
    counts = {"original": 0, "correction": 0, "cancellation": 0}
    unvalued: list[str] = []
    for declaration, previous in pending:
        row = _row(session, converter, declaration, previous, now)
        if row is None:
            unvalued.append(declaration.number)
            continue
        if previous is not None:
            previous.current = False
            session.flush()  # one current row per declaration at any time
        session.add(row)
        counts[row.kind] += 1
    session.flush()
    return GoodsSync(
        counts["original"], counts["correction"], counts["cancellation"], tuple(unvalued)
    )


def _row(
    session: Session,
    converter: Converter,
    declaration: Declaration,
    previous: FxGoods | None,
    now: datetime,
) -> FxGoods | None:
    cancelled = declaration.status == DeclarationStatus.INVALIDATED
    kind = "original" if previous is None else "cancellation" if cancelled else "correction"
    cny, usd, items = Decimal(0), Decimal(0), 0
    if not cancelled:
        try:
            cny, usd, items = _value(session, converter, declaration)
        except NoRatesError:
            return None
    canonical = json.loads(declaration.canonical)
    return FxGoods(
        declaration_id=declaration.id,
        declaration_number=declaration.number,
        version=declaration.version,
        kind=kind,
        supersedes_id=None if previous is None else previous.id,
        current=True,
        trader=trader_of(canonical, declaration.direction, declaration.sender),
        flow=declaration.direction,
        office=declaration.office,
        declared_on=declaration.accepted_on,
        items=items,
        value_cny=cny,
        value_usd=usd,
        created_at=now,
    )


def _value(
    session: Session, converter: Converter, declaration: Declaration
) -> tuple[Decimal, Decimal, int]:
    day = declaration.accepted_on
    cny, usd, items = Decimal(0), Decimal(0), 0
    for value, currency in session.execute(
        select(DeclarationItem.value, DeclarationItem.currency).where(
            DeclarationItem.declaration_id == declaration.id
        )
    ):
        items += 1
        if value is None or currency is None:
            continue
        cny += converter.to(CNY, value, currency, day)
        usd += converter.to(USD, value, currency, day)
    return cny, usd, items
