"""Business-level problems of a mapped message, in words a broker can act on.

A :class:`MappingIssue` names what is wrong and where (segment, element, line/column) and
carries a short stable code (CUSRES ERC 9321, at most 8 characters).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from edi.edifact.segments import Segment
from edi.model import Declaration
from edi.model.values import MAX_MAGNITUDE

#: Where each field of the model was read from: model location → (segment, element index).
Provenance = dict[tuple[str | int, ...], tuple[Segment, int | None]]


class IssueCode(StrEnum):
    """Reason codes of mapping problems (documented in docs/edifact-profile.md)."""

    CODE = "CODE"  # a code the profile does not know (document, function, agency)
    DATE = "DATE"  # not a date in the stated format
    NUMBER = "NUMBER"  # not a number
    FORMAT = "FORMAT"  # a value of the wrong shape (commodity code, country, currency …)
    IDENTIFIER = "IDENT"  # an identifier whose check fails (USCC, EORI …)
    MISSING = "MISSING"  # a value the declaration needs is absent
    COUNT = "COUNT"  # a control count (CNT) does not match
    INVALID = "INVALID"  # any other rule of the declaration model
    REFERENCE = "REF"  # an amendment or cancellation that cannot be applied
    OFFICE = "OFFICE"  # a customs office the registry does not hold, or closed on the day


@dataclass(frozen=True, slots=True)
class MappingIssue:
    """A business-level problem in a syntactically valid message (answered in CUSRES)."""

    text: str
    segment_tag: str | None = None
    segment_index: int | None = None
    line: int | None = None
    column: int | None = None
    element: int | None = None  # 1-based, as people count EDIFACT elements
    code: IssueCode = IssueCode.INVALID

    @classmethod
    def at(
        cls,
        text: str,
        segment: Segment,
        element: int | None = None,
        code: IssueCode = IssueCode.INVALID,
    ) -> MappingIssue:
        """An issue located at ``segment`` (and 0-based ``element`` when known)."""
        line, column = segment.position_of(element)
        return cls(
            text=text,
            segment_tag=segment.tag,
            segment_index=segment.index,
            line=line,
            column=column,
            element=None if element is None else element + 1,
            code=code,
        )


@dataclass(frozen=True, slots=True)
class MappingResult:
    """Either a declaration or the reasons there is none.

    ``read`` keeps what could be read even when the declaration is refused (direction,
    function, the sender's and the registered number), so a rejection can still say it.
    """

    declaration: Declaration | None
    issues: tuple[MappingIssue, ...]
    read: dict[str, str] = field(default_factory=dict)


# The shape each patterned field must have, in words (see edi/model/values.py).
_FORMATS = {
    "commodity_code": "a commodity code of 6, 8 or 10 digits",
    "trade_mode": "a 4-digit trade mode (监管方式)",
    "levy_type": "a 3-digit levy type (征免性质)",
    "registered_number": "an 18-digit declaration number or an MRN",
    "declaration_office": "a customs office code of 2 to 8 letters or digits",
    "port_office": "a customs office code of 2 to 8 letters or digits",
    "currency": "an ISO 4217 currency code",
    "invoice_currency": "an ISO 4217 currency code",
    "incoterm": "a 3-letter Incoterms code",
    "mode": "a 1-digit transport mode (UN/ECE Rec. 19)",
    "unit": "a unit code of letters and digits",
}


def issue_from_error(err: Any, provenance: Provenance, segments: Sequence[Segment]) -> MappingIssue:
    """Turn one pydantic validation error into an issue at the segment that carried it."""
    loc = tuple(err["loc"])
    text, code = _words(loc, err)
    # The longest recorded prefix of the error location names the segment that carried it.
    for cut in range(len(loc), 0, -1):
        origin = provenance.get(loc[:cut])
        if origin is not None:
            return MappingIssue.at(text, origin[0], origin[1], code)
    bgm = next((s for s in segments if s.tag == "BGM"), None)
    if bgm is not None:
        return MappingIssue.at(text, bgm, code=code)
    return MappingIssue(text, code=code)


#: pydantic's error types for a number outside its bounds (amounts and quantities: below 10^14).
_OUT_OF_RANGE = frozenset({"less_than", "less_than_equal", "greater_than", "greater_than_equal"})

_LISTS = {
    "items": "goods item",
    "parties": "party",
    "identifiers": "identifier",
    "documents": "document",
}


def _name(loc: tuple[Any, ...]) -> str:
    """``('items', 0, 'commodity_code')`` → ``goods item 1 commodity code``."""
    words: list[str] = []
    for part in loc:
        if isinstance(part, int) and words:
            words[-1] = f"{words[-1]} {part + 1}"
        else:
            words.append(_LISTS.get(str(part), str(part).replace("_", " ")))
    return " ".join(words) or "declaration"


def _words(loc: tuple[Any, ...], err: Any) -> tuple[str, IssueCode]:
    name = _name(loc)
    field = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
    kind = err.get("type", "")
    value = err.get("input")
    if kind in {"string_pattern_mismatch", "country_code"}:
        if field.endswith("_country") or field in {"country", "nationality", "issuing_country"}:
            wanted = "an ISO 3166 alpha-2 country code"
        else:
            wanted = _FORMATS.get(field, "a value of the documented format")
        return f"{name} {value!r} must be {wanted}", IssueCode.FORMAT
    if kind == "missing":
        return f"{name} is missing", IssueCode.MISSING
    if kind in _OUT_OF_RANGE and isinstance(value, Decimal):
        # ('items', 0, 'value', 'value') is the item's value: its amount, not "value value".
        name = _name(loc[:-1]) if len(loc) > 1 and loc[-1] == "value" else name
        text = f"{name} {value} is out of range: {err['msg'].lower()}"
        if abs(value) > MAX_MAGNITUDE:
            text += " (amounts and quantities must be below 10^14)"
        return text, IssueCode.NUMBER
    message = str(err.get("msg", "")).removeprefix("Value error, ")
    if "USCC" in message or "EORI" in message or "customs code" in message:
        return f"{name}: {message}", IssueCode.IDENTIFIER
    return f"{name}: {message}", IssueCode.INVALID
