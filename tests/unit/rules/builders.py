"""Builders for declarations and contexts used across the rules tests."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from edi.model import (
    Amount,
    Declaration,
    Direction,
    DocumentKind,
    DocumentReference,
    GoodsItem,
    IdentifierScheme,
    Party,
    PartyIdentifier,
    PartyRole,
    Quantity,
)
from rules.context import ControlContext, RequiredDocument
from rules.ledger import Balance
from rules.registry import Registries, load_registries

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "samples" / "registries"
AS_OF = date(2026, 11, 28)
NUMBER = "220120261000000001"
SHANGHAI = "91310000MA1FL0XQ8W"
NINGBO = "91330200MA2AJ6YF1B"
SUZHOU = "91320500MA1MPCR7WX"
BEIJING = "91110108MA01G0FB5Q"
SHENZHEN = "91440300MA5DC8E3L9"
DISCREDITED = "91440101MA5CXK7T26"


def sample_registries() -> Registries:
    """The registries under ``samples/registries``."""
    return load_registries(sorted(SAMPLES.glob("*.jsonl")))


def kg(value: str, unit: str = "KGM") -> Quantity:
    """A quantity (kilograms by default)."""
    return Quantity(value=Decimal(value), unit=unit)


def usd(value: str, currency: str = "USD") -> Amount:
    """An amount (US dollars by default)."""
    return Amount(value=Decimal(value), currency=currency)


def party(role: PartyRole, uscc: str | None = None, name: str | None = None) -> Party:
    """A party, identified by USCC when given."""
    ids = () if uscc is None else (PartyIdentifier(scheme=IdentifierScheme.USCC, value=uscc),)
    return Party(role=role, name=name, identifiers=ids)


def doc(kind: DocumentKind, number: str, **extra: Any) -> DocumentReference:
    """A document reference."""
    return DocumentReference(kind=kind, number=number, **extra)


def certificate(number: str = "E261234567890123", agreement: str = "ACFTA") -> DocumentReference:
    """A certificate-of-origin citation as the EDIFACT profile maps DOC+861."""
    return doc(DocumentKind.CERTIFICATE_OF_ORIGIN, number, code="861", agreement=agreement)


def licence(number: str) -> DocumentReference:
    """A licence citation as the EDIFACT profile maps DOC+911."""
    return doc(DocumentKind.LICENCE, number, code="911")


def item(sequence: int = 1, code: str = "0304620000", **fields: Any) -> GoodsItem:
    """A goods item with sensible defaults (8000 kg of pangasius fillets at USD 2.00)."""
    defaults: dict[str, Any] = {
        "quantity": kg("8000"),
        "statutory_quantity": kg("8000"),
        "gross_mass": kg("8320"),
        "net_mass": kg("8000"),
        "unit_price": usd("2.00"),
        "value": usd("16000.00"),
        "origin_country": "VN",
    }
    defaults.update(fields)
    return GoodsItem(sequence=sequence, commodity_code=code, **defaults)


def declaration(*items: GoodsItem, **fields: Any) -> Declaration:
    """An import by SHANGHAI OCEAN FOODS from VN through office 2201."""
    defaults: dict[str, Any] = {
        "direction": Direction.IMPORT,
        "sender_reference": "BRK-2026-0001",
        "declaration_office": "2201",
        "departure_country": "VN",
        "declaration_date": AS_OF,
        "parties": (
            party(PartyRole.CONSIGNEE, SHANGHAI, "SHANGHAI OCEAN FOODS TRADING CO LTD"),
            party(PartyRole.OVERSEAS_CONSIGNOR, name="VIETNAM SEAFOOD EXPORT JSC"),
        ),
    }
    defaults.update(fields)
    return Declaration(items=items or (item(),), **defaults)


def context(
    decl: Declaration | None = None,
    *,
    registries: Registries | None = None,
    as_of: date = AS_OF,
    balances: Mapping[str, Balance] | None = None,
    required: Mapping[int, tuple[RequiredDocument, ...]] | None = None,
    values_cny: Mapping[int, Decimal] | None = None,
    number: str = NUMBER,
) -> ControlContext:
    """A control context over ``decl`` and the sample registries."""
    return ControlContext(
        declaration=decl or declaration(),
        declaration_number=number,
        as_of=as_of,
        registries=registries if registries is not None else SAMPLE_REGISTRIES,
        balances=balances or {},
        required_documents=required or {},
        values_cny=values_cny or {},
    )


SAMPLE_REGISTRIES = sample_registries()
