"""DEC-DMS (WCO DMS declaration, UK CDS usage) → canonical :class:`~edi.model.Declaration`.

The field map is the DEC-DMS column of ``docs/data-dictionary.md`` (with the corrections
listed in ``docs/xml-channel.md``); code tables live in ``tables/dms.json``. Only valid
documents are mapped: run the XSD first (``read_xml_declaration`` does).
"""

from __future__ import annotations

from typing import Any

from edi.model import DeclarationFunction, Party, PartyRole
from edi.model.numbers import direction_of_number
from edi.xml._lxml import etree
from edi.xml.codes import UnknownCode, dms_table, lookup
from edi.xml.dms_parts import (
    DECLARATION_SPEC,
    DEFAULT_MASS_UNIT,
    IMPLIED_UNIT,
    NS,
    amount,
    date_of,
    documents,
    measure,
    party,
    party_origins,
    previous_documents,
)
from edi.xml.issues import IssueKind, MappingResult
from edi.xml.mapping import EMPTY, Builder, Fields, Loc, Origin, Record, extract, issue_at, text
from edi.xml.parsing import local_name

_FUNCTIONS = {"9": DeclarationFunction.ORIGINAL, "13": DeclarationFunction.AMENDMENT}


def declaration_element(document: etree._Element) -> etree._Element | None:
    """The ``Declaration`` inside ``md:MetaData`` (or ``document`` itself)."""
    if local_name(document) == "Declaration":
        return document
    return document.find(f"{NS}Declaration")


def sender_reference(document: etree._Element) -> str | None:
    """The LRN (``FunctionalReferenceID``), read without mapping the rest."""
    decl = declaration_element(document)
    return None if decl is None else text(decl.find(f"{NS}FunctionalReferenceID"))


def dec_dms_to_canonical(document: etree._Element) -> MappingResult:
    """Map a parsed (and XSD-valid) DEC-DMS document to a canonical declaration."""
    element = declaration_element(document)
    if element is None:
        issue = issue_at("no DEC-DMS Declaration element", document, IssueKind.MAPPING)
        return MappingResult(None, (issue,))
    b = Builder(document)
    decl = extract(element, DECLARATION_SPEC)
    shipment = decl.get("GoodsShipment", EMPTY)
    items: list[Record] = shipment.get("GovernmentAgencyGoodsItem", [])
    header = b.header
    direction = _header(b, decl)
    _shipment(header, shipment, items)
    _parties(header, decl, shipment, direction)
    transport = _transport(decl, shipment)
    documents(b, decl.get("AdditionalDocument", []), header)
    previous_documents(b, shipment.get("PreviousDocument", []), header, transport)
    header.nest("transport", transport)
    for item in items:
        b.items.append(_item(b, item))
    return b.finish()


def _header(b: Builder, decl: Record) -> str | None:
    header = b.header
    type_el = decl.get("TypeCode")
    type_code = text(type_el) or ""
    direction = None
    if type_code == "INV":
        # An invalidation request names no direction; the number it cites encodes it.
        cited = decl.get("ID")
        direction = direction_of_number(text(cited))
        if direction is None:
            b.problem(
                "an invalidation request (TypeCode INV) must cite the declaration number "
                f"(18 digits or our MRN) in ID, not {text(cited)!r}",
                cited if cited is not None else type_el,
                ("direction",),
            )
    else:
        try:
            direction = lookup("declaration type (DE 1/1)", dms_table("directions"), type_code[:2])
        except UnknownCode as exc:
            b.unknown(exc, type_el, ("direction",))
        kind = dms_table("declaration_types").get(type_code[2:3])
        if kind is not None:  # DE 1/2: decides the tax point of a supplementary declaration
            header.put("declaration_type", kind, type_el)
    header.put("direction", direction, type_el)
    function_el = decl.get("FunctionCode")
    function = _FUNCTIONS.get(text(function_el) or "")
    if function is DeclarationFunction.AMENDMENT and type_code == "INV":
        function = DeclarationFunction.CANCELLATION
    if function is None:
        b.problem(f"FunctionCode {text(function_el)!r} is not supported (9 or 13)", function_el)
    header.put("function", function, function_el)
    for field, tag in (
        ("sender_reference", "FunctionalReferenceID"),
        ("registered_number", "ID"),
        ("declaration_office", "DeclarationOfficeID"),
    ):
        element = decl.get(tag)
        header.put(field, text(element), element)
    exit_office = decl.get("ExitOffice", EMPTY).get("ID")
    header.put("port_office", text(exit_office), exit_office)
    issued = decl.get("IssueDateTime")
    if issued is not None:
        header.put("declaration_date", date_of(b, issued), issued["@"])
    invoice = decl.get("InvoiceAmount")
    total = amount(b, invoice)
    header.put("invoice_total", total, invoice)
    header.put("invoice_currency", total and total["currency"], invoice)
    packages = text(decl.get("TotalPackageQuantity"))
    header.put(
        "packages", None if packages is None else int(packages), decl.get("TotalPackageQuantity")
    )
    gross = decl.get("TotalGrossMassMeasure")
    header.put("gross_mass", measure(b, gross, DEFAULT_MASS_UNIT), gross)
    infos: list[Record] = decl.get("AdditionalInformation", [])
    remarks = "; ".join(r for r in (text(i.get("StatementDescription")) for i in infos) if r)
    header.put("remarks", remarks or None, infos[0]["@"] if infos else None)
    return direction if isinstance(direction, str) else None


