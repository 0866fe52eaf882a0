"""The JSON channel: amendments and cancellations of registered declarations as canonical JSON.

Public API (docs/json-channel.md)::

    read_json_request(raw: bytes) -> JsonReadResult
        Decode, parse and validate one request; the canonical declaration to register
        (function ``amendment`` or ``cancellation``, ``registered_number`` set) or the issues,
        each with its JSON path, line and column and a stable code (JSON001 … JSON003).
        Never raises for bad input.

    AmendmentRequest, CancellationRequest
        The two request shapes (pydantic); front doors build requests with them.

    render_json_answer(answer: JsonAnswer) -> str
        The response document sent back (status, number, version, lane, duties, reasons).
"""

from edi.json_request.answer import JsonAnswer, JsonDuty, JsonReason, render_json_answer
from edi.json_request.request import (
    ISSUE_CODES,
    AmendmentRequest,
    CancellationRequest,
    IssueKind,
    JsonIssue,
    JsonReadResult,
    JsonRequest,
    read_json_request,
)

__all__ = [
    "ISSUE_CODES",
    "AmendmentRequest",
    "CancellationRequest",
    "IssueKind",
    "JsonAnswer",
    "JsonDuty",
    "JsonIssue",
    "JsonReadResult",
    "JsonReason",
    "JsonRequest",
    "read_json_request",
    "render_json_answer",
]
