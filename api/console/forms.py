"""Form errors as the pages show them: a summary at the top linking to each field's message."""

from __future__ import annotations

from dataclasses import dataclass


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
