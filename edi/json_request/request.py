"""The canonical JSON request: an amendment or a cancellation of a registered declaration.

Two shapes (docs/json-channel.md)::

    {"type": "amendment", "number": "<18 digits>", "sender_reference": "...",
     "sender": "...", "declaration": {<canonical declaration>}}
    {"type": "cancellation", "number": "<18 digits>", "sender_reference": "...",
     "sender": "...", "reason": "..."}

``sender_reference`` is the request's own reference, the interchange control reference of
this channel (the dedupe key with the sender); ``sender`` is optional (the party the request
is sent as). :func:`read_json_request` never raises for bad input: every problem comes back
as a :class:`JsonIssue` with its JSON path, line and column.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from core.jsontext import BOM, dotted, line_column, locate
from edi.model import Declaration, DeclarationFunction
from edi.model.numbers import direction_of_number

_FROZEN = ConfigDict(frozen=True, extra="forbid")
#: Larger requests are refused unread (the XML channel's limit; a declaration is far smaller).
MAX_BYTES = 16 * 1024 * 1024


class IssueKind(StrEnum):
    """Which stage found the problem; each kind has a stable answer code."""

    SYNTAX = "syntax"  # not UTF-8, not well-formed JSON, not an object, nested too deeply
    ENVELOPE = "envelope"  # the request's own members: type, number, references, reason
    CONTENT = "content"  # the canonical model refuses the declaration of an amendment
    REFUSED = "refused"  # understood, but the declaration cannot be changed so (registration)
    OFFICE = "office"  # a customs office the registry does not hold, or closed on the day


#: Stable reason codes in answers; ``REF`` is the lifecycle refusal code of every channel.
ISSUE_CODES: dict[IssueKind, str] = {
    IssueKind.SYNTAX: "JSON001",
    IssueKind.ENVELOPE: "JSON002",
    IssueKind.CONTENT: "JSON003",
    IssueKind.REFUSED: "REF",
    IssueKind.OFFICE: "JSON004",
}


@dataclass(frozen=True, slots=True)
class JsonIssue:
    """One problem, with the JSON path (``declaration.items[0].commodity_code``) and position."""

    text: str
    path: str | None = None
    line: int | None = None
    column: int | None = None
    kind: IssueKind = IssueKind.ENVELOPE

    @property
    def code(self) -> str:
        """The stable reason code of this issue's kind."""
        return ISSUE_CODES[self.kind]

    def located(self) -> str:
        """The text with its path and position, for logs and events."""
        where = ", ".join(
            part
            for part in (
                self.path,
                None if self.line is None else f"line {self.line}",
                None if self.column is None else f"column {self.column}",
            )
            if part
        )
        return f"{self.text} ({where})" if where else self.text

    @property
    def syntax_level(self) -> bool:
        """Whether the request as a whole is refused (not only its declaration)."""
        return self.kind in (IssueKind.SYNTAX, IssueKind.ENVELOPE)


class _Envelope(BaseModel):
    model_config = _FROZEN

    number: str = Field(pattern=r"^\d{18}$", description="The registered declaration number.")
    sender_reference: str = Field(min_length=1, max_length=35)
    sender: str | None = Field(default=None, min_length=1, max_length=35)


class AmendmentRequest(_Envelope):
    """A new version of declaration ``number``: the whole canonical declaration."""

    type: Literal["amendment"]
    declaration: dict[str, Any]


class CancellationRequest(_Envelope):
    """Invalidation of declaration ``number``, with the sender's reason."""

    type: Literal["cancellation"]
    reason: str = Field(min_length=1, max_length=512)


JsonRequest = AmendmentRequest | CancellationRequest
_TYPES = ("amendment", "cancellation")
_ADAPTER: TypeAdapter[JsonRequest] = TypeAdapter(
    Annotated[JsonRequest, Field(discriminator="type")]
)


@dataclass(frozen=True, slots=True)
class JsonReadResult:
    """What one received request holds: the declaration to register (function set) or why not.

    ``kind``, ``sender_reference`` and ``sender`` are read even when the rest is refused, so
    that the answer can cite them and a resend can be recognised.
    """

    kind: str | None
    declaration: Declaration | None
    issues: tuple[JsonIssue, ...]
    sender_reference: str | None = None
    sender: str | None = None


