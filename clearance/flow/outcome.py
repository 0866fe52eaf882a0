"""What processing one file produced: the JSON contract of ``customs submit --json``.

Other tools depend on these names (see docs/cli.md); add fields, never rename them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from rules.findings import Finding
from tariffs import TaxLine

#: Tax heads → UNCL 5153 duty/tax/fee type codes for CUSRES TAX (additional duties: OTH).
TAX_TYPES = {
    "customs_duty": "CUD",
    "export_duty": "CUD",
    "vat": "VAT",
    "consumption_tax": "EXC",
}


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
    #: The same reason in Chinese, when its rule words it so (control and tariff findings'
    #: ``message_zh``): the DEC_RESULT receipt's NOTE gives it beside the English.
    text_zh: str | None = None

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
    #: The item's duty and tax lines as assessed (filled by the tariff assessment step). Kept
    #: as the assessment's own lines, amounts as ``Decimal``: the answers read them as
    #: ``Decimal`` (:meth:`duty_lines`), and only ``--json`` needs the text (:attr:`duties`).
    lines: tuple[TaxLine, ...] = ()

    def with_assessment(self, customs_value: str | None, lines: tuple[TaxLine, ...]) -> ItemOutcome:
        """This item with its customs value and duty lines filled in."""
        # Built directly: dataclasses.replace inspects the fields on every call (five items a
        # declaration, every declaration).
        return ItemOutcome(
            self.sequence, self.commodity_code, self.origin_country, customs_value, lines
        )

    @property
    def duties(self) -> tuple[dict[str, Any], ...]:
        """The duty lines as the JSON contract carries them (amounts as text)."""
        return tuple(
            {
                "tax": tax,
                "tax_type": TAX_TYPES.get(tax, "OTH"),
                "measure_type": measure_type,
                "measure_id": measure_id,
                "expression": expression,
                "base": str(base),
                "amount": str(amount),
                "currency": currency,
            }
            # unpacked: a TaxLine's fields in order, cheaper than attribute reads
            for tax, measure_type, measure_id, expression, base, amount, currency, _ in self.lines
        )

    def duty_lines(self) -> list[tuple[str, Decimal, Decimal, str]]:
        """(UNCL 5153 tax type, base, amount, currency) of each duty line, for the answers."""
        # The assessment's own Decimals: the same values (and exponents) the text of
        # :attr:`duties` parsed back gave, without the round trip.
        return [(TAX_TYPES.get(line[0], "OTH"), line[4], line[5], line[6]) for line in self.lines]

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
