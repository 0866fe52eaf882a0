"""DEC-DMS (WCO DMS declaration, UK CDS usage) → canonical :class:`~edi.model.Declaration`.

The field map is the DEC-DMS column of ``docs/data-dictionary.md`` (with the corrections
listed in ``docs/xml-channel.md``); code tables live in ``tables/dms.json``. Only valid
documents are mapped: run the XSD first (``read_xml_declaration`` does).
"""

from __future__ import annotations

from typing import Any

from edi.model import DeclarationFunction, PartyRole
from edi.xml._lxml import etree
from edi.xml.codes import UnknownCode, dms_table, lookup
from edi.xml.dms_parts import (
    DEFAULT_MASS_UNIT,
    IMPLIED_UNIT,
    NS,
    amount,
    date_of,
    documents,
    measure,
    party,
    previous_documents,
)
from edi.xml.issues import IssueKind, MappingResult
from edi.xml.mapping import Builder, Node, first, issue_at, text
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
    decl = Node(element, NS)
    shipment = decl.node("GoodsShipment")
    items = shipment.nodes("GovernmentAgencyGoodsItem")
    direction = _header(b, decl)
    _shipment(b, shipment, items)
    _parties(b, decl, shipment, direction)
    _transport(b, decl, shipment)
    b.put(("documents",), documents(b, decl.nodes("AdditionalDocument"), ("documents",)), None)
    previous_documents(b, shipment.nodes("PreviousDocument"))
    for index, item in enumerate(items):
        _item(b, index, item)
    return b.finish()


def _header(b: Builder, decl: Node) -> str | None:
    type_el = decl.one("TypeCode")
    type_code = text(type_el) or ""
    direction = None
    try:
        direction = lookup("declaration type (DE 1/1)", dms_table("directions"), type_code[:2])
    except UnknownCode as exc:
        if type_code != "INV":  # a cancellation request names no direction
            b.unknown(exc, type_el, ("direction",))
    b.put(("direction",), direction, type_el)
    function_el = decl.one("FunctionCode")
    function = _FUNCTIONS.get(text(function_el) or "")
    if function is DeclarationFunction.AMENDMENT and type_code == "INV":
        function = DeclarationFunction.CANCELLATION
    if function is None:
        b.problem(f"FunctionCode {text(function_el)!r} is not supported (9 or 13)", function_el)
    b.put(("function",), function, function_el)
    for field, tag in (
        ("sender_reference", "FunctionalReferenceID"),
        ("registered_number", "ID"),
        ("declaration_office", "DeclarationOfficeID"),
    ):
        element = decl.one(tag)
        b.put((field,), text(element), element)
    exit_office = decl.node("ExitOffice").one("ID")
    b.put(("port_office",), text(exit_office), exit_office)
    issued = decl.one("IssueDateTime")
    b.put(("declaration_date",), date_of(b, issued), issued)
    invoice = decl.one("InvoiceAmount")
    total = amount(b, invoice)
    b.put(("invoice_total",), total, invoice)
    b.put(("invoice_currency",), total and total["currency"], invoice)
    packages = decl.one("TotalPackageQuantity")
    b.put(("packages",), None if text(packages) is None else int(text(packages) or 0), packages)
    gross = decl.one("TotalGrossMassMeasure")
    b.put(("gross_mass",), measure(b, gross, DEFAULT_MASS_UNIT), gross)
    infos = decl.nodes("AdditionalInformation")
    remarks = "; ".join(r for r in (i.text("StatementDescription") for i in infos) if r)
    b.put(("remarks",), remarks or None, infos[0].element if infos else None)
    return direction if isinstance(direction, str) else None


def _shipment(b: Builder, shipment: Node, items: list[Node]) -> None:
    for field, element in (
        ("incoterm", shipment.node("TradeTerms").one("ConditionCode")),
        ("departure_country", shipment.node("ExportCountry").one("ID")),
        ("destination_country", shipment.node("Destination").one("CountryCode")),
        ("loading_place", shipment.node("Consignment").node("LoadingLocation").one("ID")),
    ):
        b.put((field,), text(element), element)
    # 监管方式 has no DEC-DMS field; the procedure code (DE 1/10, 2+2 digits) is the nearest.
    for procedure in items[0].nodes("GovernmentProcedure") if items else ():
        current, previous = procedure.text("CurrentCode"), procedure.text("PreviousCode")
        if current and previous and len(current) == len(previous) == 2:
            b.put(("trade_mode",), current + previous, procedure.element)
            break
    packaging = [p for item in items for p in item.nodes("Packaging")]
    marks = dict.fromkeys(m for m in (p.text("MarksNumbersID") for p in packaging) if m)
    b.put(("marks",), "; ".join(marks) or None, packaging[0].element if packaging else None)


