"""The input fields a risk ruleset may test, and how they are filled from a declaration.

The ruleset is evaluated once per goods item, on a flat object holding the declaration-level
fields and that item's fields. Codes are strings (leading zeros kept); money is a number in CNY
(``None`` when the pipeline could not convert); a missing value is ``None`` and matches no
condition except an empty cell. Rulesets may only name the fields listed here: a mistyped field
would otherwise leave its rows silently unmatched.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from edi.model import GoodsItem
from rules.context import ControlContext

#: Declaration-level fields (the same for every item): name → meaning.
HEADER_FIELDS: dict[str, str] = {
    "direction": "import or export",
    "office": "declaring customs office (申报地海关), e.g. 2201",
    "port": "customs office of entry/exit (进出境关别)",
    "trade_mode": "trade mode (监管方式), e.g. 0110",
    "trader": "USCC of the domestic consignee (imports) or consignor (exports)",
    "credit_grade": "advanced_certified, general_certified, general, discredited or unknown",
    "departure": "country of departure (启运国) for imports, destination country for exports",
    "route": "place of loading (UN/LOCODE), e.g. VNSGN",
    "transport_mode": "mode of transport at the border (1 sea, 3 road, 4 air …)",
    "trade_country": "trading country (贸易国)",
    "declaration_value_cny": "sum of the items' values in CNY (number)",
    "item_count": "number of goods items (number)",
}

#: Item-level fields: name → meaning.
ITEM_FIELDS: dict[str, str] = {
    "commodity_code": "the full commodity code, e.g. 0304620000",
    "hs6": "first 6 digits of the commodity code",
    "heading": "first 4 digits (heading)",
    "chapter": "first 2 digits (chapter)",
    "origin": "country of origin of the item",
    "preference": "agreement claimed (ACFTA, RCEP …) or null",
    "transit": "true when the origin differs from the country of departure",
    "value_cny": "the item's value in CNY (number)",
}

INPUT_FIELDS: dict[str, str] = {**HEADER_FIELDS, **ITEM_FIELDS}


def _number(value: Decimal | None) -> float | None:
    # zen compares numbers; thresholds are whole yuan, so float precision is ample here.
    return None if value is None else float(value)


def header_context(context: ControlContext) -> dict[str, Any]:
    """The declaration-level fields of ``context``."""
    declaration = context.declaration
    trader = context.trader
    importing = declaration.direction.value == "import"
    values = [context.values_cny.get(item.sequence) for item in declaration.items]
    known = [v for v in values if v is not None]
    total = sum(known, Decimal(0)) if len(known) == len(values) else None
    transport = declaration.transport
    return {
        "direction": declaration.direction.value,
        "office": declaration.declaration_office,
        "port": declaration.port_office,
        "trade_mode": declaration.trade_mode,
        "trader": context.trader_uscc,
        "credit_grade": "unknown" if trader is None else trader.credit_grade.value,
        "departure": declaration.departure_country
        if importing
        else declaration.destination_country,
        "route": declaration.loading_place,
        "transport_mode": None if transport is None else transport.mode,
        "trade_country": declaration.trade_country,
        "declaration_value_cny": _number(total),
        "item_count": len(declaration.items),
    }


def item_context(
    context: ControlContext, header: dict[str, Any], item: GoodsItem
) -> dict[str, Any]:
    """``header`` plus the item-level fields of ``item``."""
    code = item.commodity_code
    origin = item.origin_country
    departure = header["departure"]
    return {
        **header,
        "commodity_code": code,
        "hs6": code[:6],
        "heading": code[:4],
        "chapter": code[:2],
        "origin": origin,
        "preference": item.preference,
        "transit": origin is not None and departure is not None and origin != departure,
        "value_cny": _number(context.values_cny.get(item.sequence)),
    }


def risk_contexts(context: ControlContext) -> tuple[dict[str, Any], ...]:
    """One evaluation context per goods item, in item order."""
    header = header_context(context)
    return tuple(item_context(context, header, item) for item in context.declaration.items)
