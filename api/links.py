"""OpenAPI links: how a client (and schemathesis' stateful tests) goes from one answer to the
next call, without guessing ids.

- a submission's 202 leads to the submission, its raw bytes, and the declaration it registered;
- the declarations list leads to one declaration (the first of the page);
- one declaration leads to its history and to the message that made its first version.

Targets are named by FastAPI's generated operation ids; ``tests/api/test_openapi.py`` checks
that every link resolves to an operation of the document.
"""

from __future__ import annotations

from typing import Any


def _link(operation_id: str, description: str, **parameters: str) -> dict[str, Any]:
    return {"operationId": operation_id, "description": description, "parameters": parameters}


#: Links of ``POST /v1/submissions`` (202).
SUBMISSION_ACCEPTED: dict[str, Any] = {
    "links": {
        "GetSubmission": _link(
            "show_v1_submissions__message_id__get",
            "The submission and the answers it got.",
            message_id="$response.body#/message_id",
        ),
        "GetSubmissionRaw": _link(
            "raw_v1_submissions__message_id__raw_get",
            "The interchange exactly as received.",
            message_id="$response.body#/message_id",
        ),
        "GetRegisteredDeclaration": _link(
            "show_v1_declarations__number__get",
            "The first declaration the interchange registered.",
            number="$response.body#/outcome/declarations/0/number",
        ),
    }
}

#: Links of ``GET /v1/declarations`` (200).
DECLARATION_PAGE: dict[str, Any] = {
    "links": {
        "GetFirstDeclaration": _link(
            "show_v1_declarations__number__get",
            "The first declaration of the page.",
            number="$response.body#/declarations/0/number",
        ),
    }
}

#: Links of ``GET /v1/declarations/{number}`` (200).
DECLARATION: dict[str, Any] = {
    "links": {
        "GetDeclarationHistory": _link(
            "history_v1_declarations__number__history_get",
            "Every officer action on the declaration.",
            number="$response.body#/number",
        ),
        "GetFirstVersionMessage": _link(
            "version_message_v1_declarations__number__versions__version__message_get",
            "The message that made the declaration's first version.",
            number="$response.body#/number",
            version="$response.body#/versions/0/version",
        ),
    }
}
