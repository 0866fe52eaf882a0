"""The CUSDEC segment handlers: one function per segment tag, driven by the profile.

Each handler reads one segment into the header or the open goods item of a
:class:`~edi.edifact.cusdec_state.MappingState`; qualifiers the profile does not list are
ignored, never guessed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from edi.edifact import cusdec_header as header
from edi.edifact.cusdec_state import (
    MappingState,
    country,
    current_item,
    decimal_value,
    target_of,
)
from edi.edifact.mapping_issues import IssueCode, MappingIssue
from edi.edifact.segments import Segment
from edi.model import DocumentKind

Handler = Callable[[MappingState, Segment], None]
_HEADER_MEASURES = frozenset({"gross_mass", "net_mass"})


def _cst(state: MappingState, seg: Segment) -> None:
    if state.section == "header":
        _customs_codes(state, state.header, seg, first=1)
        return
    if state.section not in {"detail", "item"}:
        return
    state.section = "item"
    item: dict[str, Any] = {"documents": []}
    state.items.append(item)
    state.doc_target = None
    raw_sequence = seg.get(0) or str(len(state.items))
    if not raw_sequence.isdigit():
        text = f"CST: item number {raw_sequence!r} is not a number"
        state.issues.append(MappingIssue.at(text, seg, 0, IssueCode.NUMBER))
        return
    state.put(item, "sequence", int(raw_sequence), seg, 0)
    state.put(item, "commodity_code", seg.get(1), seg, 1)
    _customs_codes(state, item, seg, first=2)


def _customs_codes(
    state: MappingState, target: dict[str, Any], seg: Segment, *, first: int
) -> None:
    """Read the C246 customs identity codes from element ``first`` on, by code list."""
    codes = state.tables.customs_codes
    for element in range(first, len(seg.elements)):
        parts = seg.components(element)  # one lookup for the code and its list
        key = codes.get(parts[1] if len(parts) > 1 else "")
        if key is not None and parts and parts[0]:
            state.put(target, key, parts[0], seg, element)


def _loc(state: MappingState, seg: Segment) -> None:
    qualifier, code = seg.get(0), seg.get(1)
    if state.doc_target is not None:
        # LOC inside a DOC group is the place (country) of issue of that document.
        if len(code) == 2:
            state.doc_target["issuing_country"] = country(state, code)
        return
    if state.section == "header":
        header_key = state.tables.header_locations.get(qualifier)
        if header_key is not None:
            name, is_country = header_key
            value = country(state, code) if is_country else code
            state.put(state.header, name, value, seg, 1)
        return
    item = current_item(state)
    item_key = state.tables.item_locations.get(qualifier)
    if item is not None and item_key is not None:
        state.put(item, item_key, country(state, code), seg, 1)


def _moa(state: MappingState, seg: Segment) -> None:
    parts = seg.components(0)  # C516: 5025 qualifier, 5004 amount, 6345 currency
    n = len(parts)
    qualifier = parts[0] if n else ""
    raw = parts[1] if n > 1 else ""
    currency = parts[2] if n > 2 else ""
    if state.section == "header":
        found = state.tables.header_amounts.get(qualifier)
        if found is None:
            return
        name, rule = found
        if not raw and name == "invoice_total" and currency:
            # The amount is a conditional component left empty: absent, the currency still says
            # what the invoice is in.
            state.header.setdefault("invoice_currency", currency)
        value = decimal_value(state, raw, seg, 0)
        if value is None:
            return
        if name == "invoice_total":
            state.put(state.header, "invoice_total", {"value": value, "currency": currency}, seg, 0)
            state.header.setdefault("invoice_currency", currency or None)
            return
        charge = {"mark": rule.mark, "value": value, "currency": currency or None}
        state.put(state.header, name, charge, seg, 0)
        return
    item = current_item(state)
    item_key = state.tables.item_amounts.get(qualifier)
    if item is None or item_key is None:
        return
    value = decimal_value(state, raw, seg, 0)
    if value is not None:
        amount = {"value": value, "currency": currency or state.header.get("invoice_currency")}
        state.put(item, item_key, amount, seg, 0)


def _mea(state: MappingState, seg: Segment) -> None:
    target = target_of(state)
    key = state.tables.measures.get(seg.get(1))
    if target is None or key is None:
        return
    if target is state.header and key not in _HEADER_MEASURES:
        return
    measure = seg.components(2)  # C174: 6411 unit, 6314 value
    value = decimal_value(state, measure[1] if len(measure) > 1 else "", seg, 2)
    if value is not None:
        state.put(target, key, {"value": value, "unit": measure[0] if measure else ""}, seg, 2)


def _doc(state: MappingState, seg: Segment) -> None:
    target = target_of(state)
    if target is None:
        return
    code, number = seg.get(0), seg.get(1)
    kind = state.profile.documents.get(code, DocumentKind.OTHER)
    if not number:
        state.issues.append(
            MappingIssue.at(f"DOC {code}: document number missing", seg, 1, IssueCode.MISSING)
        )
        return
    doc: dict[str, Any] = {"kind": kind, "code": code, "number": number}
    agreement = seg.get(0, 3)
    if kind is DocumentKind.CERTIFICATE_OF_ORIGIN and agreement:
        doc["agreement"] = agreement
    documents = target.setdefault("documents", [])
    documents.append(doc)
    state.doc_target = doc


def _ftx(state: MappingState, seg: Segment) -> None:
    target = target_of(state)
    if target is None:
        return
    subject = seg.get(0)
    text = "".join(seg.components(3))
    profile = state.profile
    if target is state.header:
        if subject in profile.header_remarks_text:
            state.put(target, "remarks", text, seg, 3)
        return
    if subject in profile.item_description_text:
        state.put(target, "description", text, seg, 3)
    elif subject in profile.item_elements_text:
        state.put(target, "declared_elements", text, seg, 3)


HANDLERS: dict[str, Handler] = {
    "BGM": header.bgm,
    "UNS": header.uns,
    "CST": _cst,
    "DTM": header.dtm,
    "LOC": _loc,
    "NAD": header.nad,
    "TDT": header.tdt,
    "EQD": header.eqd,
    "TOD": header.tod,
    "MOA": _moa,
    "MEA": _mea,
    "RFF": header.rff,
    "DOC": _doc,
    "FTX": _ftx,
    "PAC": header.pac,
    "CNT": header.cnt,
}
#: Segments that close an open DOC group before their handler runs (the walk clears
#: ``doc_target`` itself: a wrapping function per segment cost a call each). DTM and LOC
#: belong to the DOC group (its dates, its place of issue); CST and DOC set it themselves.
LEAVE_DOC_GROUP = frozenset(
    {"UNS", "NAD", "TDT", "EQD", "TOD", "MOA", "MEA", "RFF", "FTX", "PAC", "CNT"}
)
