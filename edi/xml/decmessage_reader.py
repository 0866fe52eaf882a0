"""China Single Window ``DecMessage`` → canonical :class:`~edi.model.Declaration`.

The field map is the DecMessage column of ``docs/data-dictionary.md`` (with the corrections
listed in ``docs/xml-channel.md``). Chinese code lists (countries, currencies, units,
transport modes, 成交方式, charge marks, 随附单证) go through the tables in
``edi/xml/tables``; a code missing from a table is reported, never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from edi.model import DeclarationFunction, DocumentKind, PartyRole
from edi.xml import codes
from edi.xml._lxml import etree
from edi.xml.codes import UnknownCode, decmessage_table, lookup
from edi.xml.issues import IssueKind, MappingResult
from edi.xml.mapping import Builder, Node, first, issue_at, text

NS = "{http://www.chinaport.gov.cn/dec}"
_KG = "KGM"  # 毛重/净重 are in kilograms


def sender_reference(document: etree._Element) -> str | None:
    """客户端统一编号 (DecSign/ClientSeqNo), else the 统一编号 DecHead/SeqNo."""
    root = Node(document, NS)
    return root.node("DecSign").text("ClientSeqNo") or root.node("DecHead").text("SeqNo")


def decmessage_to_canonical(document: etree._Element) -> MappingResult:
    """Map a parsed (and XSD-valid) DecMessage to a canonical declaration."""
    root = Node(document, NS)
    head = root.node("DecHead")
    if head.element is None:
        return MappingResult(None, (issue_at("no DecHead element", document, IssueKind.MAPPING),))
    b = Builder(document)
    # A DecMessage is always a new declaration: changes travel in separate DecMod messages.
    b.put(("function",), DeclarationFunction.ORIGINAL, None)
    flag = head.one("IEFlag")
    direction = {"I": "import", "E": "export"}.get(text(flag) or "")
    b.put(("direction",), direction, flag)
    sign = root.node("DecSign")
    reference = sign.one("ClientSeqNo")
    if text(reference) is None:
        reference = head.one("SeqNo")
    b.put(("sender_reference",), text(reference), reference)
    _header(b, head, sign, direction)
    _charges(b, head)
    _parties(b, head, direction)
    _transport(b, root, head)
    _documents(b, root, head)
    for index, item in enumerate(root.node("DecLists").nodes("DecList")):
        _item(b, index, item)
    return b.finish()


def _code(b: Builder, element: etree._Element | None, name: str, table: Mapping[str, Any]) -> Any:
    raw = text(element)
    if raw is None:
        return None
    try:
        return lookup(name, table, raw)
    except UnknownCode as exc:
        b.unknown(exc, element)
        return None


def _country(b: Builder, element: etree._Element | None) -> Any:
    return _code(b, element, "country", codes.countries())


def _currency(b: Builder, element: etree._Element | None) -> Any:
    return _code(b, element, "currency", codes.currencies())


def _header(b: Builder, head: Node, sign: Node, direction: str | None) -> None:
    for field, tag in (
        ("registered_number", "EntryId"),
        ("trade_mode", "TradeMode"),
        ("levy_type", "CutMode"),
        ("declaration_office", "CustomMaster"),
        ("port_office", "IEPort"),
        ("package_type", "WrapType"),
        ("remarks", "NoteS"),
        ("marks", "MarkNo"),
    ):
        element = head.one(tag)
        b.put((field,), text(element), element)
    signed = sign.one("SignDate")
    b.put(("declaration_date",), _date(b, signed), signed)
    moved = head.one("IEDate")
    b.put(("movement_date",), _date(b, moved), moved)
    area = head.one("TradeAreaCode")
    b.put(("trade_country",), _country(b, area), area)
    # TradeCountry is 启运国 on imports and 运抵国 on exports.
    partner = head.one("TradeCountry")
    field = "destination_country" if direction == "export" else "departure_country"
    b.put((field,), _country(b, partner), partner)
    terms = head.one("TransMode")
    b.put(("incoterm",), _code(b, terms, "成交方式", decmessage_table("incoterms")), terms)
    packs = head.one("PackNo")
    b.put(("packages",), None if text(packs) is None else int(text(packs) or 0), packs)
    for field, tag in (("gross_mass", "GrossWet"), ("net_mass", "NetWt")):
        element = head.one(tag)
        value = b.decimal(element)
        b.put((field,), None if value is None else {"value": value, "unit": _KG}, element)


def _charges(b: Builder, head: Node) -> None:
    for field, prefix in (("freight", "Fee"), ("insurance", "Insur"), ("other_charges", "Other")):
        mark_el, rate_el = head.one(f"{prefix}Mark"), head.one(f"{prefix}Rate")
        value = b.decimal(rate_el)
        if value is None:
            continue
        mark = _code(b, mark_el, f"{prefix}Mark", decmessage_table("charge_marks"))
        if mark is None:
            if text(mark_el) is None:
                b.problem(f"{prefix}Rate is given without {prefix}Mark", rate_el)
            continue
        # A rate carries no currency, even when the sender filled the currency field.
        currency = None if mark == "rate" else _currency(b, head.one(f"{prefix}Curr"))
        b.put((field,), {"mark": mark, "value": value, "currency": currency}, rate_el)


def _parties(b: Builder, head: Node, direction: str | None) -> None:
    export = direction == "export"
    trader_role = PartyRole.CONSIGNOR if export else PartyRole.CONSIGNEE
    sources = (
        (trader_role, "TradeName", "TradeCode", ("TradeCoScc", "TradeCodeScc")),
        (PartyRole.DECLARANT, "AgentName", "AgentCode", ("AgentCodeScc",)),
        (PartyRole.MANUFACTURER, "OwnerName", "OwnerCode", ("OwnerCodeScc",)),
    )
    parties: list[dict[str, Any]] = []
    for role, name_tag, code_tag, scc_tags in sources:
        pairs = [("customs_code", code_tag)] + [("uscc", tag) for tag in scc_tags]
        identifiers = [
            {"scheme": scheme, "value": value} for scheme, tag in pairs if (value := head.text(tag))
        ]
        name = head.text(name_tag)
        if name or identifiers:
            anchor = next((head.one(t) for t in scc_tags if head.text(t)), None)
            b.remember(("parties", len(parties)), first(head.element, anchor, head.one(code_tag)))
            parties.append({"role": role, "name": name, "identifiers": identifiers})
    overseas = "Consignee" if export else "Consignor"
    code = head.text(f"Overseas{overseas}Code")
    name = head.text(f"Overseas{overseas}Ename") or head.text(f"Overseas{overseas}Cname")
    if code or name:
        role = PartyRole.OVERSEAS_CONSIGNEE if export else PartyRole.OVERSEAS_CONSIGNOR
        b.remember(
            ("parties", len(parties)), first(head.element, head.one(f"Overseas{overseas}Ename"))
        )
        party: dict[str, Any] = {"role": role, "name": name}
        if code:
            party["identifiers"] = [{"scheme": "other", "value": code}]
        parties.append(party)
    b.put(("parties",), parties or None, None)


def _transport(b: Builder, root: Node, head: Node) -> None:
    mode = head.one("TrafMode")
    voyage = root.node("DecFreeTxt").one("VoyNo")
    for field, value, element in (
        ("mode", _code(b, mode, "运输方式", decmessage_table("transport_modes")), mode),
        ("conveyance_name", head.text("TrafName"), head.one("TrafName")),
        ("voyage", text(voyage), voyage),
        ("transport_document", head.text("BillNo"), head.one("BillNo")),
    ):
        b.put(("transport", field), value, element)
    containers = root.node("DecContainers").nodes("Container")
    ids = [c for c in (n.text("ContainerId") for n in containers) if c]
    if ids:
        b.put(("transport", "containers"), ids, containers[0].element)


def _documents(b: Builder, root: Node, head: Node) -> None:
    kinds = decmessage_table("documents")
    docs: list[dict[str, Any]] = []
    for kind, tag in ((DocumentKind.CONTRACT, "ContrNo"), (DocumentKind.LICENCE, "LicenseNo")):
        element = head.one(tag)
        if text(element) and element is not None:
            b.remember(("documents", len(docs)), element)
            docs.append({"kind": kind, "number": text(element)})
    for docu in root.node("DecLicenseDocus").nodes("LicenseDocu"):
        code, number = docu.text("DocuCode"), docu.text("CertCode")
        if number and docu.element is not None:
            b.remember(("documents", len(docs)), docu.element)
            docs.append(
                {"kind": kinds.get(code or "", DocumentKind.OTHER), "code": code, "number": number}
            )
    b.put(("documents",), docs or None, None)


def _item(b: Builder, index: int, item: Node) -> None:
    b.items.append({})
    loc: tuple[str | int, ...] = ("items", index)
    if item.element is not None:
        b.remember(loc, item.element)
    sequence = item.one("GNo")
    b.put((*loc, "sequence"), int(text(sequence) or 0), sequence)
    for field, tag in (
        ("commodity_code", "CodeTS"),
        ("description", "GName"),
        ("declared_elements", "GModel"),
        ("levy_mode", "DutyMode"),
    ):
        element = item.one(tag)
        b.put((*loc, field), text(element), element)
    for field, qty, unit in (
        ("quantity", "GQty", "GUnit"),
        ("statutory_quantity", "FirstQty", "FirstUnit"),
        ("second_statutory_quantity", "SecondQty", "SecondUnit"),
    ):
        qty_el, unit_el = item.one(qty), item.one(unit)
        value = b.decimal(qty_el)
        if value is None:
            continue
        unit_code = _code(b, unit_el, "unit", codes.units())
        if text(unit_el) is None:
            b.problem(f"{qty} is given without {unit}", qty_el)
        elif unit_code is not None:  # an unknown unit is reported once, by _code
            b.put((*loc, field), {"value": value, "unit": unit_code}, qty_el)
    _item_amounts(b, loc, item)
    for field, tag in (
        ("origin_country", "OriginCountry"),
        ("destination_country", "DestinationCountry"),
    ):
        element = item.one(tag)
        b.put((*loc, field), _country(b, element), element)


def _item_amounts(b: Builder, loc: tuple[str | int, ...], item: Node) -> None:
    currency_el = item.one("TradeCurr")
    currency = _currency(b, currency_el)
    for field, tag in (("unit_price", "DeclPrice"), ("value", "DeclTotal")):
        element = item.one(tag)
        amount = b.decimal(element)
        if amount is None:
            continue
        if text(currency_el) is None:
            b.problem(f"{tag} is given without TradeCurr", element)
        elif currency is not None:  # an unknown currency is reported once, by _currency
            b.put((*loc, field), {"value": amount, "currency": currency}, element)


def _date(b: Builder, element: etree._Element | None) -> date | None:
    raw = text(element)
    if raw is None:
        return None
    try:
        return date(int(raw[:4]), int(raw[4:6]), int(raw[6:8]))
    except ValueError:
        b.problem(f"{raw!r} is not a calendar date (yyyyMMdd)", element)
        return None


__all__ = ["decmessage_to_canonical", "sender_reference"]
