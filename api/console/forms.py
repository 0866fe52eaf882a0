"""Form errors as the pages show them: a summary at the top linking to each field's message."""

from __future__ import annotations

from dataclasses import dataclass

#: The largest file a form may send (an interchange, or each document presented to customs).
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
#: How many files a trader may present at once in answer to a request.
ANSWER_MAX_FILES = 5
#: What a form may add around its files (fields, multipart headers).
FORM_OVERHEAD_BYTES = 1024 * 1024
#: The largest request body any console form may send: the documents of an answer with the
#: form around them. A larger one is refused (413, the console's "too large" page) from its
#: ``Content-Length`` before anything is parsed or written to disk; each file is still checked
#: against :data:`UPLOAD_MAX_BYTES` on its own.
BODY_MAX_BYTES = ANSWER_MAX_FILES * UPLOAD_MAX_BYTES + FORM_OVERHEAD_BYTES


@dataclass(frozen=True, slots=True)
class FieldError:
    """What is wrong with one field: the field's ``id`` (the summary links to ``#id``) and the
    English message id of the explanation (translated when shown)."""

    field: str
    message: str


def errors_by_field(errors: list[FieldError]) -> dict[str, str]:
    """The first message of each field, for the message shown beside it."""
    found: dict[str, str] = {}
    for error in errors:
        found.setdefault(error.field, error.message)
    return found