def read_json_request(raw: bytes) -> JsonReadResult:
    """Read one request; the canonical declaration it asks to register, or the issues."""
    if len(raw) > MAX_BYTES:
        return _refused(f"request over {MAX_BYTES // (1024 * 1024)} MiB", 1, 1)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start].decode("utf-8", "replace")
        return _refused("not UTF-8 text", *line_column(before, len(before)))
    if text.startswith(BOM):
        text = " " + text[1:]
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        return _refused(f"not JSON: {exc.msg}", exc.lineno, exc.colno)
    except RecursionError:
        return _refused("not JSON: nested too deeply", 1, 1)
    if not isinstance(data, dict):
        return _refused("a request is one JSON object", 1, 1)
    kind = data.get("type") if data.get("type") in _TYPES else None
    reference, sender = _string(data, "sender_reference"), _string(data, "sender")
    try:
        request = _ADAPTER.validate_python(data)
    except ValidationError as exc:
        issues = tuple(_issues(exc, text, (), IssueKind.ENVELOPE, tagged=True))
        return JsonReadResult(kind, None, issues, reference, sender)
    declaration, issues = _declaration(request, text)
    return JsonReadResult(kind, declaration, issues, reference, sender)


def _refused(text: str, line: int, column: int) -> JsonReadResult:
    return JsonReadResult(None, None, (JsonIssue(text, None, line, column, IssueKind.SYNTAX),))


def _string(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and 0 < len(value) <= 35 else None


def _declaration(
    request: JsonRequest, text: str
) -> tuple[Declaration | None, tuple[JsonIssue, ...]]:
    """The declaration to register: the amendment's body, or a cancellation citing the number."""
    number = request.number
    if isinstance(request, CancellationRequest):
        direction = direction_of_number(number)
        if direction is None:
            line, column = locate(text, ("number",))
            issue = JsonIssue(
                "the ninth digit must be 1 (import) or 0 (export)", "number", line, column
            )
            return None, (issue,)
        cancellation = Declaration(
            function=DeclarationFunction.CANCELLATION,
            direction=direction,
            sender_reference=request.sender_reference,
            registered_number=number,
            remarks=request.reason,
        )
        return cancellation, ()
    body = dict(request.declaration)
    conflicts = _conflicts(body, number, text)
    if conflicts:
        return None, conflicts
    # The request says what the body is: an amendment of ``number``. A body copied from
    # ``customs declarations show --json`` says "original"; it keeps its own reference.
    body.update(function=DeclarationFunction.AMENDMENT.value, registered_number=number)
    body.setdefault("sender_reference", request.sender_reference)
    try:
        return Declaration.model_validate(body), ()
    except ValidationError as exc:
        return None, tuple(_issues(exc, text, ("declaration",), IssueKind.CONTENT))


def _conflicts(body: dict[str, Any], number: str, text: str) -> tuple[JsonIssue, ...]:
    """Members of the body that contradict the request (they are not silently replaced)."""
    issues = []
    cited = body.get("registered_number")
    if cited is not None and cited != number:
        path = ("declaration", "registered_number")
        issues.append(_at(text, path, f"names declaration {cited}, the request {number}"))
    if body.get("function") == DeclarationFunction.CANCELLATION.value:
        path = ("declaration", "function")
        issues.append(_at(text, path, "a cancellation is a request of its own type"))
    return tuple(issues)


def _at(text: str, path: tuple[str | int, ...], message: str) -> JsonIssue:
    line, column = locate(text, path)
    return JsonIssue(message, dotted(path), line, column, IssueKind.CONTENT)


def _issues(
    exc: ValidationError,
    text: str,
    prefix: tuple[str | int, ...],
    kind: IssueKind,
    *,
    tagged: bool = False,
) -> list[JsonIssue]:
    """One located issue per pydantic error, named by its path from the document root."""
    issues = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        if tagged:  # the first part is the union tag; a bad tag is reported on ``type``
            loc = ("type",) if error["type"].startswith("union_tag") else loc[1:]
        path = prefix + tuple(p if isinstance(p, int) else str(p) for p in loc)
        line, column = locate(text, path)
        message = str(error["msg"]).removeprefix("Value error, ")
        issues.append(JsonIssue(message, dotted(path) or None, line, column, kind))
    return issues
