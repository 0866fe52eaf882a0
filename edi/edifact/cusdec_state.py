"""The state of one CUSDEC walk and the value readers the segment handlers share.

Values are gathered as plain dicts, each remembering the segment (and element) it came from,
so a field the model later rejects can be reported at its segment, element and line/column.
Where each value came from is noted as it is read (a list append) and turned into the
model locations of :attr:`MappingState.provenance` only when the model rejected something:
most declarations are sound, and working out an item's index for every value read cost a
tenth of the mapping.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from edi.edifact.cusdec_tables import ProfileTables, tables_of
from edi.edifact.mapping_issues import IssueCode, MappingIssue, Provenance
from edi.edifact.profile import CusdecProfile
from edi.edifact.segments import Segment

#: A noted origin: (target dict, key) for a value put into the header or an item, or (None,
#: model location) for an origin noted directly; then the segment and element index.
_Noted = tuple[dict[str, Any] | None, Any, Segment, int | None]


@dataclass
class MappingState:
    """Where the walk is (header, item, summary) and what it has gathered so far."""

    profile: CusdecProfile
    decimal_mark: str
    header: dict[str, Any] = field(default_factory=dict)
    items: list[dict[str, Any]] = field(default_factory=list)
    issues: list[MappingIssue] = field(default_factory=list)
    section: str = "header"
    failed: set[tuple[str | int, ...]] = field(default_factory=set)
    doc_target: dict[str, Any] | None = None
    #: The profile's tables with plain field names (built once per profile).
    tables: ProfileTables = field(init=False)
    _noted: list[_Noted] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        self.tables = tables_of(self.profile)

    def put(self, target: dict[str, Any], key: str, value: Any, seg: Segment, el: int) -> None:
        """Set ``key`` in ``target`` (header or item) and remember the segment it came from."""
        target[key] = value
        self._noted.append((target, key, seg, el))

    def note(self, location: tuple[str | int, ...], seg: Segment, el: int | None) -> None:
        """Remember that the model location ``location`` was read from ``seg`` (element
        ``el``)."""
        self._noted.append((None, location, seg, el))

    @property
    def provenance(self) -> Provenance:
        """Model location → the segment and element it was read from (the last noted wins)."""
        items = {id(item): index for index, item in enumerate(self.items)}
        found: Provenance = {}
        for target, key, seg, el in self._noted:
            if target is None:
                location = key
            elif target is self.header or id(target) not in items:
                location = (key,)
            else:
                location = ("items", items[id(target)], key)
            found[location] = (seg, el)
        return found


def decimal_value(state: MappingState, raw: str, seg: Segment, el: int) -> Decimal | None:
    """``raw`` as a Decimal (the UNA decimal mark honoured), or None with an issue.

    An empty value is absent, not wrong: a conditional component left empty (``MOA+39::AUD``)
    gives None without an issue.
    """
    if not raw:
        return None
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


def date_value(state: MappingState, raw: str, fmt_code: str, seg: Segment) -> date | None:
    """``raw`` as a date in the 2379 format ``fmt_code`` (default 102), or None with an issue."""
    pattern = state.profile.date_formats.get(fmt_code or "102")
    if pattern is None:
        state.issues.append(
            MappingIssue.at(f"DTM: date format {fmt_code!r} not supported", seg, 0, IssueCode.CODE)
        )
        return None
    try:
        return calendar_date(raw, pattern)
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


def calendar_date(raw: str, pattern: str) -> date:
    """``raw`` read with the strptime ``pattern`` as a date (ValueError when it is none).

    CCYYMMDD (2379 code 102, every declaration has one) is read directly: for eight ASCII
    digits ``strptime`` accepts exactly the valid year-month-day splits 4-2-2 and gives that
    date, at eight times the cost.
    """
    if pattern == "%Y%m%d" and len(raw) == 8 and raw.isascii() and raw.isdigit():
        return date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
    return datetime.strptime(raw, pattern).date()  # noqa: DTZ007 - a calendar date only


def country(state: MappingState, code: str) -> str:
    """The ISO 3166 code for ``code`` through the profile's country map."""
    return state.profile.country_code_map.get(code, code)


def current_item(state: MappingState) -> dict[str, Any] | None:
    """The goods item whose CST group is open, if any."""
    return state.items[-1] if state.section == "item" and state.items else None


def target_of(state: MappingState) -> dict[str, Any] | None:
    """Header while in the header, the open item inside a CST group, else nothing."""
    if state.section == "header":
        return state.header
    return current_item(state)