def _shipment(header: Fields, shipment: Record, items: list[Record]) -> None:
    consignment = shipment.get("Consignment", EMPTY)
    for field, element in (
        ("incoterm", shipment.get("TradeTerms", EMPTY).get("ConditionCode")),
        ("departure_country", shipment.get("ExportCountry", EMPTY).get("ID")),
        ("destination_country", shipment.get("Destination", EMPTY).get("CountryCode")),
        ("loading_place", consignment.get("LoadingLocation", EMPTY).get("ID")),
    ):
        header.put(field, text(element), element)
    # 监管方式 has no DEC-DMS field; the procedure code (DE 1/10, 2+2 digits) is the nearest.
    for procedure in items[0].get("GovernmentProcedure", ()) if items else ():
        current = text(procedure.get("CurrentCode"))
        previous = text(procedure.get("PreviousCode"))
        if current and previous and len(current) == len(previous) == 2:
            header.put("trade_mode", current + previous, procedure["@"])
            break
    packaging = [p for item in items for p in item.get("Packaging", ())]
    marks = dict.fromkeys(m for m in (text(p.get("MarksNumbersID")) for p in packaging) if m)
    header.put("marks", "; ".join(marks) or None, packaging[0]["@"] if packaging else None)


def _parties(header: Fields, decl: Record, shipment: Record, direction: str | None) -> None:
    exporter_role = PartyRole.CONSIGNOR if direction == "export" else PartyRole.OVERSEAS_CONSIGNOR
    sources = [
        (PartyRole.DECLARANT, decl.get("Declarant")),
        (PartyRole.REPRESENTATIVE, decl.get("Agent")),
        (exporter_role, decl.get("Exporter")),
        (PartyRole.CONSIGNEE, shipment.get("Importer")),
    ]
    if direction == "export":
        sources.append((PartyRole.OVERSEAS_CONSIGNEE, shipment.get("Consignee")))
    parties: list[Party | dict[str, Any]] = []
    anchors: list[Origin] = []
    for role, record in sources:
        if record is not None:
            anchors.append(party_origins(record))
            parties.append(party(role, record))
    header.put_many("parties", parties, anchors)


def _transport(decl: Record, shipment: Record) -> Fields:
    transport = Fields(None)
    means = decl.get("BorderTransportMeans", EMPTY)
    consignment = shipment.get("Consignment", EMPTY)
    for field, element in (
        ("mode", means.get("ModeCode")),
        ("conveyance_name", means.get("Name")),
        ("conveyance_id", means.get("ID")),
        ("nationality", means.get("RegistrationNationalityCode")),
        ("transport_document", consignment.get("TransportContractDocument", EMPTY).get("ID")),
    ):
        transport.put(field, text(element), element)
    equipment: list[Record] = consignment.get("TransportEquipment", [])
    containers = [c for c in (text(e.get("ID")) for e in equipment) if c]
    if containers:
        transport.put("containers", containers, equipment[0]["@"])
    return transport


def _item(b: Builder, item: Record) -> Fields:
    fields = Fields(item["@"])
    index = len(b.items)
    sequence = item.get("SequenceNumeric")
    fields.put("sequence", int(text(sequence) or 0), sequence)
    commodity = item.get("Commodity", EMPTY)
    code = _commodity_code(b, commodity, ("items", index, "commodity_code"))
    fields.put("commodity_code", code, commodity["@"])
    description = commodity.get("Description")
    fields.put("description", text(description), description)
    goods = commodity.get("GoodsMeasure", EMPTY)
    for field, tag, default_unit in (
        ("gross_mass", "GrossMassMeasure", DEFAULT_MASS_UNIT),
        ("net_mass", "NetNetWeightMeasure", DEFAULT_MASS_UNIT),
        ("statutory_quantity", "TariffQuantity", IMPLIED_UNIT),
    ):
        element = goods.get(tag)
        fields.put(field, measure(b, element, default_unit), element)
    for field, element in (
        ("value", commodity.get("InvoiceLine", EMPTY).get("ItemChargeAmount")),
        ("statistical_value", item.get("StatisticalValueAmount")),
    ):
        fields.put(field, amount(b, element), element)
    origins: list[Record] = item.get("Origin", [])
    origin = next(
        (o for o in origins if text(o.get("TypeCode")) == "1"), origins[0] if origins else EMPTY
    )
    for field, element in (
        ("origin_country", origin.get("CountryCode")),
        ("destination_country", item.get("Destination", EMPTY).get("CountryCode")),
    ):
        fields.put(field, text(element), element)
    regime = commodity.get("DutyTaxFee", EMPTY).get("DutyRegimeCode")
    # DE 4/17: 1xx codes are third-country duty (no preference claimed); others claim one.
    claimed = text(regime)
    fields.put(
        "preference", None if claimed is None or claimed.startswith("1") else claimed, regime
    )
    documents(b, item.get("AdditionalDocument", []), fields)
    return fields


def _commodity_code(b: Builder, commodity: Record, loc: Loc) -> str | None:
    # DE 6/14 (TSP, 8-digit CN code) + DE 6/15 (TRC, 2-digit TARIC code) make the 10 digits.
    classifications: list[Record] = commodity.get("Classification", [])
    parts = {text(c.get("IdentificationTypeCode")): c for c in classifications}
    cn, taric = parts.get("TSP"), parts.get("TRC")
    if cn is None:
        b.problem(
            "no Classification with IdentificationTypeCode TSP (CN code)", commodity["@"], loc
        )
        return None
    code = text(cn.get("ID")) or ""
    if len(code) != 8 or not code.isdigit():
        b.problem(f"CN code (TSP) {code!r} must have 8 digits", cn.get("ID"), loc)
        return None
    if taric is not None:
        suffix = text(taric.get("ID")) or ""
        if len(suffix) != 2 or not suffix.isdigit():
            b.problem(f"TARIC code (TRC) {suffix!r} must have 2 digits", taric.get("ID"), loc)
            return None
        code += suffix
    return code


__all__ = ["dec_dms_to_canonical", "declaration_element", "sender_reference"]
