"""The goods declaration (报关单): header, transport, charges and goods items."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field, model_validator

from edi.model.documents import DocumentReference
from edi.model.parties import Party, PartyRole
from edi.model.values import (
    FROZEN,
    Amount,
    CommodityCode,
    CountryCode,
    CurrencyCode,
    IncotermCode,
    OfficeCode,
    PositiveMagnitude,
    Quantity,
)


class DeclarationFunction(StrEnum):
    """What the sender asks for (BGM 1225 message function)."""

    ORIGINAL = "original"
    AMENDMENT = "amendment"
    CANCELLATION = "cancellation"


class DeclarationType(StrEnum):
    """The kind of declaration where a regime distinguishes them (tax point, numbering).

    Standard: a full declaration; simplified: lodged with less data, completed later;
    supplementary: the later declaration that completes a simplified one (or an entry in the
    declarant's records). Absent when the message does not say.
    """

    STANDARD = "standard"
    SIMPLIFIED = "simplified"
    SUPPLEMENTARY = "supplementary"


class Direction(StrEnum):
    """Import or export (进出口标志)."""

    IMPORT = "import"
    EXPORT = "export"


class ChargeMark(StrEnum):
    """How freight, insurance or other charges are given (运费/保费/杂费标记)."""

    RATE = "rate"  # 1: a percentage of the goods value
    PER_UNIT = "per_unit"  # 2: an amount per tonne (unit price)
    TOTAL = "total"  # 3: a total amount


class Charge(BaseModel):
    """Freight, insurance or other charges as an amount or a rate."""

    model_config = FROZEN

    mark: ChargeMark
    value: PositiveMagnitude
    currency: CurrencyCode | None = None

    @model_validator(mode="after")
    def _currency_for_amounts(self) -> Charge:
        if self.mark is ChargeMark.RATE and self.currency is not None:
            raise ValueError("a rate charge carries no currency")
        if self.mark is not ChargeMark.RATE and self.currency is None:
            raise ValueError("an amount charge needs a currency")
        return self


class Transport(BaseModel):
    """The means of transport at the border and the transport document."""

    model_config = FROZEN

    mode: str | None = Field(
        default=None, pattern=r"^\d$", description="UN/ECE Rec. 19 mode (1 sea, 3 road, 4 air …)."
    )
    conveyance_name: str | None = Field(default=None, max_length=70)
    conveyance_id: str | None = Field(default=None, max_length=35, description="IMO, flight…")
    voyage: str | None = Field(default=None, max_length=35)
    nationality: CountryCode | None = None
    transport_document: str | None = Field(
        default=None, max_length=70, description="Bill of lading / air waybill (提运单号)."
    )
    containers: tuple[str, ...] = ()


class GoodsItem(BaseModel):
    """One goods item (商品项)."""

    model_config = FROZEN

    sequence: int = Field(ge=1, le=9999)
    commodity_code: CommodityCode
    description: str | None = Field(default=None, max_length=512)
    declared_elements: str | None = Field(
        default=None, max_length=512, description="申报要素: the declared characteristics."
    )
    quantity: Quantity | None = Field(default=None, description="In the declared unit.")
    statutory_quantity: Quantity | None = Field(default=None, description="First statutory unit.")
    second_statutory_quantity: Quantity | None = None
    gross_mass: Quantity | None = None
    net_mass: Quantity | None = None
    unit_price: Amount | None = None
    value: Amount | None = Field(default=None, description="Item total price (申报总价).")
    statistical_value: Amount | None = None
    origin_country: CountryCode | None = None
    destination_country: CountryCode | None = None
    preference: str | None = Field(
        default=None, max_length=16, description="Preference claimed (agreement code or scheme)."
    )
    levy_mode: str | None = Field(default=None, max_length=4, description="征免方式 code.")
    documents: tuple[DocumentReference, ...] = ()


class Declaration(BaseModel):
    """A goods declaration as the sender stated it, in the canonical form."""

    model_config = FROZEN

    function: DeclarationFunction = DeclarationFunction.ORIGINAL
    direction: Direction
    sender_reference: str = Field(
        min_length=1, max_length=35, description="The sender's own number (BGM document number)."
    )
    registered_number: str | None = Field(
        default=None,
        pattern=r"^(\d{18}|\d{2}[A-Z]{2}[A-Z0-9]{12}[A-Z][A-Z0-9])$",
        description="For amendments and cancellations: the number being changed (18 digits, "
        "or an MRN under an EU/UK-style regime).",
    )
    declaration_type: DeclarationType | None = Field(
        default=None,
        exclude_if=lambda value: value is None,
        description="Standard, simplified or supplementary, when the message says (DEC-DMS "
        "DE 1/2, a MIG's declaration type); left out of the canonical JSON when absent.",
    )
    trade_mode: str | None = Field(default=None, pattern=r"^\d{4}$", description="监管方式.")
    levy_type: str | None = Field(default=None, pattern=r"^\d{3}$", description="征免性质.")
    declaration_office: OfficeCode | None = Field(default=None, description="申报地海关.")
    port_office: OfficeCode | None = Field(default=None, description="进出境关别.")
    declaration_date: date | None = Field(default=None, description="Date stated by the sender.")
    movement_date: date | None = Field(default=None, description="进出口日期.")
    parties: tuple[Party, ...] = ()
    transport: Transport | None = None
    trade_country: CountryCode | None = Field(default=None, description="贸易国(地区).")
    departure_country: CountryCode | None = Field(default=None, description="启运国(地区).")
    destination_country: CountryCode | None = Field(default=None, description="运抵国(地区).")
    loading_place: str | None = Field(default=None, max_length=35, description="UN/LOCODE.")
    incoterm: IncotermCode | None = Field(default=None, description="成交方式 (C&F read as CFR).")
    invoice_currency: CurrencyCode | None = None
    invoice_total: Amount | None = None
    freight: Charge | None = None
    insurance: Charge | None = None
    other_charges: Charge | None = None
    packages: int | None = Field(default=None, ge=0, description="件数.")
    package_type: str | None = Field(default=None, max_length=8)
    gross_mass: Quantity | None = None
    net_mass: Quantity | None = None
    documents: tuple[DocumentReference, ...] = ()
    items: tuple[GoodsItem, ...] = Field(
        default=(), description="At least one, except in a cancellation (it cites a number)."
    )
    remarks: str | None = Field(default=None, max_length=512)
    marks: str | None = Field(default=None, max_length=512)

    @model_validator(mode="after")
    def _consistent(self) -> Declaration:
        if not self.items and self.function is not DeclarationFunction.CANCELLATION:
            raise ValueError(f"an {self.function.value} declaration needs at least one goods item")
        sequences = [item.sequence for item in self.items]
        if len(set(sequences)) != len(sequences):
            raise ValueError("goods item sequence numbers must be unique")
        needs_number = self.function is not DeclarationFunction.ORIGINAL
        if needs_number and self.registered_number is None:
            raise ValueError(f"an {self.function.value} must cite the registered number")
        return self

    def party(self, role: PartyRole) -> Party | None:
        """The first party with ``role``, if any."""
        return next((p for p in self.parties if p.role is role), None)
