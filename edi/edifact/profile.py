"""CUSDEC mapping profiles: the qualifiers and code lists of one message implementation guide.

National guides (MIGs) fix which qualifier means what; the code that walks the message stays
the same. A profile is JSON validated by :class:`CusdecProfile` — shipped under
``edi/edifact/profiles/`` or a file of one's own (:func:`load_profile_file`, errors name the
file, line and column); see docs/edifact-profile.md for every key. Besides the keyed tables
the common shape needs, ``rules`` (:class:`FieldRule`) address what other guides do: any
segment, qualifiers on any element, segment groups and nesting, item-level references,
code-list translations, defaults and repeated elements.
"""

from __future__ import annotations

import json
import re
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from core.errors import CustomsError
from core.jsonpos import positions
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


#: What a :class:`FieldRule` may fill, per scope, and how the value is read.
HEADER_FIELDS: dict[str, str] = {
    "direction": "text",
    "function": "text",
    "declaration_type": "text",
    "sender_reference": "text",
    "registered_number": "text",
    "trade_mode": "text",
    "levy_type": "text",
    "declaration_office": "text",
    "port_office": "text",
    "departure_country": "country",
    "destination_country": "country",
    "trade_country": "country",
    "loading_place": "text",
    "incoterm": "text",
    "invoice_currency": "text",
    "remarks": "text",
    "marks": "text",
    "transport_document": "transport",
    "declaration_date": "date",
    "movement_date": "date",
    "invoice_total": "amount",
    "gross_mass": "quantity",
    "net_mass": "quantity",
    "packages": "int",
}
ITEM_FIELDS: dict[str, str] = {
    "commodity_code": "text",
    "description": "text",
    "declared_elements": "text",
    "origin_country": "country",
    "destination_country": "country",
    "preference": "text",
    "levy_mode": "text",
    "value": "amount",
    "unit_price": "amount",
    "statistical_value": "amount",
    "quantity": "quantity",
    "statutory_quantity": "quantity",
    "second_statutory_quantity": "quantity",
    "gross_mass": "quantity",
    "net_mass": "quantity",
}
_POSITION = re.compile(r"^\d+\.(\d+|\*)$")


class FieldRule(BaseModel):
    """One segment of a guide → one canonical field.

    Positions are ``"element.component"``, counted from 0 after the tag as the segment
    tables print them (``"0.1"`` is C516 5004 in ``MOA+39:100:AUD``); ``"3.*"`` joins every
    component of element 3 (repeated text lines). An empty value is *absent*: a conditional
    component left empty (``MOA+39::AUD``) fills nothing, unless ``default`` says what it means.
    """

    model_config = _STRICT

    segment: str = Field(pattern=r"^[A-Z]{3}$")
    scope: Literal["header", "item"] = "header"
    group: str | None = Field(
        default=None,
        pattern=r"^SG\d+(/SG\d+)*$",
        description="Segment group path the segment must sit in, innermost last (SG30/SG35).",
    )
    when: dict[str, str] = Field(
        default_factory=dict, description="Position -> the qualifier it must hold."
    )
    value: str = Field(description="Position of the value.")
    field: str
    map: dict[str, str] = Field(
        default_factory=dict, description="Code-list translation; an unlisted code is refused."
    )
    default: str | None = Field(default=None, description="Meaning of an absent value.")
    extract: str | None = Field(default=None, description="Regex; its first group is kept.")
    currency: str | None = Field(default=None, description="Position of the currency (amounts).")
    currency_default: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    unit: str | None = Field(default=None, description="Position of the unit (quantities).")
    unit_map: dict[str, str] = Field(default_factory=dict)
    date_format: str = Field(default="102", description="2379 format code, or its position.")

    @model_validator(mode="after")
    def _consistent(self) -> FieldRule:
        fields = HEADER_FIELDS if self.scope == "header" else ITEM_FIELDS
        if self.field not in fields:
            known = ", ".join(sorted(fields))
            raise ValueError(f"field {self.field!r} is not a {self.scope} field ({known})")
        for name, position in (
            ("value", self.value),
            ("currency", self.currency),
            ("unit", self.unit),
            *(("when", key) for key in self.when),
        ):
            if position is not None and not _POSITION.match(position):
                raise ValueError(f"{name} position {position!r} is not 'element.component'")
        if self.extract is not None:
            try:
                if re.compile(self.extract).groups < 1:
                    raise ValueError(f"extract {self.extract!r} needs one group")
            except re.error as exc:
                raise ValueError(f"extract {self.extract!r}: {exc}") from exc
        return self

    @property
    def kind(self) -> str:
        """How the value is read: text, country, date, amount, quantity, int, transport."""
        fields = HEADER_FIELDS if self.scope == "header" else ITEM_FIELDS
        return fields[self.field]


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
    guide: str = Field(default="", description="The MIG this profile follows, with its version.")
    rules: tuple[FieldRule, ...] = Field(
        default=(), description="Generic segment -> field rules, applied after the tables."
    )


