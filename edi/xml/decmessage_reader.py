"""China Single Window ``DecMessage`` → canonical :class:`~edi.model.Declaration`.

The field map is the DecMessage column of ``docs/data-dictionary.md`` (with the corrections
listed in ``docs/xml-channel.md``). Chinese code lists (countries, currencies, units,
transport modes, 成交方式, charge marks, 随附单证) go through the tables in
``edi/xml/tables``; a code missing from a table is reported, never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from typing import Any

from edi.model import DeclarationFunction, DocumentKind, Party, PartyRole
from edi.xml import codes
from edi.xml._lxml import etree
from edi.xml.codes import UnknownCode, decmessage_table, lookup
from edi.xml.issues import IssueKind, MappingResult
from edi.xml.mapping import (
    EMPTY,
    Builder,
    Fields,
    Record,
    compile_spec,
    extract,
    first,
    issue_at,
    text,
    valid_party,
)

NS = "{http://www.chinaport.gov.cn/dec}"
_KG = "KGM"  # 毛重/净重 are in kilograms

_HEAD_TAGS = (
    "IEFlag SeqNo EntryId TradeMode CutMode CustomMaster IEPort WrapType NoteS MarkNo IEDate "
    "TradeAreaCode TradeCountry TransMode PackNo GrossWet NetWt FeeMark FeeRate FeeCurr "
    "InsurMark InsurRate InsurCurr OtherMark OtherRate OtherCurr TradeName TradeCode TradeCoScc "
    "TradeCodeScc AgentName AgentCode AgentCodeScc OwnerName OwnerCode OwnerCodeScc "
    "OverseasConsigneeCode OverseasConsigneeEname OverseasConsigneeCname OverseasConsignorCode "
    "OverseasConsignorEname OverseasConsignorCname TrafMode TrafName BillNo ContrNo LicenseNo"
)
_LIST_TAGS = (
    "GNo CodeTS GName GModel DutyMode GQty GUnit FirstQty FirstUnit SecondQty SecondUnit "
    "TradeCurr DeclPrice DeclTotal OriginCountry DestinationCountry"
)
#: Every element of a ``DecMessage`` that the field map reads.
MESSAGE_SPEC = compile_spec(
    NS,
    {
        "DecHead": dict.fromkeys(_HEAD_TAGS.split()),
        "DecLists": {"DecList": [dict.fromkeys(_LIST_TAGS.split())]},
        "DecContainers": {"Container": [{"ContainerId": None}]},
        "DecLicenseDocus": {"LicenseDocu": [{"DocuCode": None, "CertCode": None}]},
        "DecFreeTxt": {"VoyNo": None},
        "DecSign": {"ClientSeqNo": None, "SignDate": None},
    },
)


def sender_reference(document: etree._Element) -> str | None:
    """客户端统一编号 (DecSign/ClientSeqNo), else the 统一编号 DecHead/SeqNo."""
    sign, head = document.find(f"{NS}DecSign"), document.find(f"{NS}DecHead")
    return text(None if sign is None else sign.find(f"{NS}ClientSeqNo")) or text(
        None if head is None else head.find(f"{NS}SeqNo")
    )


def decmessage_to_canonical(document: etree._Element) -> MappingResult:
    """Map a parsed (and XSD-valid) DecMessage to a canonical declaration."""
    root = extract(document, MESSAGE_SPEC)
    head: Record | None = root.get("DecHead")
    if head is None:
        return MappingResult(None, (issue_at("no DecHead element", document, IssueKind.MAPPING),))
    b = Builder(document)
    header = b.header
    # A DecMessage is always a new declaration: changes travel in separate DecMod messages.
    header.put("function", DeclarationFunction.ORIGINAL, None)
    flag = head.get("IEFlag")
    direction = {"I": "import", "E": "export"}.get(text(flag) or "")
    header.put("direction", direction, flag)
    sign = root.get("DecSign", EMPTY)
    reference = sign.get("ClientSeqNo")
    if text(reference) is None:
        reference = head.get("SeqNo")
    header.put("sender_reference", text(reference), reference)
    _header(b, head, sign, direction)
    _charges(b, head)
    _parties(header, head, direction)
    _transport(b, root, head)
    _documents(header, root, head)
    for item in root.get("DecLists", EMPTY).get("DecList", ()):
        b.items.append(_item(b, item))
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


def _header(b: Builder, head: Record, sign: Record, direction: str | None) -> None:
    header = b.header
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
        element = head.get(tag)
        header.put(field, text(element), element)
    signed = sign.get("SignDate")
    header.put("declaration_date", _date(b, signed), signed)
    moved = head.get("IEDate")
    header.put("movement_date", _date(b, moved), moved)
    area = head.get("TradeAreaCode")
    header.put("trade_country", _country(b, area), area)
    # TradeCountry is 启运国 on imports and 运抵国 on exports.
    partner = head.get("TradeCountry")
    field = "destination_country" if direction == "export" else "departure_country"
    header.put(field, _country(b, partner), partner)
    terms = head.get("TransMode")
    header.put("incoterm", _code(b, terms, "成交方式", decmessage_table("incoterms")), terms)
    packs = head.get("PackNo")
    header.put("packages", None if text(packs) is None else int(text(packs) or 0), packs)
    for field, tag in (("gross_mass", "GrossWet"), ("net_mass", "NetWt")):
        element = head.get(tag)
        value = b.decimal(element)
        header.put(field, None if value is None else {"value": value, "unit": _KG}, element)


def _charges(b: Builder, head: Record) -> None:
    for field, prefix in (("freight", "Fee"), ("insurance", "Insur"), ("other_charges", "Other")):
        mark_el, rate_el = head.get(f"{prefix}Mark"), head.get(f"{prefix}Rate")
        value = b.decimal(rate_el)
        if value is None:
            continue
        mark = _code(b, mark_el, f"{prefix}Mark", decmessage_table("charge_marks"))
        if mark is None:
            if text(mark_el) is None:
                b.problem(f"{prefix}Rate is given without {prefix}Mark", rate_el)
            continue
        # A rate carries no currency, even when the sender filled the currency field.
        currency = None if mark == "rate" else _currency(b, head.get(f"{prefix}Curr"))
        b.header.put(field, {"mark": mark, "value": value, "currency": currency}, rate_el)


def _parties(header: Fields, head: Record, direction: str | None) -> None:
    export = direction == "export"
    trader_role = PartyRole.CONSIGNOR if export else PartyRole.CONSIGNEE
    sources = (
        (trader_role, "TradeName", "TradeCode", ("TradeCoScc", "TradeCodeScc")),
        (PartyRole.DECLARANT, "AgentName", "AgentCode", ("AgentCodeScc",)),
        (PartyRole.MANUFACTURER, "OwnerName", "OwnerCode", ("OwnerCodeScc",)),
    )
    parties: list[Party | dict[str, Any]] = []
    anchors: list[etree._Element] = []
    for role, name_tag, code_tag, scc_tags in sources:
        pairs = [("customs_code", code_tag)] + [("uscc", tag) for tag in scc_tags]
        identifiers = tuple(
            (scheme, value) for scheme, tag in pairs if (value := text(head.get(tag)))
        )
        name = text(head.get(name_tag))
        if name or identifiers:
            anchor = next((head.get(t) for t in scc_tags if text(head.get(t))), None)
            anchors.append(first(head["@"], anchor, head.get(code_tag)))
            parties.append(_party(role, name, identifiers))
    overseas = "Consignee" if export else "Consignor"
    code = text(head.get(f"Overseas{overseas}Code"))
    name = text(head.get(f"Overseas{overseas}Ename")) or text(head.get(f"Overseas{overseas}Cname"))
    if code or name:
        role = PartyRole.OVERSEAS_CONSIGNEE if export else PartyRole.OVERSEAS_CONSIGNOR
        anchors.append(first(head["@"], head.get(f"Overseas{overseas}Ename")))
        parties.append(_party(role, name, (("other", code),) if code else None))
    header.put_many("parties", parties, anchors)


def _party(
    role: PartyRole, name: str | None, identifiers: tuple[tuple[str, str], ...] | None
) -> Party | dict[str, Any]:
    # The validated party when its values are valid (cached by them, see
    # edi.xml.mapping.valid_party), else the values for the declaration to report.
    return _known_party(role, name, identifiers) or _party_values(role, name, identifiers)


@lru_cache(maxsize=4096)
def _known_party(
    role: PartyRole, name: str | None, identifiers: tuple[tuple[str, str], ...] | None
) -> Party | None:
    return valid_party(_party_values(role, name, identifiers))


def _party_values(
    role: PartyRole, name: str | None, identifiers: tuple[tuple[str, str], ...] | None
) -> dict[str, Any]:
    # identifiers None: the source has no identifier field (the key stays absent).
    party: dict[str, Any] = {"role": role, "name": name}
    if identifiers is not None:
        party["identifiers"] = [{"scheme": scheme, "value": value} for scheme, value in identifiers]
    return party


def _transport(b: Builder, root: Record, head: Record) -> None:
    transport = Fields(None)
    mode = head.get("TrafMode")
    voyage = root.get("DecFreeTxt", EMPTY).get("VoyNo")
    for field, value, element in (
        ("mode", _code(b, mode, "运输方式", decmessage_table("transport_modes")), mode),
        ("conveyance_name", text(head.get("TrafName")), head.get("TrafName")),
        ("voyage", text(voyage), voyage),
        ("transport_document", text(head.get("BillNo")), head.get("BillNo")),
    ):
        transport.put(field, value, element)
    containers: list[Record] = root.get("DecContainers", EMPTY).get("Container", [])
    ids = [c for c in (text(n.get("ContainerId")) for n in containers) if c]
    if ids:
        transport.put("containers", ids, containers[0]["@"])
    b.header.nest("transport", transport)


def _documents(header: Fields, root: Record, head: Record) -> None:
    kinds = decmessage_table("documents")
    docs: list[dict[str, Any]] = []
    anchors: list[etree._Element] = []
    for kind, tag in ((DocumentKind.CONTRACT, "ContrNo"), (DocumentKind.LICENCE, "LicenseNo")):
        element = head.get(tag)
        number = text(element)
        if number:
            anchors.append(element)
            docs.append({"kind": kind, "number": number})
    for docu in root.get("DecLicenseDocus", EMPTY).get("LicenseDocu", ()):
        code, number = text(docu.get("DocuCode")), text(docu.get("CertCode"))
        if number:
            anchors.append(docu["@"])
            docs.append(
                {"kind": kinds.get(code or "", DocumentKind.OTHER), "code": code, "number": number}
            )
    header.put_many("documents", docs, anchors)


def _item(b: Builder, item: Record) -> Fields:
    fields = Fields(item["@"])
    sequence = item.get("GNo")
    fields.put("sequence", int(text(sequence) or 0), sequence)
    for field, tag in (
        ("commodity_code", "CodeTS"),
        ("description", "GName"),
        ("declared_elements", "GModel"),
        ("levy_mode", "DutyMode"),
    ):
        element = item.get(tag)
        fields.put(field, text(element), element)
    for field, qty, unit in (
        ("quantity", "GQty", "GUnit"),
        ("statutory_quantity", "FirstQty", "FirstUnit"),
        ("second_statutory_quantity", "SecondQty", "SecondUnit"),
    ):
        qty_el, unit_el = item.get(qty), item.get(unit)
        value = b.decimal(qty_el)
        if value is None:
            continue
        unit_code = _code(b, unit_el, "unit", codes.units())
        if text(unit_el) is None:
            b.problem(f"{qty} is given without {unit}", qty_el)
        elif unit_code is not None:  # an unknown unit is reported once, by _code
            fields.put(field, {"value": value, "unit": unit_code}, qty_el)
    _item_amounts(b, fields, item)
    for field, tag in (
        ("origin_country", "OriginCountry"),
        ("destination_country", "DestinationCountry"),
    ):
        element = item.get(tag)
        fields.put(field, _country(b, element), element)
    return fields


def _item_amounts(b: Builder, fields: Fields, item: Record) -> None:
    currency_el = item.get("TradeCurr")
    currency = _currency(b, currency_el)
    for field, tag in (("unit_price", "DeclPrice"), ("value", "DeclTotal")):
        element = item.get(tag)
        amount = b.decimal(element)
        if amount is None:
            continue
        if text(currency_el) is None:
            b.problem(f"{tag} is given without TradeCurr", element)
        elif currency is not None:  # an unknown currency is reported once, by _currency
            fields.put(field, {"value": amount, "currency": currency}, element)


def _date(b: Builder, element: etree._Element | None) -> date | None:
    raw = text(element)
    if raw is None:
        return None
    try:
        return date(int(raw[:4]), int(raw[4:6]), int(raw[6:8]))
    except ValueError:
        b.problem(f"{raw!r} is not a calendar date (yyyyMMdd)", element)
        return None


__all__ = ["MESSAGE_SPEC", "decmessage_to_canonical", "sender_reference"]
