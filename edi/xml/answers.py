"""What an XML answer says, independent of its wire format (RES-DMS or DEC_RESULT)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from edi.xml.issues import XmlIssue


class AnswerStatus(StrEnum):
    """The decision an answer announces (same values as the EDIFACT channel's CUSRES)."""

    REGISTERED = "registered"  # accepted and numbered
    REJECTED = "rejected"
    RELEASED = "released"
    DOCUMENTS_REQUIRED = "documents_required"
    UNDER_CONTROL = "under_control"
    INVALIDATED = "invalidated"


@dataclass(frozen=True, slots=True)
class AnswerReason:
    """A reason for the decision, located in the received file when it is about the file."""

    text: str
    path: str | None = None
    line: int | None = None
    column: int | None = None
    code: str | None = None  # e.g. XML004; rules may use their own rule ids
    text_zh: str | None = None  # the reason in Chinese, when its rule words it so

    def located(self, text: str | None = None) -> str:
        """``text`` (the English text unless given) with its location, for free-text fields."""
        where = ", ".join(
            p
            for p in (
                self.path,
                None if self.line is None else f"line {self.line}",
                None if self.column is None else f"column {self.column}",
            )
            if p
        )
        said = self.text if text is None else text
        return f"{said} ({where})" if where else said


@dataclass(frozen=True, slots=True)
class DutyLine:
    """One assessed duty or tax of one goods item (the assessment step fills these)."""

    item_sequence: int
    tax_type: str  # e.g. "CUD" customs duty, "VAT"; DMS writes A00 / B00 for these two
    rate: Decimal | None
    base_amount: Decimal | None
    amount: Decimal
    currency: str  # ISO 4217


@dataclass(frozen=True, slots=True)
class XmlAnswer:
    """Everything one notification or receipt says.

    ``issued_at`` must be timezone-aware; ``registered_number`` is our 18-digit number when
    the declaration was registered; ``customs_office`` is the 4-digit office for receipts.
    """

    status: AnswerStatus
    sender_reference: str
    issued_at: datetime
    registered_number: str | None = None
    reasons: tuple[AnswerReason, ...] = ()
    duties: tuple[DutyLine, ...] = ()
    accepted_at: datetime | None = None
    customs_office: str | None = None
    message_id: str | None = None

    def __post_init__(self) -> None:
        for stamp in (self.issued_at, self.accepted_at):
            if stamp is not None and stamp.tzinfo is None:
                raise ValueError("answer times must be timezone-aware")
        if not self.sender_reference:
            raise ValueError("an answer must cite the sender's reference")


def reasons_from_issues(issues: Iterable[XmlIssue]) -> tuple[AnswerReason, ...]:
    """Reader issues as answer reasons, keeping their location and code."""
    return tuple(AnswerReason(i.text, i.path, i.line, i.column, i.code) for i in issues)


__all__ = ["AnswerReason", "AnswerStatus", "DutyLine", "XmlAnswer", "reasons_from_issues"]
