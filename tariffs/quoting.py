"""The one-item question of the CLI: ``quote CODE --origin CC --on DATE --value AMOUNT CUR …``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from tariffs.assessment import assess_declaration
from tariffs.regimes import RegimeProfile
from tariffs.requests import (
    AssessmentRequest,
    Charge,
    ChargeMark,
    Direction,
    Document,
    Incoterm,
    ItemRequest,
    Money,
    Quantity,
)
from tariffs.results import DeclarationAssessment
from tariffs.schedule import Schedule


def quote(
    schedule: Schedule,
    regime: RegimeProfile,
    *,
    code: str,
    origin: str,
    as_of: date,
    value: Decimal | str,
    currency: str,
    quantities: Iterable[Quantity | tuple[Decimal | str, str]] = (),
    incoterm: Incoterm | str = Incoterm.CIF,
    freight: Charge | Decimal | str | None = None,
    insurance: Charge | Decimal | str | None = None,
    other_charges: Charge | Decimal | str | None = None,
    documents: Iterable[Document | str] = (),
    preference: str | None = None,
    direction: Direction = "import",
    destination: str | None = None,
    additional_codes: Iterable[str] = (),
) -> DeclarationAssessment:
    """Assess one item: ``quote CODE --origin CC --on DATE --value AMOUNT CURRENCY …``.

    Charges may be a :class:`Charge`, an amount in ``currency``, or a string ``"5%"`` (a rate).
    Documents may be :class:`Document` or ``"CODE"`` / ``"CODE:AGREEMENT"`` strings.
    """
    item = ItemRequest(
        sequence=1,
        code=code,
        origin=origin,
        destination=destination,
        value=Money(amount=Decimal(value), currency=currency),
        quantities=tuple(
            q if isinstance(q, Quantity) else Quantity(value=Decimal(q[0]), unit=q[1])
            for q in quantities
        ),
        documents=tuple(d if isinstance(d, Document) else parse_document(d) for d in documents),
        preference=preference,
        additional_codes=tuple(additional_codes),
    )
    request = AssessmentRequest.model_validate(
        {
            "direction": direction,
            "as_of": as_of,
            "incoterm": incoterm,  # validated: "C&F" is read as CFR
            "invoice_currency": currency,
            "freight": parse_charge(freight),
            "insurance": parse_charge(insurance),
            "other_charges": parse_charge(other_charges),
            "items": (item,),
        }
    )
    return assess_declaration(request, schedule, regime)


def parse_document(text: str) -> Document:
    """``"Y"`` or ``"Y:ACFTA"`` (code and agreement) → :class:`Document`."""
    code, _, agreement = text.partition(":")
    return Document(code=code, agreement=agreement or None)


def parse_charge(value: Charge | Decimal | str | None) -> Charge | None:
    """``"5%"`` → a rate; ``"120.50"`` or a Decimal → an amount in the invoice currency."""
    if value is None or isinstance(value, Charge):
        return value
    text = str(value).strip()
    if text.endswith("%"):
        return Charge(mark=ChargeMark.RATE, value=Decimal(text[:-1]))
    return Charge(mark=ChargeMark.TOTAL, value=Decimal(text))
