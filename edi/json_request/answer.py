"""The JSON channel's answer: one response document per request (docs/json-channel.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class JsonReason:
    """Why a request was refused or a declaration held, located in the request when it can be."""

    code: str
    text: str
    path: str | None = None
    line: int | None = None
    column: int | None = None


@dataclass(frozen=True, slots=True)
class JsonDuty:
    """One assessed duty or tax line of one goods item (UNCL 5153 type, as in CUSRES TAX)."""

    item: int
    tax_type: str
    base: Decimal
    amount: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class JsonAnswer:
    """What a response says; ``number`` and ``version`` are null when nothing was registered."""

    message_id: str  # our control reference, from the "json-out" counter
    issued_at: datetime  # local time of the administration
    in_reply_to: str | None  # the request's sender_reference
    request: str | None  # amendment | cancellation (null when the type could not be read)
    status: str  # registered | released | documents_required | under_control | invalidated |
    # rejected | cleared (exit confirmed: 结关, docs/rebates.md)
    number: str | None = None
    version: int | None = None
    lane: str | None = None
    decision: str | None = None
    duties: tuple[JsonDuty, ...] = ()
    reasons: tuple[JsonReason, ...] = ()


def render_json_answer(answer: JsonAnswer) -> str:
    """The response document: UTF-8 JSON, two-space indented, members in a fixed order."""
    document: dict[str, Any] = {
        "type": "response",
        "message_id": answer.message_id,
        "issued_at": answer.issued_at.isoformat(),
        "in_reply_to": answer.in_reply_to,
        "request": answer.request,
        "status": answer.status,
        "number": answer.number,
        "version": answer.version,
        "lane": answer.lane,
        "decision": answer.decision,
        "duties": [
            {
                "item": d.item,
                "tax_type": d.tax_type,
                "base": f"{d.base:.2f}",
                "amount": f"{d.amount:.2f}",
                "currency": d.currency,
            }
            for d in answer.duties
        ],
        "reasons": [
            {"code": r.code, "text": r.text, "path": r.path, "line": r.line, "column": r.column}
            for r in answer.reasons
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