PROFILES_DIR = Path(__file__).parent / "profiles"


class ProfileError(CustomsError):
    """A profile that cannot be used: the message names the file, line, column and problem."""

    code = "profile_invalid"


@cache
def load_profile(name: str) -> CusdecProfile:
    """A shipped profile by name (``edi/edifact/profiles/NAME.json``) or a file path (cached)."""
    path = PROFILES_DIR / f"{name}.json"
    if not path.is_file():
        given = Path(name)
        if given.suffix == ".json" and given.is_file():
            return load_profile_file(given)
        known = sorted(p.stem for p in PROFILES_DIR.glob("*.json"))
        raise ProfileError(f"no CUSDEC profile {name!r}; known: {', '.join(known)}")
    return load_profile_file(path)


def load_profile_file(path: Path) -> CusdecProfile:
    """Validate the profile in ``path``; any problem is a :class:`ProfileError` saying where."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: cannot read the profile: {exc}") from exc
    return parse_profile(text, str(path))


def parse_profile(text: str, source: str) -> CusdecProfile:
    """Validate a profile's JSON ``text``; errors name ``source``, line and column."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProfileError(f"{source}, line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
    try:
        return CusdecProfile.model_validate(data)
    except ValidationError as exc:
        found = positions(text)
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            offset = next((found[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in found), 0)
            line = text.count("\n", 0, offset) + 1
            column = offset - (text.rfind("\n", 0, offset) + 1) + 1
            where = ".".join(str(p) for p in loc) or "(top)"
            message = str(err["msg"]).removeprefix("Value error, ")
            problems.append(f"{source}, line {line}, column {column}: {where}: {message}")
        raise ProfileError("; ".join(problems)) from exc


class ProfileSet:
    """The profiles an installation knows, and which one each sender's interchanges use.

    The trading partner agreement says per sender id (UNB S002) which guide it writes to;
    everyone else gets the default profile.
    """

    def __init__(
        self, profiles: dict[str, CusdecProfile], default: str, by_sender: dict[str, str]
    ) -> None:
        for sender, name in (("(default)", default), *by_sender.items()):
            if name not in profiles:
                known = ", ".join(sorted(profiles))
                raise ProfileError(f"partner {sender}: no CUSDEC profile {name!r}; known: {known}")
        self._profiles = profiles
        self._default = profiles[default]
        self._by_sender = {sender: profiles[name] for sender, name in by_sender.items()}

    @property
    def default(self) -> CusdecProfile:
        """The profile of senders without an agreement of their own."""
        return self._default

    def names(self) -> list[str]:
        """Every profile known, by name."""
        return sorted(self._profiles)

    def for_sender(self, sender: str | None) -> CusdecProfile:
        """The profile ``sender`` writes to (the default when no agreement names one)."""
        return self._by_sender.get(sender or "", self._default)


def profile_set(default: str, paths: list[str], by_sender: dict[str, str]) -> ProfileSet:
    """The shipped profiles, those in ``paths`` (files or folders), and the agreements.

    A profile of one's own is known by its ``name``; it may replace a shipped one. A bad file
    stops here with a :class:`ProfileError` naming file, line and column.
    """
    profiles = {p.stem: load_profile(p.stem) for p in sorted(PROFILES_DIR.glob("*.json"))}
    for entry in paths:
        path = Path(entry)
        files = sorted(path.glob("*.json")) if path.is_dir() else [path]
        if not path.exists():
            raise ProfileError(f"{path}: no such profile file or folder")
        for file in files:
            loaded = load_profile_file(file)
            profiles[loaded.name] = loaded
    return ProfileSet(profiles, default, by_sender)
