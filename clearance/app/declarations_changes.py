"""Amend or invalidate a registered declaration without an EDI file.

The use cases write the change as a canonical JSON request (docs/json-channel.md) and submit it
through the same intake as every interchange (:func:`clearance.app.messages.submit`): raw bytes
stored first, dedupe on (sender, reference), one unit of work in which registration, the
assessment, the controls and the ledgers follow, events, and a stored JSON answer. What the
trader gets back is the same :class:`SubmissionOutcome` as ``customs submit``.

The request's reference plays the interchange control reference: the same reference with the
same content is answered as a duplicate, with other content it is refused. Without one, the
reference is derived from the number, the version being changed and the content, so the same
change sent twice against the same version is a duplicate (an HTTP client passes its
idempotency key as ``reference`` to make retries idempotent across versions as well).
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from pydantic import ValidationError

from clearance.app.access import Permission, require, sender_for, visible_declaration
from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.documents import Document
from clearance.app.errors import RefusedError
from clearance.app.messages import Interchange, submit
from clearance.flow.outcome import SubmissionOutcome
from core.jsontext import BOM, dotted, locate
from edi.json_request import AmendmentRequest, CancellationRequest, JsonRequest
from edi.model import Declaration

#: How many problems a refused declaration file lists (the rest add nothing).
MAX_PROBLEMS = 20


def amend(
    app: Application,
    actor: Actor,
    number: str,
    declaration: Declaration,
    *,
    reference: str | None = None,
    channel: str = "api",
    filename: str | None = None,
) -> SubmissionOutcome:
    """A new version of declaration ``number`` with the content of ``declaration``.

    ``NotFoundError`` when ``actor`` may not see ``number`` (nothing is stored then); a
    refusal by registration (released, invalidated, another direction) is an outcome: the
    declaration ``rejected`` with reason ``REF``, the declaration itself unchanged.
    """
    require(actor, Permission.SUBMIT)
    body = declaration.model_dump(mode="json")
    return _send(
        app, actor, number, "amendment", {"declaration": body}, reference, channel, filename
    )


def invalidate(
    app: Application,
    actor: Actor,
    number: str,
    reason: str,
    *,
    reference: str | None = None,
    channel: str = "api",
) -> SubmissionOutcome:
    """Cancel declaration ``number`` (before release, or after release in a listed case).

    Refused outside the listed cases of the declaration's regime as an outcome that names each
    case and why it does not apply (docs/lifecycle.md); ``NotFoundError`` when ``actor`` may
    not see ``number``.
    """
    require(actor, Permission.SUBMIT)
    return _send(app, actor, number, "cancellation", {"reason": reason}, reference, channel, None)


def _send(
    app: Application,
    actor: Actor,
    number: str,
    kind: str,
    payload: dict[str, object],
    reference: str | None,
    channel: str,
    filename: str | None,
) -> SubmissionOutcome:
    with app.read() as session:
        row = visible_declaration(session, actor, number)
        sender, version = sender_for(actor, row), row.version
    content = {"type": kind, "number": number, "sender": sender, **payload}
    reference = reference or _reference(kind, number, version, content)
    request = _request({**content, "sender_reference": reference})
    raw = request.model_dump_json(exclude_none=True, indent=2).encode()
    return submit(app, actor, Interchange(raw, filename, sender=sender, channel=channel))


def _request(content: dict[str, object]) -> JsonRequest:
    """The typed request; a value it refuses (an empty reason …) is refused before storing."""
    model = AmendmentRequest if content["type"] == "amendment" else CancellationRequest
    try:
        return model.model_validate(content)
    except ValidationError as exc:
        problems = "; ".join(
            f"{dotted(tuple(e['loc']))}: {e['msg']}" for e in exc.errors(include_url=False)
        )
        raise RefusedError(f"not a valid {content['type']} request: {problems}") from exc


def _reference(kind: str, number: str, version: int, content: dict[str, object]) -> str:
    """``AMD``/``CAN`` + number + ``V`` + the version it makes + 8 hex digits of the content."""
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:8]
    prefix = "AMD" if kind == "amendment" else "CAN"
    return f"{prefix}{number}V{version + 1}-{digest}"[:35]


def read_declaration(document: Document) -> Declaration:
    """The canonical declaration in a JSON file (e.g. ``declarations show --json``'s
    ``declaration``, edited); ``RefusedError`` naming file, line, column and path of every
    problem, before anything is stored."""
    try:
        text = document.content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RefusedError(f"{document.name}: not UTF-8 text ({exc.reason})") from exc
    text = " " + text[1:] if text.startswith(BOM) else text
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise RefusedError(
            f"{document.name}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}"
        ) from exc
    except RecursionError as exc:
        raise RefusedError(f"{document.name}:1:1: not JSON: nested too deeply") from exc
    try:
        return Declaration.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False)[:MAX_PROBLEMS]:
            path = tuple(p if isinstance(p, int) else str(p) for p in error["loc"])
            line, column = locate(text, path)
            message = str(error["msg"]).removeprefix("Value error, ")
            problems.append(
                f"{document.name}:{line}:{column}: {dotted(path) or '(top)'}: {message}"
            )
        raise RefusedError("declaration refused: " + "; ".join(problems)) from exc
