"""Value types: amounts, quantities and the code formats used across the model."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import pycountry
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

#: Every ISO 3166-1 alpha-2 code (pycountry's copy of the standard): two capitals are not
#: enough, ``ZZ`` or ``XX`` name no country.
ISO_COUNTRIES = frozenset(country.alpha_2 for country in pycountry.countries)


def iso_country(code: str) -> str:
    """``code`` if it is an ISO 3166-1 alpha-2 country code, else a pydantic error (for an
    ``AfterValidator``: the model's countries, a tariff lookup's origin)."""
    if code not in ISO_COUNTRIES:
        raise PydanticCustomError(
            "country_code", "'{code}' is not an ISO 3166-1 country code", {"code": code}
        )
    return code


#: ISO 3166-1 alpha-2 country code (China's own 3-letter codes are mapped by the profiles).
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$"), AfterValidator(iso_country)]
#: ISO 4217 currency code.
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
#: Commodity code: HS-6 up to a 10-digit national line (China: 8-digit line + 2 statistical
#: digits; EU: 8 CN + 2 TARIC). Digits only, leading zeros kept.
CommodityCode = Annotated[str, Field(pattern=r"^\d{6}(\d{2}){0,2}$")]
#: Unit of measure: UN/ECE Recommendation 20 code (KGM, LTR, NAR, ...) or a national code.
UnitCode = Annotated[str, Field(min_length=1, max_length=8, pattern=r"^[A-Za-z0-9]+$")]
#: Older spellings of Incoterms still written by senders, and the code that replaced them.
#: "C&F" (and its ASCII form "CNF") is cost and freight (成本加运费), CFR since Incoterms 1990;
#: DOMAIN.md lists "C&F/CFR" among the 成交方式 a declaration may give.
INCOTERM_ALIASES = {"C&F": "CFR", "CNF": "CFR"}


def incoterm_alias(value: object) -> object:
    """The current code for a legacy Incoterm spelling (``C&F``, ``C & F``, ``CNF`` -> ``CFR``);
    anything else unchanged, for the pattern to accept or refuse (a ``BeforeValidator``)."""
    if isinstance(value, str):
        return INCOTERM_ALIASES.get(value.replace(" ", ""), value)
    return value


#: Incoterms code (成交方式): three capitals, with the legacy C&F/CNF read as CFR. Normalised
#: here, in the model, so every channel that fills it (EDIFACT TOD, a MIG's field rules,
#: DEC-DMS TradeTerms, the JSON API) accepts the same spellings and stores the same code.
IncotermCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$"), BeforeValidator(incoterm_alias)]
#: Customs office (关区代码 in China: 4 digits; other administrations: up to 8 characters).
OfficeCode = Annotated[str, Field(pattern=r"^[A-Z0-9]{2,8}$")]

FROZEN = ConfigDict(frozen=True, extra="forbid")

#: The largest magnitude an amount, a charge or a quantity may have: the store keeps them as
#: NUMERIC(18, 4) (below 10^14 once rounded to four places), so a larger value is refused
#: where the message is read, at the element that carried it, never by the database.
MAX_MAGNITUDE = Decimal("99999999999999.9999")
#: A decimal amount or quantity within the store's range; pydantic checks the bounds itself.
Magnitude = Annotated[Decimal, Field(allow_inf_nan=False, ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE)]
#: The same, never negative.
PositiveMagnitude = Annotated[Decimal, Field(allow_inf_nan=False, ge=0, le=MAX_MAGNITUDE)]


class Amount(BaseModel):
    """A sum of money in one currency."""

    model_config = FROZEN

    # pydantic refuses NaN, infinities and values out of range itself, without a Python call.
    value: Magnitude
    currency: CurrencyCode

    def __str__(self) -> str:
        return f"{self.currency} {self.value}"


class Quantity(BaseModel):
    """A quantity in a unit of measure."""

    model_config = FROZEN

    value: PositiveMagnitude
    unit: UnitCode

    def __str__(self) -> str:
        return f"{self.value} {self.unit}"