def _parties(b: Builder, decl: Node, shipment: Node, direction: str | None) -> None:
    exporter_role = PartyRole.CONSIGNOR if direction == "export" else PartyRole.OVERSEAS_CONSIGNOR
    sources = [
        (PartyRole.DECLARANT, decl.node("Declarant")),
        (PartyRole.REPRESENTATIVE, decl.node("Agent")),
        (exporter_role, decl.node("Exporter")),
        (PartyRole.CONSIGNEE, shipment.node("Importer")),
    ]
    if direction == "export":
        sources.append((PartyRole.OVERSEAS_CONSIGNEE, shipment.node("Consignee")))
    parties: list[dict[str, Any]] = []
    for role, node in sources:
        if node.element is not None:
            b.remember(("parties", len(parties)), first(node.element, node.one("ID")))
            parties.append(party(role, node))
    b.put(("parties",), parties or None, None)


def _transport(b: Builder, decl: Node, shipment: Node) -> None:
    means = decl.node("BorderTransportMeans")
    consignment = shipment.node("Consignment")
    for field, element in (
        ("mode", means.one("ModeCode")),
        ("conveyance_name", means.one("Name")),
        ("conveyance_id", means.one("ID")),
        ("nationality", means.one("RegistrationNationalityCode")),
        ("transport_document", consignment.node("TransportContractDocument").one("ID")),
    ):
        b.put(("transport", field), text(element), element)
    equipment = consignment.nodes("TransportEquipment")
    containers = [c for c in (e.text("ID") for e in equipment) if c]
    if containers:
        b.put(("transport", "containers"), containers, equipment[0].element)


def _item(b: Builder, index: int, item: Node) -> None:
    b.items.append({})
    loc: tuple[str | int, ...] = ("items", index)
    if item.element is not None:
        b.remember(loc, item.element)
    sequence = item.one("SequenceNumeric")
    b.put((*loc, "sequence"), int(text(sequence) or 0), sequence)
    commodity = item.node("Commodity")
    code = _commodity_code(b, commodity, (*loc, "commodity_code"))
    b.put((*loc, "commodity_code"), code, commodity.element)
    b.put((*loc, "description"), commodity.text("Description"), commodity.one("Description"))
    goods = commodity.node("GoodsMeasure")
    for field, tag, default_unit in (
        ("gross_mass", "GrossMassMeasure", DEFAULT_MASS_UNIT),
        ("net_mass", "NetNetWeightMeasure", DEFAULT_MASS_UNIT),
        ("statutory_quantity", "TariffQuantity", IMPLIED_UNIT),
    ):
        element = goods.one(tag)
        b.put((*loc, field), measure(b, element, default_unit), element)
    for field, element in (
        ("value", commodity.node("InvoiceLine").one("ItemChargeAmount")),
        ("statistical_value", item.one("StatisticalValueAmount")),
    ):
        b.put((*loc, field), amount(b, element), element)
    origins = item.nodes("Origin")
    origin = next(
        (o for o in origins if o.text("TypeCode") == "1"), origins[0] if origins else None
    )
    for field, element in (
        ("origin_country", None if origin is None else origin.one("CountryCode")),
        ("destination_country", item.node("Destination").one("CountryCode")),
    ):
        b.put((*loc, field), text(element), element)
    regime = commodity.node("DutyTaxFee").one("DutyRegimeCode")
    # DE 4/17: 1xx codes are third-country duty (no preference claimed); others claim one.
    claimed = text(regime)
    b.put(
        (*loc, "preference"),
        None if claimed is None or claimed.startswith("1") else claimed,
        regime,
    )
    found = documents(b, item.nodes("AdditionalDocument"), (*loc, "documents"))
    b.put((*loc, "documents"), found, None)


def _commodity_code(b: Builder, commodity: Node, loc: tuple[str | int, ...]) -> str | None:
    # DE 6/14 (TSP, 8-digit CN code) + DE 6/15 (TRC, 2-digit TARIC code) make the 10 digits.
    parts = {c.text("IdentificationTypeCode"): c for c in commodity.nodes("Classification")}
    cn, taric = parts.get("TSP"), parts.get("TRC")
    if cn is None:
        b.problem(
            "no Classification with IdentificationTypeCode TSP (CN code)", commodity.element, loc
        )
        return None
    code = cn.text("ID") or ""
    if len(code) != 8 or not code.isdigit():
        b.problem(f"CN code (TSP) {code!r} must have 8 digits", cn.one("ID"), loc)
        return None
    if taric is not None:
        suffix = taric.text("ID") or ""
        if len(suffix) != 2 or not suffix.isdigit():
            b.problem(f"TARIC code (TRC) {suffix!r} must have 2 digits", taric.one("ID"), loc)
            return None
        code += suffix
    return code


__all__ = ["dec_dms_to_canonical", "declaration_element", "sender_reference"]
