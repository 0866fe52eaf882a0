"""DEC-DMS pieces shared by the header and the goods items: parties, documents, values."""

from __future__ import annotations

from datetime import date
from typing import Any

from edi.model import DocumentKind, PartyRole
from edi.xml._lxml import etree
from edi.xml.codes import dms_table
from edi.xml.mapping import Builder, Loc, Node, text

NS = "{urn:wco:datamodel:WCO:DEC-DMS:2}"
DS_NS = "{urn:wco:datamodel:WCO:Declaration_DS:DMS:2}"
DEFAULT_MASS_UNIT = "KGM"  # CDS masses (DE 6/1, 6/5) are in kilograms
IMPLIED_UNIT = "ZZ"  # Rec. 20 "mutually defined": the tariff measure names the unit (DE 6/2)


def party(role: PartyRole, node: Node) -> dict[str, Any]:
    """A canonical party from a DEC-DMS party class (Name, ID, Address)."""
    found: dict[str, Any] = {"role": role}
    identifier = node.text("ID")
    if identifier:
        # EORIs start with the country code; anything else is kept verbatim.
        scheme = "eori" if identifier[:2].isalpha() and identifier[:2].isupper() else "other"
        found["identifiers"] = [{"scheme": scheme, "value": identifier}]
    name = node.text("Name")
    if name:
        found["name"] = name
    address = node.node("Address")
    for field, tag in (
        ("city", "CityName"),
        ("postcode", "PostcodeID"),
        ("country", "CountryCode"),
    ):
        value = address.text(tag)
        if value:
            found[field] = value
    line = address.text("Line")
    if line:
        found["address"] = [line]
    return found


def documents(b: Builder, nodes: list[Node], loc: Loc) -> list[dict[str, Any]] | None:
    """AdditionalDocument classes (DE 2/3) as canonical document references.

    A document without ``ID`` is a waiver statement (an LPCO exemption such as XW), which
    cites no document; the canonical model has no place for it, so it is not mapped.
    """
    kinds = dms_table("documents")
    found: list[dict[str, Any]] = []
    for node in nodes:
        number = node.text("ID")
        if number is None or node.element is None:
            continue
        category, type_code = node.text("CategoryCode") or "", node.text("TypeCode") or ""
        code = category + type_code
        kind = kinds.get(code) or kinds.get(category) or DocumentKind.OTHER
        document: dict[str, Any] = {"kind": kind, "code": code[:8] or None, "number": number}
        effective = node.one("EffectiveDateTime")
        if effective is not None:
            document["issue_date"] = date_of(b, effective)
        b.remember((*loc, len(found)), node.element)
        found.append(document)
    return found or None


def previous_documents(b: Builder, nodes: list[Node]) -> None:
    """GoodsShipment/PreviousDocument (DE 2/1): transport documents and earlier declarations.

    A bill of lading or air waybill (N705, N740 …) fills the transport document when the
    consignment named none; other previous documents are kept as references.
    """
    transport_types = dms_table("transport_document_types")
    for node in nodes:
        number, type_code = node.text("ID"), node.text("TypeCode") or ""
        if number is None or node.element is None:
            continue
        transport = b.header.get("transport", {})
        if type_code in transport_types and "transport_document" not in transport:
            b.put(("transport", "transport_document"), number, node.element)
            continue
        code = ((node.text("CategoryCode") or "") + type_code)[:8] or None
        docs = b.header.setdefault("documents", [])
        b.remember(("documents", len(docs)), node.element)
        docs.append({"kind": DocumentKind.PREVIOUS_DECLARATION, "code": code, "number": number})


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


def date_of(b: Builder, holder: etree._Element | None) -> date | None:
    """The calendar date of a ``…DateTime/DateTimeString`` (formats 102 and 304)."""
    stamp = holder.find(f"{DS_NS}DateTimeString") if holder is not None else None
    raw = text(stamp)
    if raw is None:
        return None
    try:
        return date(int(raw[:4]), int(raw[4:6]), int(raw[6:8]))
    except ValueError:
        b.problem(f"{raw!r} is not a calendar date", stamp)
        return None


__all__ = [
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
