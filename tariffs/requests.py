"""What an assessment is asked: a declaration reduced to the facts duties depend on.

These models are validated once, at the boundary (the lead's adapter from the canonical
declaration, the CLI, tests); the assessment itself only reads them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tariffs.units import UNITS

_FROZEN = ConfigDict(frozen=True, extra="forbid")
Direction = Literal["import", "export"]
QuantityKind = Literal["statutory", "second_statutory", "net", "declared", "gross"]
#: Which quantity of a dimension a specific duty uses, best first. Gross mass is never used:
#: specific duties are on net or statutory quantities.
_RANK: dict[str, int] = {"statutory": 0, "second_statutory": 1, "net": 2, "declared": 3}


class Incoterm(StrEnum):
    """Terms of delivery (成交方式) the valuation understands."""

    EXW = "EXW"
    FCA = "FCA"
    FAS = "FAS"
    FOB = "FOB"
    CFR = "CFR"
    CPT = "CPT"
    CIF = "CIF"
    CIP = "CIP"


class ChargeMark(StrEnum):
    """How freight, insurance or other charges are given (运费/保费/杂费标记)."""

    RATE = "rate"  # a percentage (of goods value; insurance: of goods + freight)
    PER_UNIT = "per_unit"  # an amount per tonne of gross mass
    TOTAL = "total"  # a total amount


class Charge(BaseModel):
    """Freight, insurance or other charges: a rate (percent) or an amount with currency."""

    model_config = _FROZEN
    mark: ChargeMark
    value: Decimal = Field(ge=0, allow_inf_nan=False)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")

    @model_validator(mode="after")
    def _currency_for_amounts(self) -> Charge:
        if self.mark is ChargeMark.RATE and self.currency is not None:
            raise ValueError("a rate charge carries no currency")
        return self

    @classmethod
    def amount(cls, value: Decimal | str | int, currency: str | None = None) -> Charge:
        """A total amount (currency defaults to the invoice currency)."""
        return cls(mark=ChargeMark.TOTAL, value=Decimal(value), currency=currency)

    @classmethod
    def percent(cls, value: Decimal | str | int) -> Charge:
        """A rate in percent (``0.3`` is 3‰)."""
        return cls(mark=ChargeMark.RATE, value=Decimal(value))


class Money(BaseModel):
    """An amount in a currency."""

    model_config = _FROZEN
    amount: Decimal = Field(ge=0, allow_inf_nan=False)
    currency: str = Field(pattern=r"^[A-Z]{3}$")


class Quantity(BaseModel):
    """A quantity in one of :data:`tariffs.units.UNITS`, with what it measures."""

    model_config = _FROZEN
    value: Decimal = Field(ge=0, allow_inf_nan=False)
    unit: str
    kind: QuantityKind = "declared"

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, value: str) -> str:
        if value not in UNITS:
            raise ValueError(f"unknown unit {value!r}; known: {', '.join(sorted(UNITS))}")
        return value


class Document(BaseModel):
    """A document presented: its code (随附单证/监管证件代码), optional agreement and number."""

    model_config = _FROZEN
    code: str = Field(min_length=1, max_length=8)
    agreement: str | None = Field(default=None, max_length=16)
    reference: str | None = Field(default=None, max_length=64)


class ItemRequest(BaseModel):
    """One goods item."""

    model_config = _FROZEN
    sequence: int = Field(ge=1)
    code: str = Field(pattern=r"^\d{6}(\d{2}){0,2}$")
    origin: str = Field(pattern=r"^[A-Z]{2}$")
    destination: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    value: Money
    quantities: tuple[Quantity, ...] = ()
    documents: tuple[Document, ...] = ()
    preference: str | None = Field(default=None, max_length=16)
    additional_codes: tuple[str, ...] = ()

    # Plain methods, not cached properties: each item is assessed once, and
    # functools.cached_property takes a lock on first use (Python 3.11), which costs more here.
    def quantities_by_dimension(self) -> dict[str, Decimal]:
        """Dimension → quantity in the base unit (kg, l, piece …), best kind per dimension."""
        out: dict[str, Decimal] = {}
        ranks: dict[str, int] = {}
        for q in self.quantities:
            rank = _RANK.get(q.kind)
            if rank is None:
                continue  # gross mass is never a duty quantity
            u = UNITS[q.unit]
            held = ranks.get(u.dimension)
            if held is None or rank < held:
                ranks[u.dimension] = rank
                out[u.dimension] = q.value * u.factor
        return out

    def document_key(self) -> tuple[tuple[str, str], ...]:
        """The documents as a sorted, hashable key: (code, agreement or "")."""
        docs = self.documents
        if not docs:
            return ()
        if len(docs) == 1:
            return ((docs[0].code, docs[0].agreement or ""),)
        return tuple(sorted({(d.code, d.agreement or "") for d in docs}))


class AssessmentRequest(BaseModel):
    """A declaration to assess."""

    model_config = _FROZEN
    reference: str | None = Field(default=None, max_length=64)
    direction: Direction = "import"
    as_of: date = Field(description="Declaration date: rates, measures and memberships of it.")
    incoterm: Incoterm = Incoterm.CIF
    invoice_currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    freight: Charge | None = None
    insurance: Charge | None = None
    other_charges: Charge | None = None
    gross_mass_kg: Decimal | None = Field(default=None, ge=0, description="For per-tonne freight.")
    items: tuple[ItemRequest, ...] = Field(min_length=1)
    exhausted_quotas: frozenset[str] = Field(
        default=frozenset(), description="Quota order numbers with no balance (from the ledger)."
    )

    @field_validator("incoterm", mode="before")
    @classmethod
    def _aliases(cls, value: object) -> object:
        if isinstance(value, str) and value.upper().replace(" ", "") in {"C&F", "CNF", "CANDF"}:
            return "CFR"  # C&F is the older name of CFR (成本加运费)
        return value

    @model_validator(mode="after")
    def _unique_sequences(self) -> AssessmentRequest:
        sequences = [i.sequence for i in self.items]
        if len(set(sequences)) != len(sequences):
            raise ValueError("item sequence numbers must be unique")
        return self
