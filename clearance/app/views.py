"""What the read use cases return: typed records whose JSON form is the CLI's contract.

Field names are a contract (docs/cli.md, and the HTTP API's schemas): add fields, never rename
them. Times are ISO 8601 strings in UTC as the CLI has always printed them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class View(BaseModel):
    """A read-only record; ``as_json()`` is its JSON object."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def as_json(self) -> dict[str, Any]:
        """The JSON form (what ``--json`` prints and the API sends)."""
        return self.model_dump(mode="json")


class MessageSummary(View):
    """One received file, without its raw bytes."""

    message_id: int
    received_at: str
    sender: str
    channel: str
    filename: str | None
    format: str | None
    message_type: str | None
    control_reference: str | None
    size: int
    sha256: str
    status: str
    error: str | None
    duplicate_of: int | None
    answers: int


class DeclarationSummary(View):
    """One registered declaration as lists show it."""

    number: str
    direction: str
    office: str
    status: str
    lane: str | None
    decision: str | None
    sender: str
    sender_reference: str | None
    message_reference: str | None
    message_id: int | None
    accepted_on: str
    version: int
    registered_at: str


class VersionView(View):
    """One version of a declaration (original, amendment, cancellation)."""

    version: int
    function: str
    message_id: int | None
    created_at: str


class ResponseView(View):
    """One answer we sent about a declaration, as sent."""

    message_type: str
    created_at: str
    control_reference: str | None
    text: str


class EventView(View):
    """One lifecycle event of a declaration."""

    id: int
    kind: str
    occurred_at: str
    data: dict[str, Any]


class DeclarationDetail(DeclarationSummary):
    """Everything stored about one declaration."""

    declaration: dict[str, Any]
    assessment: dict[str, Any] | None
    versions: list[VersionView]
    responses: list[ResponseView]
    events: list[EventView]


class LogEvent(View):
    """One event of the log as followers read it (``customs events``)."""

    id: int
    occurred_at: str
    kind: str
    message_id: int | None
    declaration_number: str | None
    data: dict[str, Any]


class EventPage(View):
    """Events after a cursor, and the cursor to ask from next."""

    events: list[LogEvent]
    next_cursor: int
