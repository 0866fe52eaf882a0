"""The canonical declaration, as the tariff engine asks for it (clearance → tariffs).

Units travel as UN/ECE Recommendation 20 codes in the canonical model and as the engine's own
symbols in ``tariffs``; documents travel as wire codes and kinds, the engine wants the
document codes that measure conditions name (证件代码: ``Y`` proof of origin …).
"""

from __future__ import annotations

from datetime import date

from clearance.assessment.trusted_request import trusted_request
from edi.model import Charge as CanonicalCharge
from edi.model import Declaration, DocumentKind, DocumentReference, GoodsItem
from edi.model import Quantity as CanonicalQuantity
from tariffs import (
    CN_UNIT_CODES,
    UNITS,
    AssessmentRequest,
    Charge,
    ChargeMark,
    Document,
    ItemRequest,
    Money,
    Quantity,
)
from tariffs.preference import claimed_agreement

#: UN/ECE Rec. 20 unit codes → the tariff engine's unit symbols.
REC20_UNITS = {
    "KGM": "kg",
    "GRM": "g",
    "TNE": "t",
    "LTR": "l",
    "MLT": "ml",
    "HLT": "hl",
    "MTR": "m",
    "MTK": "m2",
    "MTQ": "m3",
    "NAR": "pce",
    "PCE": "pce",
    "H87": "pce",
    "C62": "pce",
    "PR": "pair",
    "KWH": "kwh",
    "CTM": "carat",
}
#: What each document kind is called in measure conditions (监管证件 / 随附单证 codes).
DOCUMENT_CODES = {DocumentKind.CERTIFICATE_OF_ORIGIN: "Y"}


class NotAssessableError(ValueError):
    """The declaration lacks something the assessment needs (said in words)."""


def unit_symbol(code: str) -> str | None:
    """The engine's symbol for a canonical unit code (Rec. 20, ``CNnnn`` or a symbol)."""
    if code in REC20_UNITS:
        return REC20_UNITS[code]
    if code.startswith("CN") and code[2:] in CN_UNIT_CODES:
        return CN_UNIT_CODES[code[2:]]
    return code if code in UNITS else None


def assessment_request(declaration: Declaration, as_of: date) -> AssessmentRequest:
    """The request for ``declaration`` on ``as_of``; raises :class:`NotAssessableError`.

    Built without validation when every value is known to pass it (:mod:`.trusted_request`,
    the usual case); otherwise validated, so a bad declaration is refused in the same words.
    """
    trusted = trusted_request(declaration, as_of, unit_symbol, DOCUMENT_CODES, item_claim)
    return trusted if trusted is not None else validated_request(declaration, as_of)


def validated_request(declaration: Declaration, as_of: date) -> AssessmentRequest:
    """The request for ``declaration`` on ``as_of``, every model validated by pydantic."""
    header_documents = tuple(_document(d) for d in declaration.documents)
    gross = declaration.gross_mass
    return AssessmentRequest(
        reference=declaration.sender_reference,
        direction=declaration.direction.value,
        as_of=as_of,
        incoterm=declaration.incoterm or "CIF",
        invoice_currency=declaration.invoice_currency,
        freight=_charge(declaration.freight),
        insurance=_charge(declaration.insurance),
        other_charges=_charge(declaration.other_charges),
        gross_mass_kg=gross.value if gross is not None and gross.unit == "KGM" else None,
        items=tuple(_item(declaration, item, header_documents) for item in declaration.items),
    )


def _item(
    declaration: Declaration, item: GoodsItem, header_documents: tuple[Document, ...]
) -> ItemRequest:
    if item.value is None:
        raise NotAssessableError(f"goods item {item.sequence} has no value")
    origin = item.origin_country or (
        "CN" if declaration.direction.value == "export" else declaration.departure_country
    )
    if origin is None:
        raise NotAssessableError(f"goods item {item.sequence} has no country of origin")
    quantities = [
        q
        for kind, quantity in (
            ("statutory", item.statutory_quantity),
            ("second_statutory", item.second_statutory_quantity),
            ("net", item.net_mass),
            ("declared", item.quantity),
        )
        if (q := _quantity(kind, quantity)) is not None
    ]
    return ItemRequest(
        sequence=item.sequence,
        code=item.commodity_code,
        origin=origin,
        destination=item.destination_country or declaration.destination_country,
        value=Money(amount=item.value.value, currency=item.value.currency),
        quantities=tuple(quantities),
        documents=header_documents + tuple(_document(d) for d in item.documents),
        preference=item_claim(item),
    )


def item_claim(item: GoodsItem) -> str | None:
    """The agreement ``item`` claims, as the certificate controls read it
    (:func:`tariffs.preference.claimed_agreement`): its preference, else the agreement named by a
    certificate of origin cited on the item itself. Header documents never make a claim."""
    if item.preference or not item.documents:
        return item.preference
    own = (d.agreement for d in item.documents if d.kind is DocumentKind.CERTIFICATE_OF_ORIGIN)
    return claimed_agreement(None, own)


def _quantity(kind: str, quantity: CanonicalQuantity | None) -> Quantity | None:
    if quantity is None:
        return None
    symbol = unit_symbol(quantity.unit)
    # A unit the engine does not know cannot drive a specific duty; it is left out, and a
    # specific duty that needs it is reported by the engine as not assessable.
    return None if symbol is None else Quantity(value=quantity.value, unit=symbol, kind=kind)


def _document(document: DocumentReference) -> Document:
    code = DOCUMENT_CODES.get(document.kind) or document.code or document.kind.value[:8]
    return Document(code=code, agreement=document.agreement, reference=document.number[:64])


def _charge(charge: CanonicalCharge | None) -> Charge | None:
    if charge is None:
        return None
    return Charge(mark=ChargeMark(charge.mark.value), value=charge.value, currency=charge.currency)


__all__ = [
    "NotAssessableError",
    "assessment_request",
    "item_claim",
    "unit_symbol",
    "validated_request",
]
