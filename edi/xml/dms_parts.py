"""DEC-DMS pieces shared by the header and the goods items: the shape read, parties,
documents, amounts, measures and dates."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from edi.model import DocumentKind, Party, PartyRole
from edi.xml._lxml import etree
from edi.xml.codes import dms_table
from edi.xml.mapping import (
    EMPTY,
    Builder,
    Fields,
    Record,
    Shape,
    compile_spec,
    first,
    text,
    valid_party,
)

NS = "{urn:wco:datamodel:WCO:DEC-DMS:2}"
DS_NS = "{urn:wco:datamodel:WCO:Declaration_DS:DMS:2}"
DEFAULT_MASS_UNIT = "KGM"  # CDS masses (DE 6/1, 6/5) are in kilograms
IMPLIED_UNIT = "ZZ"  # Rec. 20 "mutually defined": the tariff measure names the unit (DE 6/2)

_STAMP: Shape = {DS_NS + "DateTimeString": None}
_PARTY: Shape = {
    "ID": None,
    "Name": None,
    "Address": {"CityName": None, "PostcodeID": None, "CountryCode": None, "Line": None},
}
_DOCUMENT: Shape = {
    "CategoryCode": None,
    "TypeCode": None,
    "ID": None,
    "EffectiveDateTime": _STAMP,
}
_ITEM: Shape = {
    "SequenceNumeric": None,
    "StatisticalValueAmount": None,
    "AdditionalDocument": [_DOCUMENT],
    "Commodity": {
        "Description": None,
        "Classification": [{"ID": None, "IdentificationTypeCode": None}],
        "DutyTaxFee": {"DutyRegimeCode": None},
        "GoodsMeasure": {
            "GrossMassMeasure": None,
            "NetNetWeightMeasure": None,
            "TariffQuantity": None,
        },
        "InvoiceLine": {"ItemChargeAmount": None},
    },
    "GovernmentProcedure": [{"CurrentCode": None, "PreviousCode": None}],
    "Origin": [{"CountryCode": None, "TypeCode": None}],
    "Destination": {"CountryCode": None},
    "Packaging": [{"MarksNumbersID": None}],
}
#: Every element of a DEC-DMS ``Declaration`` that the field map reads.
DECLARATION_SPEC = compile_spec(
    NS,
    {
        "TypeCode": None,
        "FunctionCode": None,
        "FunctionalReferenceID": None,
        "ID": None,
        "DeclarationOfficeID": None,
        "ExitOffice": {"ID": None},
        "IssueDateTime": _STAMP,
        "InvoiceAmount": None,
        "TotalPackageQuantity": None,
        "TotalGrossMassMeasure": None,
        "AdditionalInformation": [{"StatementDescription": None}],
        "AdditionalDocument": [_DOCUMENT],
        "Declarant": _PARTY,
        "Agent": _PARTY,
        "Exporter": _PARTY,
        "BorderTransportMeans": {
            "ModeCode": None,
            "Name": None,
            "ID": None,
            "RegistrationNationalityCode": None,
        },
        "GoodsShipment": {
            "TradeTerms": {"ConditionCode": None},
            "ExportCountry": {"ID": None},
            "Destination": {"CountryCode": None},
            "Consignment": {
                "LoadingLocation": {"ID": None},
                "TransportContractDocument": {"ID": None},
                "TransportEquipment": [{"ID": None}],
            },
            "Importer": _PARTY,
            "Consignee": _PARTY,
            "PreviousDocument": [{"CategoryCode": None, "ID": None, "TypeCode": None}],
            "GovernmentAgencyGoodsItem": [_ITEM],
        },
    },
)


def party(role: PartyRole, record: Record) -> Party | dict[str, Any]:
    """A canonical party from a DEC-DMS party class (Name, ID, Address).

    The validated :class:`Party` when its values are valid (cached by the texts read, see
    :func:`~edi.xml.mapping.valid_party`), else the values for the declaration to report.
    """
    address = record.get("Address", EMPTY)
    texts = (
        role,
        text(record.get("ID")),
        text(record.get("Name")),
        text(address.get("CityName")),
        text(address.get("PostcodeID")),
        text(address.get("CountryCode")),
        text(address.get("Line")),
    )
    return _known_party(*texts) or _party_values(*texts)


def party_origins(record: Record) -> dict[str, Any]:
    """Where each field of :func:`party`'s party came from, so that an error in one field
    (a country that names no country, an identifier that fails its check) is reported at
    the child element that held it; ``"@"`` (its ``ID``, else the party element) for the rest.
    """
    address = record.get("Address", EMPTY)
    identifier = record.get("ID")
    line = address.get("Line")
    return {
        "@": first(record["@"], identifier),
        "identifiers": [identifier],
        "name": record.get("Name"),
        "city": address.get("CityName"),
        "postcode": address.get("PostcodeID"),
        "country": address.get("CountryCode"),
        "address": [line] if line is not None else None,
    }


@lru_cache(maxsize=4096)
def _known_party(*texts: Any) -> Party | None:
    return valid_party(_party_values(*texts))


def _party_values(
    role: PartyRole,
    identifier: str | None,
    name: str | None,
    city: str | None,
    postcode: str | None,
    country: str | None,
    line: str | None,
) -> dict[str, Any]:
    found: dict[str, Any] = {"role": role}
    if identifier:
        # EORIs start with the country code; anything else is kept verbatim.
        scheme = "eori" if identifier[:2].isalpha() and identifier[:2].isupper() else "other"
        found["identifiers"] = [{"scheme": scheme, "value": identifier}]
    if name:
        found["name"] = name
    for field, value in (("city", city), ("postcode", postcode), ("country", country)):
        if value:
            found[field] = value
    if line:
        found["address"] = [line]
    return found


def documents(b: Builder, records: list[Record], target: Fields) -> None:
    """AdditionalDocument classes (DE 2/3) as canonical document references of ``target``.

    A document without ``ID`` is a waiver statement (an LPCO exemption such as XW), which
    cites no document; the canonical model has no place for it, so it is not mapped.
    """
    kinds = dms_table("documents")
    found: list[dict[str, Any]] = []
    anchors: list[etree._Element] = []
    for record in records:
        number = text(record.get("ID"))
        if number is None:
            continue
        category = text(record.get("CategoryCode")) or ""
        code = category + (text(record.get("TypeCode")) or "")
        kind = kinds.get(code) or kinds.get(category) or DocumentKind.OTHER
        document: dict[str, Any] = {"kind": kind, "code": code[:8] or None, "number": number}
        effective = record.get("EffectiveDateTime")
        if effective is not None:
            document["issue_date"] = date_of(b, effective)
        anchors.append(record["@"])
        found.append(document)
    target.put_many("documents", found, anchors)


def previous_documents(
    b: Builder, records: list[Record], header: Fields, transport: Fields
) -> None:
    """GoodsShipment/PreviousDocument (DE 2/1): transport documents and earlier declarations.

    A bill of lading or air waybill (N705, N740 …) fills the transport document when the
    consignment named none; other previous documents are kept as references.
    """
    transport_types = dms_table("transport_document_types")
    for record in records:
        number, type_code = text(record.get("ID")), text(record.get("TypeCode")) or ""
        if number is None:
            continue
        if type_code in transport_types and "transport_document" not in transport.values:
            transport.put("transport_document", number, record["@"])
            continue
        code = ((text(record.get("CategoryCode")) or "") + type_code)[:8] or None
        document = {"kind": DocumentKind.PREVIOUS_DECLARATION, "code": code, "number": number}
        header.values.setdefault("documents", []).append(document)
        header.origins.setdefault("documents", []).append(record["@"])


def amount(b: Builder, element: etree._Element | None) -> dict[str, Any] | None:
    """An amount with its ``currencyID``."""
    value = b.decimal(element)
    if element is None or value is None:
        return None
    return {"value": value, "currency": element.get("currencyID")}


def measure(b: Builder, element: etree._Element | None, default_unit: str) -> dict[str, Any] | None:
    """A measure with its ``unitCode`` (CDS qualifiers such as ``#G`` dropped)."""
    value = b.decimal(element)
    if element is None or value is None:
        return None
    unit = (element.get("unitCode") or default_unit).partition("#")[0]
    return {"value": value, "unit": unit}


def date_of(b: Builder, holder: Record | None) -> date | None:
    """The calendar date of a ``…DateTime/DateTimeString`` (formats 102 and 304)."""
    stamp = None if holder is None else holder.get("DateTimeString")
    raw = text(stamp)
    if raw is None:
        return None
    try:
        return date(int(raw[:4]), int(raw[4:6]), int(raw[6:8]))
    except ValueError:
        b.problem(f"{raw!r} is not a calendar date", stamp)
        return None


__all__ = [
    "DECLARATION_SPEC",
    "DEFAULT_MASS_UNIT",
    "DS_NS",
    "IMPLIED_UNIT",
    "NS",
    "amount",
    "date_of",
    "documents",
    "measure",
    "party",
    "previous_documents",
]
