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

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.orm import Session, aliased

from clearance.fx.valuation import CNY, USD, Converter, NoRatesError
from clearance.lifecycle.registration import DeclarationStatus
from clearance.store.counters import serialise
from clearance.store.fx_tables import FxGoods
from clearance.store.tables import Declaration, DeclarationItem

#: The counter whose row lock serialises syncs and goods feeds.
SYNC_LOCK = "fx-goods"
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
    """Add the rows that released, amended and invalidated declarations call for.

    Runs under the ``fx-goods`` counter's row lock (held to the end of the unit of work), so
    two syncs — and the goods feeds that follow them — never add or send the same row twice.
    """
    serialise(session, SYNC_LOCK)
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
    values = _item_values(session, [d.id for d, _ in pending if d.status != _INVALIDATED])
    counts = {"original": 0, "correction": 0, "cancellation": 0}
    unvalued: list[str] = []
    rows: list[dict[str, Any]] = []
    superseded: list[int] = []
    for declaration, previous in pending:
        row = _row(converter, declaration, previous, values.get(declaration.id, []), now)
        if row is None:
            unvalued.append(declaration.number)
            continue
        if previous is not None:
            superseded.append(previous.id)
        rows.append(row)
        counts[row["kind"]] += 1
    # Bulk statements: one current row per declaration once both have run.
    for start in range(0, len(superseded), 500):
        session.execute(
            update(FxGoods)
            .where(FxGoods.id.in_(superseded[start : start + 500]))
            .values(current=False)
            .execution_options(synchronize_session=False)
        )
    if rows:
        session.execute(insert(FxGoods), rows)
    session.expire_all()
    return GoodsSync(
        counts["original"], counts["correction"], counts["cancellation"], tuple(unvalued)
    )


_INVALIDATED = DeclarationStatus.INVALIDATED


def _item_values(
    session: Session, declaration_ids: list[int]
) -> dict[int, list[tuple[Decimal | None, str | None]]]:
    found: dict[int, list[tuple[Decimal | None, str | None]]] = {}
    for start in range(0, len(declaration_ids), 500):
        query = select(
            DeclarationItem.declaration_id, DeclarationItem.value, DeclarationItem.currency
        ).where(DeclarationItem.declaration_id.in_(declaration_ids[start : start + 500]))
        for declaration_id, value, currency in session.execute(query):
            found.setdefault(declaration_id, []).append((value, currency))
    return found


def _row(
    converter: Converter,
    declaration: Declaration,
    previous: FxGoods | None,
    items: list[tuple[Decimal | None, str | None]],
    now: datetime,
) -> dict[str, Any] | None:
    cancelled = declaration.status == _INVALIDATED
    kind = "original" if previous is None else "cancellation" if cancelled else "correction"
    cny, usd = Decimal(0), Decimal(0)
    day = declaration.accepted_on
    if not cancelled:
        try:
            for value, currency in items:
                if value is None or currency is None:
                    continue
                cny += converter.to(CNY, value, currency, day)
                usd += converter.to(USD, value, currency, day)
        except NoRatesError:
            return None
    canonical = json.loads(declaration.canonical)
    return {
        "declaration_id": declaration.id,
        "declaration_number": declaration.number,
        "version": declaration.version,
        "kind": kind,
        "supersedes_id": None if previous is None else previous.id,
        "current": True,
        "trader": trader_of(canonical, declaration.direction, declaration.sender),
        "flow": declaration.direction,
        "office": declaration.office,
        "declared_on": day,
        "items": len(items),
        "value_cny": cny,
        "value_usd": usd,
        "created_at": now,
    }
