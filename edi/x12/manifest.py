"""The canonical customs manifest: what one 309 says about a conveyance and its cargo.

Frozen pydantic models like :mod:`edi.model` (money-free, quantities in ``Decimal``), so the
lead can move them next to the declaration model. Units are UN/ECE Recommendation 20 codes
for weights (KGM ...) and the X12 manifest unit code (element 599: CTN, PCS ...) for
package counts; the transport mode is a UN/ECE Recommendation 19 digit as in
:class:`edi.model.Transport`. Container numbers are checked with python-stdnum's ISO 6346.
"""

from __future__ import annotations

from datetime import date, time
from enum import StrEnum
from functools import lru_cache
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, model_validator
from stdnum import iso6346

from edi.model.values import FROZEN, CommodityCode, CountryCode, Quantity

__all__ = [
    "BillOfLading",
    "Container",
    "Conveyance",
    "GoodsLine",
    "Manifest",
    "ManifestParty",
    "PartyRole",
    "PortCall",
    "Reference",
    "valid_container",
]


@lru_cache(maxsize=65536)
def valid_container(value: str) -> bool:
    """True for an ISO 6346 number in compact form (``CSQU3054383``).

    Cached: python-stdnum cleans the input character by character (about 60 µs a call), and
    a number is checked twice on the way in (mapping, then the model).
    """
    return value == value.strip().upper() and bool(iso6346.is_valid(value))


def _container_number(value: str) -> str:
    """ISO 6346 owner code, category, serial and check digit, compact (``CSQU3054383``)."""
    if not valid_container(value):
        raise ValueError(f"{value!r} is not a valid ISO 6346 container number (compact form)")
    return value


ContainerNumber = Annotated[str, AfterValidator(_container_number)]
Scac = Annotated[str, Field(pattern=r"^[A-Z0-9]{2,4}$", description="Standard Carrier Alpha Code")]


class PartyRole(StrEnum):
    """N101 entity identifier codes of a 309 bill of lading."""

    SHIPPER = "shipper"  # SH
    CONSIGNEE = "consignee"  # CN
    NOTIFY = "notify"  # N1
    OTHER = "other"


class ManifestParty(BaseModel):
    """A party named on a bill of lading (N1 loop)."""

    model_config = FROZEN

    role: PartyRole
    entity_code: str = Field(min_length=2, max_length=3, description="N101 as sent.")
    name: str = Field(min_length=1, max_length=60)
    identifier_qualifier: str | None = Field(default=None, max_length=2)
    identifier: str | None = Field(default=None, max_length=80)
    address: tuple[str, ...] = ()
    city: str | None = Field(default=None, max_length=30)
    subdivision: str | None = Field(default=None, max_length=3)
    postal_code: str | None = Field(default=None, max_length=15)
    country: CountryCode | None = None


class Reference(BaseModel):
    """An N9 reference of a bill (qualifier as sent, e.g. BN booking number)."""

    model_config = FROZEN

    qualifier: str = Field(min_length=2, max_length=3)
    value: str = Field(min_length=1, max_length=80)


class Container(BaseModel):
    """A container (VID loop) with its seal numbers."""

    model_config = FROZEN

    number: ContainerNumber
    seals: tuple[str, ...] = ()


class GoodsLine(BaseModel):
    """One N10 line: what is in a container (or in the bill when there is none)."""

    model_config = FROZEN

    container: ContainerNumber | None = None
    quantity: Quantity | None = None
    description: str | None = Field(default=None, max_length=45)
    marks: str | None = Field(default=None, max_length=48)
    commodity_qualifier: str | None = Field(default=None, max_length=1)
    commodity_code: CommodityCode | None = Field(default=None, description="HS-based code.")
    weight: Quantity | None = None


class BillOfLading(BaseModel):
    """One LX loop: a bill of lading with its parties, containers and goods."""

    model_config = FROZEN

    line: int = Field(ge=1, description="LX01.")
    number: str = Field(min_length=1, max_length=35, description="Issuer SCAC + M1101.")
    issuer_scac: Scac
    carrier_number: str = Field(min_length=1, max_length=25, description="M1101 as sent.")
    house_bill: str | None = Field(default=None, max_length=25)
    port_of_loading: str = Field(min_length=1, max_length=30)
    port_of_discharge: str = Field(min_length=1, max_length=30)
    place_of_receipt: str | None = Field(default=None, max_length=17)
    quantity: Quantity = Field(description="Pieces in the smallest package unit (M1103/M1104).")
    gross_weight: Quantity
    parties: tuple[ManifestParty, ...] = ()
    references: tuple[Reference, ...] = ()
    containers: tuple[Container, ...] = ()
    goods: tuple[GoodsLine, ...] = ()

    @property
    def container_numbers(self) -> tuple[str, ...]:
        """The container numbers, in the order sent."""
        return tuple(c.number for c in self.containers)

    def party(self, role: PartyRole) -> ManifestParty | None:
        """The first party with ``role``, if any."""
        return next((p for p in self.parties if p.role is role), None)


class Conveyance(BaseModel):
    """The vessel (or aircraft, train, truck) that carries the manifest's cargo."""

    model_config = FROZEN

    name: str | None = Field(default=None, max_length=70)
    identifier: str | None = Field(default=None, max_length=35, description="IMO, flight …")
    identifier_qualifier: str | None = Field(default=None, max_length=1, description="M1010.")
    nationality: CountryCode | None = None
    mode: str = Field(pattern=r"^\d$", description="UN/ECE Rec. 19 mode (1 sea, 4 air …).")
    transport_method: str = Field(min_length=1, max_length=2, description="M1002 (X12 91).")


class PortCall(BaseModel):
    """A P4 loop: the port the bills are discharged at and the expected arrival."""

    model_config = FROZEN

    port: str = Field(min_length=1, max_length=30)
    arrival_date: date
    arrival_time: time | None = None
    declared_bills: int | None = Field(default=None, ge=0, description="P403.")


class Manifest(BaseModel):
    """One customs manifest (309 transaction set) in canonical form."""

    model_config = FROZEN

    carrier_scac: Scac
    conveyance: Conveyance
    voyage: str = Field(min_length=1, max_length=30)
    manifest_type: str | None = Field(default=None, max_length=1, description="M1009.")
    reference: str | None = Field(default=None, max_length=50, description="M1007.")
    declared_bills: int | None = Field(default=None, ge=0, description="M1008.")
    port_calls: tuple[PortCall, ...] = Field(min_length=1)
    bills: tuple[BillOfLading, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Manifest:
        numbers = [b.number for b in self.bills]
        if len(set(numbers)) != len(numbers):
            raise ValueError("bill of lading numbers must be unique within a manifest")
        ports = {p.port for p in self.port_calls}
        if any(b.port_of_discharge not in ports for b in self.bills):
            raise ValueError("every bill's port of discharge must be one of the port calls")
        return self

    @property
    def port_of_discharge(self) -> str:
        """The first port of discharge (P401 of the first P4 loop)."""
        return self.port_calls[0].port

    @property
    def arrival_date(self) -> date:
        """The expected arrival at the first port of discharge."""
        return self.port_calls[0].arrival_date

    def bill(self, number: str) -> BillOfLading | None:
        """The bill of lading ``number`` (issuer SCAC + carrier number), if any."""
        return next((b for b in self.bills if b.number == number), None)
