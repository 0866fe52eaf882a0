"""The record kinds of a schedule file (JSON Lines), validated with pydantic.

One model per ``kind``; docs/tariff-format.md documents every field. Amounts and rates are
decimals written as JSON strings or numbers (numbers are read as ``Decimal``, never float).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator

from tariffs.measures import ConditionAction, Role
from tariffs.units import UNITS

_FROZEN = ConfigDict(frozen=True, extra="forbid")
Id = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}$")]
Code = Annotated[str, Field(pattern=r"^\d{2}(\d{2}){0,4}$")]
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
DocCode = Annotated[str, Field(min_length=1, max_length=8)]
NonNegative = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]
Positive = Annotated[Decimal, Field(gt=0, allow_inf_nan=False)]


def _known_unit(value: str | None) -> str | None:
    if value is not None and value not in UNITS:
        raise ValueError(f"unknown unit {value!r}; known: {', '.join(sorted(UNITS))}")
    return value


class _Dated(BaseModel):
    model_config = _FROZEN
    valid_from: date
    valid_to: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> _Dated:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self


class ScheduleRecord(BaseModel):
    """Header: first record of a file; identifies the version."""

    model_config = _FROZEN
    kind: Literal["schedule"]
    id: Id
    name: str = Field(min_length=1)
    published: date
    currency: Currency
    regime: str | None = None
    source: str = ""
    note: str = ""


class MeasureTypeRecord(BaseModel):
    """An extra measure type (extends the built-in ones) with the role it plays."""

    model_config = _FROZEN
    kind: Literal["measure_type"]
    id: Id
    role: Role
    name_en: str = Field(min_length=1)
    name_zh: str = ""


class DocumentRecord(BaseModel):
    """A document code and its names."""

    model_config = _FROZEN
    kind: Literal["document"]
    code: DocCode
    name_en: str = Field(min_length=1)
    name_zh: str = ""


class NomenclatureRecord(_Dated):
    """A code at any level with descriptions and statutory units."""

    kind: Literal["nomenclature"]
    code: Code
    description_en: str = Field(min_length=1)
    description_zh: str = ""
    unit1: str | None = None
    unit2: str | None = None
    supervision: str = ""

    _units = field_validator("unit1", "unit2")(_known_unit)


class GroupRecord(BaseModel):
    """A geographical group (not an agreement)."""

    model_config = _FROZEN
    kind: Literal["group"]
    id: Id
    name_en: str = Field(min_length=1)
    name_zh: str = ""


class AgreementRecord(BaseModel):
    """A trade agreement: a group whose rates need a proof of origin."""

    model_config = _FROZEN
    kind: Literal["agreement"]
    id: Id
    name_en: str = Field(min_length=1)
    name_zh: str = ""
    proof_documents: tuple[DocCode, ...] = ()


class MembershipRecord(_Dated):
    """A country's membership of a group or agreement, with validity."""

    kind: Literal["membership"]
    group: Id
    country: Country


class QuotaRecord(BaseModel):
    """A tariff quota."""

    model_config = _FROZEN
    kind: Literal["quota"]
    order_number: Id
    description: str = ""
    volume: NonNegative
    unit: str
    period_from: date
    period_to: date
    documents: tuple[DocCode, ...] = ()

    _unit = field_validator("unit")(_known_unit)

    @model_validator(mode="after")
    def _ordered(self) -> QuotaRecord:
        if self.period_to < self.period_from:
            raise ValueError("period_to is before period_from")
        return self


class ComponentRecord(BaseModel):
    """A duty expression component: ``percent``, or ``amount`` ``currency`` per ``per``."""

    model_config = _FROZEN
    op: Literal["+", "max", "min"] = "+"
    percent: NonNegative | None = None
    amount: NonNegative | None = None
    currency: Currency | None = None
    per: str | None = None
    equivalents: dict[str, Positive] = Field(default_factory=dict)

    _per = field_validator("per")(_known_unit)

    @field_validator("equivalents")
    @classmethod
    def _equivalent_units(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        for u in value:
            _known_unit(u)
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> ComponentRecord:
        if (self.percent is None) == (self.amount is None):
            raise ValueError("give either percent or amount")
        if self.amount is not None and (self.currency is None or self.per is None):
            raise ValueError("a specific amount needs currency and per")
        if self.percent is not None and (self.currency or self.per or self.equivalents):
            raise ValueError("a percent takes no currency, per or equivalents")
        return self


Duty = Annotated[tuple[ComponentRecord, ...], Field(min_length=1)]


class ConditionRecord(BaseModel):
    """One of ``documents`` must be presented, else ``action``."""

    model_config = _FROZEN
    documents: tuple[DocCode, ...] = Field(min_length=1)
    action: ConditionAction
    duty_if_missing: Duty | None = None


class MeasureRecord(_Dated):
    """A measure on a code for a geography."""

    kind: Literal["measure"]
    id: Id
    type: Id
    code: Code
    geo: Id
    exclude: tuple[Id, ...] = ()
    duty: Duty | None = None
    conditions: tuple[ConditionRecord, ...] = ()
    quota: Id | None = None
    additional_code: Id | None = None
    legal_base: str | None = None


class RateRecord(_Dated):
    """An official exchange rate as published."""

    kind: Literal["rate"]
    currency: Currency
    rate: Positive
    per: Positive = Decimal(1)
    quote: Literal["domestic_per_foreign", "foreign_per_domestic"] = "domestic_per_foreign"
    source: str = ""


Record = Annotated[
    ScheduleRecord
    | MeasureTypeRecord
    | DocumentRecord
    | NomenclatureRecord
    | GroupRecord
    | AgreementRecord
    | MembershipRecord
    | QuotaRecord
    | MeasureRecord
    | RateRecord,
    Field(discriminator="kind"),
]
RECORD_ADAPTER: TypeAdapter[Record] = TypeAdapter(Record)
KINDS = (
    "schedule",
    "measure_type",
    "document",
    "nomenclature",
    "group",
    "agreement",
    "membership",
    "quota",
    "measure",
    "rate",
)
