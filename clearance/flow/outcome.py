"""What processing one file produced: the JSON contract of ``customs submit --json``.

Other tools depend on these names (see docs/cli.md); add fields, never rename them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from rules.findings import Finding


class InterchangeStatus(StrEnum):
    """The interchange as a whole."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"


@dataclass(frozen=True, slots=True)
class ErrorReport:
    """One error with where it is; ``code`` is the 0085 code for syntax errors."""

    code: str
    text: str
    segment: str | None = None
    line: int | None = None
    column: int | None = None
    element: int | None = None
    item: int | None = None  # the goods item a business reason is about (answers point to it)

    def to_json(self) -> dict[str, Any]:
        """The JSON form (``item`` only when the reason names a goods item)."""
        data: dict[str, Any] = {
            "code": self.code,
            "text": self.text,
            "segment": self.segment,
            "line": self.line,
            "column": self.column,
            "element": self.element,
        }
        if self.item is not None:
            data["item"] = self.item
        return data


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    """The syntax-level answer (CONTRL for EDIFACT)."""

    format: str
    text: str
    errors: tuple[ErrorReport, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "format": self.format,
            "text": self.text,
            "errors": [e.to_json() for e in self.errors],
        }


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    """One goods item as registered."""

    sequence: int
    commodity_code: str
    origin_country: str | None
    customs_value: str | None = None  # filled by the tariff assessment step
    duties: tuple[dict[str, Any], ...] = ()

    def with_assessment(
        self, customs_value: str | None, duties: tuple[dict[str, Any], ...]
    ) -> ItemOutcome:
        """This item with its customs value and duty lines filled in."""
        # Built directly: dataclasses.replace inspects the fields on every call (five items a
        # declaration, every declaration).
        return ItemOutcome(
            self.sequence, self.commodity_code, self.origin_country, customs_value, duties
        )

    def duty_lines(self) -> list[tuple[str, Decimal, Decimal, str]]:
        """(UNCL 5153 tax type, base, amount, currency) of each duty line, for the answers."""
        return [
            (d["tax_type"], Decimal(d["base"]), Decimal(d["amount"]), d["currency"])
            for d in self.duties
        ]

    def to_json(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "sequence": self.sequence,
            "commodity_code": self.commodity_code,
            "origin_country": self.origin_country,
            "customs_value": self.customs_value,
            "duties": list(self.duties),
        }


@dataclass(slots=True)
class DeclarationOutcome:
    """One declaration (one CUSDEC message) and the answer it got."""

    message_reference: str
    sender_reference: str | None
    number: str | None
    direction: str | None
    status: str
    function: str | None = None
    lane: str | None = None
    decision: str | None = None
    items: list[ItemOutcome] = field(default_factory=list)
    reasons: list[ErrorReport] = field(default_factory=list)
    response: str | None = None
    #: Findings the declaration steps gathered (manifest reconciliation, controls …); the
    #: decision step turns all of them into a lane and a decision.
    findings: list[Finding] = field(default_factory=list)
    #: The tariff assessment of the declaration, set by the assessment step (a
    #: ``tariffs`` result; typed loosely here so the outcome stays a plain record).
    assessment: Any = None
    #: Lifecycle events the steps raise (kind, data), written after "registered" in the
    #: interchange's event batch, so the log keeps cause before effect.
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "number": self.number,
            "message_reference": self.message_reference,
            "sender_reference": self.sender_reference,
            "function": self.function,
            "direction": self.direction,
            "status": self.status,
            "lane": self.lane,
            "decision": self.decision,
            "items": [i.to_json() for i in self.items],
            "reasons": [r.to_json() for r in self.reasons],
            "findings": [f.as_json() for f in self.findings],
            "response": self.response,
        }


@dataclass(slots=True)
class SubmissionOutcome:
    """Everything ``customs submit`` reports for one file."""

    file: str | None
    message_id: int
    format: str | None
    message_type: str | None
    status: InterchangeStatus
    errors: list[ErrorReport] = field(default_factory=list)
    acknowledgement: Acknowledgement | None = None
    declarations: list[DeclarationOutcome] = field(default_factory=list)
    control_reference: str | None = None
    sender: str | None = None
    #: Customs manifests the file carried (X12 309), one summary each: manifests are not
    #: declarations, so they have their own list (empty for the other channels).
    manifests: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The JSON form (one line of ``customs submit --json``)."""
        return {
            "file": self.file,
            "message_id": self.message_id,
            "format": self.format,
            "message_type": self.message_type,
            "sender": self.sender,
            "control_reference": self.control_reference,
            "status": self.status.value,
            "errors": [e.to_json() for e in self.errors],
            "acknowledgement": None
            if self.acknowledgement is None
            else self.acknowledgement.to_json(),
            "declarations": [d.to_json() for d in self.declarations],
            "manifests": self.manifests,
        }
