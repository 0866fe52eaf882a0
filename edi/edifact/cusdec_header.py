"""CUSDEC handlers of the header and summary segments: message, dates, parties, transport,
references, packages and the control count."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from edi.edifact.cusdec_state import MappingState, country, date_value
from edi.edifact.mapping_issues import IssueCode, MappingIssue
from edi.edifact.profile import Reference
from edi.edifact.segments import Segment
from edi.model import DocumentKind, Party


def bgm(state: MappingState, seg: Segment) -> None:
    """BGM: direction from the document code (1001), sender reference (1004), function (1225)."""
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


def uns(state: MappingState, seg: Segment) -> None:
    """UNS: the header ends at the first, the detail at the second."""
    state.section = "detail" if state.section == "header" else "summary"


def dtm(state: MappingState, seg: Segment) -> None:
    """DTM: header dates by 2005 qualifier, or the dates of the open document."""
    if state.doc_target is not None:
        _doc_date(state, seg)
        return
    if state.section != "header":
        return
    key = state.tables.header_dates.get(seg.get(0))
    if key is None or key in state.header:
        return
    value = date_value(state, seg.get(0, 1), seg.get(0, 2), seg)
    if value is not None:
        state.put(state.header, key, value, seg, 0)


def _doc_date(state: MappingState, seg: Segment) -> None:
    doc = state.doc_target
    assert doc is not None
    qualifier = seg.get(0)
    slot = {"182": "issue_date", "36": "expiry_date"}.get(qualifier)
    if slot is None:
        return
    value = date_value(state, seg.get(0, 1), seg.get(0, 2), seg)
    if value is not None:
        doc[slot] = value


def nad(state: MappingState, seg: Segment) -> None:
    """NAD: a party by 3035 role, its identifier (C082, scheme by 3055), name and address."""
    if state.section != "header":
        return
    role = state.profile.parties.get(seg.get(0))
    if role is None:
        return
    party: dict[str, Any] = {"role": role}
    identifier = seg.get(1)
    scheme = None
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
        party["country"] = country(state, seg.get(8))
    parties = state.header.setdefault("parties", [])
    state.note(("parties", len(parties)), seg, 1)
    read = (role, scheme, identifier, name, street, *(party.get(k) for k in _PARTY_REST))
    parties.append(_validated_party(read, party))


#: What a party read from NAD consists of besides role, scheme, identifier, name and street.
_PARTY_REST = ("city", "postcode", "country")
#: Parties validated, by what was read (a day's declarations name the same traders again and
#: again: validating each one's model, its identifier's check included, was 7 µs of a
#: declaration's 55 µs model validation). Bounded: a flood of new parties starts it afresh.
_PARTIES: dict[tuple[Any, ...], Party] = {}
_PARTIES_HELD = 1024  # a party model is 1–2 kB: at most about 2 MB held


def _validated_party(key: tuple[Any, ...], party: dict[str, Any]) -> Party | dict[str, Any]:
    """The :class:`Party` ``party`` validates to (the declaration's model takes it as it is),
    or ``party`` itself when it is invalid: the declaration's validation then reports the
    problem exactly as before, at its location among the parties."""
    found = _PARTIES.get(key)
    if found is None:
        try:
            found = Party.model_validate(party)
        except ValidationError:
            return party
        if len(_PARTIES) >= _PARTIES_HELD:
            _PARTIES.clear()
        _PARTIES[key] = found
    return found


def tdt(state: MappingState, seg: Segment) -> None:
    """TDT: the means of transport at the border (stage 8051), voyage, mode, conveyance."""
    if state.section != "header" or seg.get(0) not in state.profile.transport_border_stage:
        return
    transport = state.header.setdefault("transport", {})
    state.note(("transport",), seg, 0)
    for key, element, component in (
        ("voyage", 1, 0),
        ("mode", 2, 0),
        ("conveyance_id", 7, 0),
        ("conveyance_name", 7, 3),
        ("nationality", 7, 4),
    ):
        value = seg.get(element, component)
        if value:
            transport[key] = country(state, value) if key == "nationality" else value


def eqd(state: MappingState, seg: Segment) -> None:
    """EQD+CN: a container number."""
    if state.section == "header" and seg.get(0) == "CN" and seg.get(1):
        transport = state.header.setdefault("transport", {})
        transport["containers"] = (*transport.get("containers", ()), seg.get(1))


def tod(state: MappingState, seg: Segment) -> None:
    """TOD: the Incoterm (C100 4053)."""
    if state.section != "header":
        return
    expected_list = state.profile.incoterm_code_list
    if expected_list is not None and seg.get(2, 1) != expected_list:
        return
    if seg.get(2):
        state.put(state.header, "incoterm", seg.get(2), seg, 2)


def rff(state: MappingState, seg: Segment) -> None:
    """RFF: the registered number, the transport document, or another document, by 1153."""
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


def pac(state: MappingState, seg: Segment) -> None:
    """PAC: the number and type of packages (the first header PAC)."""
    if state.section == "header" and "packages" not in state.header and seg.get(0).isdigit():
        state.put(state.header, "packages", int(seg.get(0)), seg, 0)
        if seg.get(2):
            state.header["package_type"] = seg.get(2)


def cnt(state: MappingState, seg: Segment) -> None:
    """CNT+2: the number of line items, checked against the items read."""
    # CNT 6069 "2" = number of line items in the message: a cheap cross-check.
    if seg.get(0) == "2" and seg.get(0, 1).isdigit() and int(seg.get(0, 1)) != len(state.items):
        text = f"CNT: {seg.get(0, 1)} line items announced, {len(state.items)} found"
        state.issues.append(MappingIssue.at(text, seg, 0, IssueCode.COUNT))
