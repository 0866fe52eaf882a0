"""What one released declaration counts in trade statistics: a fact per goods item.

Imports are counted on the release date, exports on the date their formalities were
completed (here too the release: nothing remains for the declarant after it). The partner is
the country of origin for imports and the final destination for exports; the consignment
country (启运国) and the country of arrival (运抵国) are kept beside it. Each item's value is
valued as trade statistics value goods — imports CIF, exports FOB (the declared statistical
value when the declarant gives one) — at the official rate of the declaration's own day, in CNY
and USD, rounded per item: aggregates are sums of converted items, never a converted sum.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from clearance.assessment.adapter import NotAssessableError, assessment_request
from edi.model import Declaration, Direction, GoodsItem, PartyRole
from edi.model.parties import IdentifierScheme
from tariffs.regimes import select_regime
from tariffs.valuation import value_declaration

CENT = Decimal("0.01")
MILLI = Decimal("0.001")
UNKNOWN_COUNTRY = "ZZ"  # not stated (ISO 3166 user-assigned)
UNKNOWN = "0"

#: ``rate(currency, day)``: CNY per one unit of ``currency`` on ``day`` (None: no official rate).
RateLookup = Callable[[str, date], Decimal | None]


@dataclass(frozen=True, slots=True)
class FactValues:
    """The dimensions and measures of one statistical record."""

    item_sequence: int
    flow: str
    stat_date: date
    period: int
    hs: str
    partner: str
    consignment: str
    trade_mode: str
    office: str
    transport_mode: str
    trader: str
    region: str
    value_cny: Decimal
    value_usd: Decimal | None
    quantity1: Decimal | None
    unit1: str | None
    quantity2: Decimal | None
    unit2: str | None
    net_mass: Decimal | None


def period_of(day: date) -> int:
    """The month of ``day`` as YYYYMM."""
    return day.year * 100 + day.month


def region_of(trader: str) -> str:
    """The province (6-digit division code, e.g. ``310000``) of a USCC, else ``000000``.

    Characters 3–8 of the Unified Social Credit Code are the administrative division where
    the firm is registered; its first two digits are the province.
    """
    division = trader[2:8]
    if len(trader) == 18 and division.isdigit():
        return f"{division[:2]}0000"
    return "000000"


def trader_of(declaration: Declaration, sender: str) -> str:
    """The domestic party (consignee of an import, consignor of an export): its USCC or id.

    Falls back to the sender when the declaration names no such party.
    """
    role = PartyRole.CONSIGNEE if declaration.direction is Direction.IMPORT else PartyRole.CONSIGNOR
    party = declaration.party(role) or declaration.party(
        PartyRole.IMPORTER if declaration.direction is Direction.IMPORT else PartyRole.EXPORTER
    )
    if party is None:
        return sender
    for scheme in (IdentifierScheme.USCC, IdentifierScheme.CUSTOMS_CODE):
        found = party.identifier(scheme)
        if found:
            return found
    return party.identifiers[0].value if party.identifiers else sender


def facts_of(
    declaration: Declaration,
    *,
    sender: str,
    office: str,
    accepted_on: date,
    stat_date: date,
    rate: RateLookup,
) -> list[FactValues]:
    """The statistical records of a released ``declaration`` counted on ``stat_date``."""
    is_import = declaration.direction is Direction.IMPORT
    trader = trader_of(declaration, sender)
    usd = rate("USD", accepted_on)
    header = {
        "flow": "M" if is_import else "X",
        "stat_date": stat_date,
        "period": period_of(stat_date),
        "trade_mode": declaration.trade_mode or "0000",
        "office": declaration.declaration_office or office,
        "transport_mode": (declaration.transport.mode if declaration.transport else None)
        or UNKNOWN,
        "trader": trader,
        "region": region_of(trader),
    }
    out = []
    border = border_values(declaration, accepted_on, rate)
    for item, at_border in zip(declaration.items, border, strict=True):
        cny = _value_cny(item, at_border, accepted_on, rate)
        out.append(
            FactValues(
                item_sequence=item.sequence,
                hs=item.commodity_code,
                partner=_partner(item, declaration, is_import),
                consignment=(
                    declaration.departure_country if is_import else declaration.destination_country
                )
                or UNKNOWN_COUNTRY,
                value_cny=cny,
                value_usd=None if usd is None else (cny / usd).quantize(CENT, ROUND_HALF_UP),
                quantity1=_q(item.statutory_quantity.value if item.statutory_quantity else None),
                unit1=item.statutory_quantity.unit if item.statutory_quantity else None,
                quantity2=_q(
                    item.second_statutory_quantity.value if item.second_statutory_quantity else None
                ),
                unit2=item.second_statutory_quantity.unit
                if item.second_statutory_quantity
                else None,
                net_mass=_q(item.net_mass.value if item.net_mass else None),
                **header,  # type: ignore[arg-type]
            )
        )
    return out


def _partner(item: GoodsItem, declaration: Declaration, is_import: bool) -> str:
    if is_import:
        return item.origin_country or declaration.trade_country or UNKNOWN_COUNTRY
    return (
        item.destination_country
        or declaration.destination_country
        or declaration.trade_country
        or UNKNOWN_COUNTRY
    )


class _NoRateError(LookupError):
    """A currency the declaration uses has no official rate on its day."""


def border_values(
    declaration: Declaration, day: date, rate: RateLookup
) -> tuple[Decimal | None, ...]:
    """Each item's value at the border in CNY: CIF for imports, FOB for exports.

    Trade statistics value imports CIF and exports FOB (UN IMTS 2010, China's customs
    statistics) whatever the incoterm the goods were sold on. The conversion is the customs
    valuation's own (:func:`tariffs.valuation.value_declaration`: freight, insurance and other
    charges added to or taken out of the price by the incoterm, allocated to the items by value
    share), at ``day``'s official rates, so a statistic and the duty base never disagree about
    what the goods were worth. None for every item when the declaration cannot be valued so (a
    charge the incoterm needs is missing, a currency has no rate that day): its items are then
    counted at their declared totals, as before this rule.
    """

    def fx(currency: str) -> Decimal:
        found = rate(currency, day)
        if found is None:
            raise _NoRateError(currency)
        return found

    try:
        request = assessment_request(declaration, day)
        office = declaration.declaration_office
        valuation = value_declaration(request, fx, select_regime(office=office))
    except (NotAssessableError, ValueError, _NoRateError):  # a pydantic refusal is a ValueError
        return (None,) * len(declaration.items)
    if valuation.problems:
        return (None,) * len(declaration.items)
    return tuple(valuation.values)


def _value_cny(item: GoodsItem, at_border: Decimal | None, day: date, rate: RateLookup) -> Decimal:
    """The item's statistical value in CNY: declared, else CIF/FOB, else its declared total.

    Zero when the item states no value or its currency has no official rate that day: the
    item still counts (traders, quantities), and ``customs stats refresh`` reports how many.
    """
    if item.statistical_value is None and at_border is not None:
        return at_border.quantize(CENT, ROUND_HALF_UP)
    amount = item.statistical_value or item.value
    if amount is None:
        return Decimal(0)
    per_unit = rate(amount.currency, day)
    if per_unit is None:
        return Decimal(0)
    return (amount.value * per_unit).quantize(CENT, ROUND_HALF_UP)


def _q(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(MILLI, ROUND_HALF_UP)
