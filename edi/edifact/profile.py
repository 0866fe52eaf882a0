"""CUSDEC mapping profiles: the qualifiers and code lists of one message implementation guide.

National guides (MIGs) fix which qualifier means what; the code that walks the message stays
the same. A profile is JSON under ``edi/edifact/profiles/`` validated by :class:`CusdecProfile`;
see docs/edifact-profile.md for every key.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from edi.model import ChargeMark, DeclarationFunction, Direction, DocumentKind, PartyRole
from edi.model.parties import IdentifierScheme

_STRICT = ConfigDict(frozen=True, extra="forbid")


class HeaderDate(StrEnum):
    """Header fields that DTM (2005 qualifier) fills."""

    DECLARATION_DATE = "declaration_date"
    MOVEMENT_DATE = "movement_date"


class HeaderLocation(StrEnum):
    """Header fields that LOC (3227 qualifier) fills."""

    DECLARATION_OFFICE = "declaration_office"
    PORT_OFFICE = "port_office"
    TRADE_COUNTRY = "trade_country"
    DEPARTURE_COUNTRY = "departure_country"
    DESTINATION_COUNTRY = "destination_country"
    LOADING_PLACE = "loading_place"


class ItemLocation(StrEnum):
    """Item fields that LOC (3227 qualifier) fills inside a CST group."""

    ORIGIN_COUNTRY = "origin_country"
    DESTINATION_COUNTRY = "destination_country"


class HeaderAmount(StrEnum):
    """Header fields that MOA (5025 qualifier) fills."""

    INVOICE_TOTAL = "invoice_total"
    FREIGHT = "freight"
    INSURANCE = "insurance"
    OTHER_CHARGES = "other_charges"


class ItemAmount(StrEnum):
    """Item fields that MOA (5025 qualifier) fills."""

    VALUE = "value"
    UNIT_PRICE = "unit_price"
    STATISTICAL_VALUE = "statistical_value"


class Measure(StrEnum):
    """Fields that MEA (6313 measured attribute) fills."""

    GROSS_MASS = "gross_mass"
    NET_MASS = "net_mass"
    QUANTITY = "quantity"
    STATUTORY_QUANTITY = "statutory_quantity"
    SECOND_STATUTORY_QUANTITY = "second_statutory_quantity"


class CustomsCode(StrEnum):
    """Fields carried as CST C246 customs identity codes, keyed by their 1131 code list.

    The header CST (customs status of goods) carries the trade mode and levy type; in a
    goods item's CST the first C246 is the commodity code and the others carry these.
    """

    TRADE_MODE = "trade_mode"
    LEVY_TYPE = "levy_type"
    PREFERENCE = "preference"
    LEVY_MODE = "levy_mode"


class Reference(StrEnum):
    """What an RFF (1153 qualifier) is."""

    REGISTERED_NUMBER = "registered_number"
    TRANSPORT_DOCUMENT = "transport_document"
    DOCUMENT = "document"


class ChargeRule(BaseModel):
    """How one MOA qualifier fills a charge: which charge and whether the amount is a rate."""

    model_config = _STRICT

    field: HeaderAmount
    mark: ChargeMark = ChargeMark.TOTAL


class ReferenceRule(BaseModel):
    """How one RFF qualifier is read."""

    model_config = _STRICT

    field: Reference
    kind: DocumentKind | None = None  # for field == document


class CusdecProfile(BaseModel):
    """Every qualifier the CUSDEC mapper understands; anything else is ignored, not guessed."""

    model_config = _STRICT

    name: str
    description: str
    directories: tuple[str, ...] = Field(min_length=1)
    direction_by_document_code: dict[str, Direction]
    function_by_message_function: dict[str, DeclarationFunction]
    date_formats: dict[str, str] = Field(description="2379 format qualifier → strptime pattern.")
    header_dates: dict[str, HeaderDate]
    header_locations: dict[str, HeaderLocation]
    item_locations: dict[str, ItemLocation]
    country_code_map: dict[str, str] = Field(
        default_factory=dict, description="National country codes → ISO 3166 alpha-2."
    )
    parties: dict[str, PartyRole]
    identifier_schemes: dict[str, IdentifierScheme] = Field(
        description="3055 code list agency of the NAD party id → scheme."
    )
    header_amounts: dict[str, ChargeRule]
    item_amounts: dict[str, ItemAmount]
    measures: dict[str, Measure]
    customs_codes: dict[str, CustomsCode] = Field(description="CST C246 1131 code list → field.")
    references: dict[str, ReferenceRule]
    documents: dict[str, DocumentKind] = Field(description="DOC 1001 document code → kind.")
    item_description_text: tuple[str, ...] = Field(description="FTX 4451 for goods description.")
    item_elements_text: tuple[str, ...] = Field(description="FTX 4451 for declared elements.")
    header_remarks_text: tuple[str, ...] = ()
    transport_border_stage: tuple[str, ...] = Field(
        description="TDT 8051 stage codes that describe the means of transport at the border."
    )
    incoterm_code_list: str | None = Field(
        default=None, description="TOD C100 1131 value expected for Incoterms, if any."
    )


PROFILES_DIR = Path(__file__).parent / "profiles"


@cache
def load_profile(name: str) -> CusdecProfile:
    """Load the named profile from ``edi/edifact/profiles/NAME.json`` (cached)."""
    path = PROFILES_DIR / f"{name}.json"
    if not path.is_file():
        known = sorted(p.stem for p in PROFILES_DIR.glob("*.json"))
        raise FileNotFoundError(f"no CUSDEC profile {name!r}; known: {', '.join(known)}")
    return CusdecProfile.model_validate_json(path.read_text(encoding="utf-8"))
