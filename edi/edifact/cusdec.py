"""CUSDEC → canonical :class:`~edi.model.Declaration`, driven by a :class:`CusdecProfile`.

The message is walked once. Header segments sit between BGM and the first UNS; goods items
are the CST groups of the detail section (each CST opens an item, the segments up to the next
CST or UNS belong to it); the summary follows the second UNS. DMS consignment groups are not
mapped by the default profile. Every value remembers the segment it came from, so a field the
model rejects is reported with its segment, element and line/column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from edi.edifact.mapping_issues import (
    IssueCode,
    MappingIssue,
    MappingResult,
    Provenance,
    issue_from_error,
)
from edi.edifact.profile import CusdecProfile, Reference
from edi.edifact.segments import Segment
from edi.model import Declaration, DocumentKind


@dataclass
class _State:
    profile: CusdecProfile
    decimal_mark: str
    header: dict[str, Any] = field(default_factory=dict)
    items: list[dict[str, Any]] = field(default_factory=list)
    provenance: Provenance = field(default_factory=dict)
    issues: list[MappingIssue] = field(default_factory=list)
    section: str = "header"
    failed: set[tuple[str | int, ...]] = field(default_factory=set)
    doc_target: dict[str, Any] | None = None

    def put(self, target: dict[str, Any], key: str, value: Any, seg: Segment, el: int) -> None:
        target[key] = value
        self.provenance[self._path(target, key)] = (seg, el)

    def _path(self, target: dict[str, Any], key: str) -> tuple[str | int, ...]:
        if target is self.header:
            return (key,)
        for index, item in enumerate(self.items):
            if item is target:
                return ("items", index, key)
        return (key,)


def map_cusdec(
    segments: Sequence[Segment], profile: CusdecProfile, *, decimal_mark: str = "."
) -> MappingResult:
    """Map the segments of one CUSDEC (UNH..UNT inclusive) to a declaration."""
    state = _State(profile=profile, decimal_mark=decimal_mark)
    for segment in segments:
        handler = _HANDLERS.get(segment.tag)
        if handler is not None:
            handler(state, segment)
    return _build(state, segments)


def _build(state: _State, segments: Sequence[Segment]) -> MappingResult:
    # Validate even when values already failed to read, so the sender learns every problem
    # of the message at once (fields that failed to read are simply absent here).
    data = dict(state.header)
    data["items"] = state.items
    try:
        declaration = Declaration.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        item_errors = any(len(e["loc"]) > 1 and e["loc"][0] == "items" for e in errors)
        # A failing item also empties the item tuple; that echo would only confuse the sender.
        errors = [e for e in errors if not (item_errors and e["loc"] == ("items",))]
        # A field that already failed to read would only be reported again as "missing".
        errors = [e for e in errors if tuple(e["loc"][:1]) not in state.failed]
        issues = [issue_from_error(err, state.provenance, segments) for err in errors]
        merged = sorted(
            [*state.issues, *issues], key=lambda i: (i.segment_index or 0, i.element or 0)
        )
        return MappingResult(None, tuple(merged))
    if state.issues:
        return MappingResult(None, tuple(state.issues))
    return MappingResult(declaration, ())


# --- value helpers ------------------------------------------------------------------------


def _decimal(state: _State, raw: str, seg: Segment, el: int) -> Decimal | None:
    text = raw.replace(state.decimal_mark, ".") if state.decimal_mark != "." else raw
    try:
        value = Decimal(text)
    except InvalidOperation:
        state.issues.append(
            MappingIssue.at(f"{seg.tag}: {raw!r} is not a number", seg, el, IssueCode.NUMBER)
        )
        return None
    if not value.is_finite():
        state.issues.append(
            MappingIssue.at(f"{seg.tag}: {raw!r} is not a number", seg, el, IssueCode.NUMBER)
        )
        return None
    return value


def _date(state: _State, raw: str, fmt_code: str, seg: Segment) -> date | None:
    pattern = state.profile.date_formats.get(fmt_code or "102")
    if pattern is None:
        state.issues.append(
            MappingIssue.at(f"DTM: date format {fmt_code!r} not supported", seg, 0, IssueCode.CODE)
        )
        return None
    try:
        return datetime.strptime(raw, pattern).date()  # noqa: DTZ007 - a calendar date only
    except ValueError:
        state.issues.append(
            MappingIssue.at(
                f"DTM: {raw!r} is not a valid date in format {fmt_code or '102'}",
                seg,
                0,
                IssueCode.DATE,
            )
        )
        return None


def _country(state: _State, code: str) -> str:
    return state.profile.country_code_map.get(code, code)


def _current_item(state: _State) -> dict[str, Any] | None:
    return state.items[-1] if state.section == "item" and state.items else None


def _target(state: _State) -> dict[str, Any] | None:
    """Header while in the header, the open item inside a CST group, else nothing."""
    if state.section == "header":
        return state.header
    return _current_item(state)


# --- segment handlers ---------------------------------------------------------------------


def _bgm(state: _State, seg: Segment) -> None:
    profile = state.profile
    code = seg.get(0)
    direction = profile.direction_by_document_code.get(code)
    if direction is None:
        known = ", ".join(sorted(profile.direction_by_document_code))
        state.issues.append(
            MappingIssue.at(
                f"BGM: document code {code!r} is not one of {known}", seg, 0, IssueCode.CODE
            )
        )
        state.failed.add(("direction",))
    else:
        state.put(state.header, "direction", direction, seg, 0)
    state.put(state.header, "sender_reference", seg.get(1), seg, 1)
    function_code = seg.get(2) or "9"
    function = profile.function_by_message_function.get(function_code)
    if function is None:
        state.issues.append(
            MappingIssue.at(
                f"BGM: message function {function_code!r} not supported", seg, 2, IssueCode.CODE
            )
        )
        state.failed.add(("function",))
    else:
        state.put(state.header, "function", function, seg, 2)


def _uns(state: _State, seg: Segment) -> None:
    state.section = "detail" if state.section == "header" else "summary"


def _cst(state: _State, seg: Segment) -> None:
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


def _customs_codes(state: _State, target: dict[str, Any], seg: Segment, *, first: int) -> None:
    """Read the C246 customs identity codes from element ``first`` on, by code list."""
    for element in range(first, len(seg.elements)):
        key = state.profile.customs_codes.get(seg.get(element, 1))
        if key is not None and seg.get(element):
            state.put(target, key.value, seg.get(element), seg, element)


def _dtm(state: _State, seg: Segment) -> None:
    if state.doc_target is not None:
        _doc_date(state, seg)
        return
    if state.section != "header":
        return
    key = state.profile.header_dates.get(seg.get(0))
    if key is None or key.value in state.header:
        return
    value = _date(state, seg.get(0, 1), seg.get(0, 2), seg)
    if value is not None:
        state.put(state.header, key.value, value, seg, 0)


def _doc_date(state: _State, seg: Segment) -> None:
    doc = state.doc_target
    assert doc is not None
    qualifier = seg.get(0)
    slot = {"182": "issue_date", "36": "expiry_date"}.get(qualifier)
    if slot is None:
        return
    value = _date(state, seg.get(0, 1), seg.get(0, 2), seg)
    if value is not None:
        doc[slot] = value


def _loc(state: _State, seg: Segment) -> None:
    qualifier, code = seg.get(0), seg.get(1)
    if state.doc_target is not None:
        # LOC inside a DOC group is the place (country) of issue of that document.
        if len(code) == 2:
            state.doc_target["issuing_country"] = _country(state, code)
        return
    if state.section == "header":
        header_key = state.profile.header_locations.get(qualifier)
        if header_key is not None:
            is_country = header_key.value.endswith("_country")
            value = _country(state, code) if is_country else code
            state.put(state.header, header_key.value, value, seg, 1)
        return
    item = _current_item(state)
    item_key = state.profile.item_locations.get(qualifier)
    if item is not None and item_key is not None:
        state.put(item, item_key.value, _country(state, code), seg, 1)


def _nad(state: _State, seg: Segment) -> None:
    if state.section != "header":
        return
    role = state.profile.parties.get(seg.get(0))
    if role is None:
        return
    party: dict[str, Any] = {"role": role}
    identifier = seg.get(1)
    if identifier:
        scheme = state.profile.identifier_schemes.get(seg.get(1, 2), None)
        if scheme is None:
            agency = seg.get(1, 2)
            state.issues.append(
                MappingIssue.at(
                    f"NAD: identifier agency {agency!r} unknown", seg, 1, IssueCode.CODE
                )
            )
            return
        party["identifiers"] = [{"scheme": scheme, "value": identifier}]
    name = " ".join(c for c in seg.components(3) if c) or " ".join(
        c for c in seg.components(2) if c
    )
    if name:
        party["name"] = name
    street = tuple(c for c in seg.components(4) if c)
    if street:
        party["address"] = street
    for key, element in (("city", 5), ("postcode", 7)):
        if seg.get(element):
            party[key] = seg.get(element)
    if seg.get(8):
        party["country"] = _country(state, seg.get(8))
    parties = state.header.setdefault("parties", [])
    state.provenance[("parties", len(parties))] = (seg, 1)
    parties.append(party)


def _tdt(state: _State, seg: Segment) -> None:
    if state.section != "header" or seg.get(0) not in state.profile.transport_border_stage:
        return
    transport = state.header.setdefault("transport", {})
    state.provenance[("transport",)] = (seg, 0)
    for key, element, component in (
        ("voyage", 1, 0),
        ("mode", 2, 0),
        ("conveyance_id", 7, 0),
        ("conveyance_name", 7, 3),
        ("nationality", 7, 4),
    ):
        value = seg.get(element, component)
        if value:
            transport[key] = _country(state, value) if key == "nationality" else value


def _eqd(state: _State, seg: Segment) -> None:
    if state.section == "header" and seg.get(0) == "CN" and seg.get(1):
        transport = state.header.setdefault("transport", {})
        transport["containers"] = (*transport.get("containers", ()), seg.get(1))


def _tod(state: _State, seg: Segment) -> None:
    if state.section != "header":
        return
    expected_list = state.profile.incoterm_code_list
    if expected_list is not None and seg.get(2, 1) != expected_list:
        return
    if seg.get(2):
        state.put(state.header, "incoterm", seg.get(2), seg, 2)


def _moa(state: _State, seg: Segment) -> None:
    qualifier, raw, currency = seg.get(0), seg.get(0, 1), seg.get(0, 2)
    if state.section == "header":
        rule = state.profile.header_amounts.get(qualifier)
        if rule is None:
            return
        value = _decimal(state, raw, seg, 0)
        if value is None:
            return
        if rule.field.value == "invoice_total":
            state.put(state.header, "invoice_total", {"value": value, "currency": currency}, seg, 0)
            state.header.setdefault("invoice_currency", currency or None)
            return
        charge = {"mark": rule.mark, "value": value, "currency": currency or None}
        state.put(state.header, rule.field.value, charge, seg, 0)
        return
    item = _current_item(state)
    item_key = state.profile.item_amounts.get(qualifier)
    if item is None or item_key is None:
        return
    value = _decimal(state, raw, seg, 0)
    if value is not None:
        amount = {"value": value, "currency": currency or state.header.get("invoice_currency")}
        state.put(item, item_key.value, amount, seg, 0)


def _mea(state: _State, seg: Segment) -> None:
    target = _target(state)
    key = state.profile.measures.get(seg.get(1))
    if target is None or key is None:
        return
    if target is state.header and key.value not in {"gross_mass", "net_mass"}:
        return
    value = _decimal(state, seg.get(2, 1), seg, 2)
    if value is not None:
        state.put(target, key.value, {"value": value, "unit": seg.get(2)}, seg, 2)


def _rff(state: _State, seg: Segment) -> None:
    if state.section != "header":
        return
    rule = state.profile.references.get(seg.get(0))
    number = seg.get(0, 1)
    if rule is None or not number:
        return
    if rule.field is Reference.REGISTERED_NUMBER:
        state.put(state.header, "registered_number", number, seg, 0)
    elif rule.field is Reference.TRANSPORT_DOCUMENT:
        transport = state.header.setdefault("transport", {})
        transport["transport_document"] = number
    else:
        kind = rule.kind or DocumentKind.OTHER
        state.header.setdefault("documents", []).append({"kind": kind, "number": number})


def _doc(state: _State, seg: Segment) -> None:
    target = _target(state)
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


def _ftx(state: _State, seg: Segment) -> None:
    target = _target(state)
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


def _pac(state: _State, seg: Segment) -> None:
    if state.section == "header" and "packages" not in state.header and seg.get(0).isdigit():
        state.put(state.header, "packages", int(seg.get(0)), seg, 0)
        if seg.get(2):
            state.header["package_type"] = seg.get(2)


def _cnt(state: _State, seg: Segment) -> None:
    # CNT 6069 "2" = number of line items in the message: a cheap cross-check.
    if seg.get(0) == "2" and seg.get(0, 1).isdigit() and int(seg.get(0, 1)) != len(state.items):
        text = f"CNT: {seg.get(0, 1)} line items announced, {len(state.items)} found"
        state.issues.append(MappingIssue.at(text, seg, 0, IssueCode.COUNT))


def _leave_doc_group(handler: Any) -> Any:
    def wrapped(state: _State, seg: Segment) -> None:
        state.doc_target = None
        handler(state, seg)

    return wrapped


_HANDLERS = {
    "BGM": _bgm,
    "UNS": _leave_doc_group(_uns),
    "CST": _cst,
    "DTM": _dtm,
    "LOC": _loc,
    "NAD": _leave_doc_group(_nad),
    "TDT": _leave_doc_group(_tdt),
    "EQD": _leave_doc_group(_eqd),
    "TOD": _leave_doc_group(_tod),
    "MOA": _leave_doc_group(_moa),
    "MEA": _leave_doc_group(_mea),
    "RFF": _leave_doc_group(_rff),
    "DOC": _doc,
    "FTX": _leave_doc_group(_ftx),
    "PAC": _leave_doc_group(_pac),
    "CNT": _leave_doc_group(_cnt),
}

__all__ = ["MappingIssue", "MappingResult", "map_cusdec"]
