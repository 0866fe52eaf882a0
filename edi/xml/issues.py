"""Issues and results of the XML channel: what went wrong, and where in the received file.

:class:`XmlIssue` keeps the shape of the EDIFACT channel's ``MappingIssue`` (text, line,
column) and adds the element ``path`` (an XPath with positions, e.g.
``/DecMessage/DecLists/DecList[2]/CodeTS``), because XML senders think in elements, not
segments. Nothing here raises for bad input: readers return issues.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.errors import CustomsError
from edi.model import Declaration


class IssueKind(StrEnum):
    """Which stage found the problem; each kind has a stable answer code."""

    SYNTAX = "syntax"  # not well-formed XML
    FORBIDDEN = "forbidden"  # DOCTYPE, entity declarations, oversized input
    UNKNOWN_FORMAT = "unknown_format"  # well-formed, but neither DEC-DMS nor DecMessage
    SCHEMA = "schema"  # well-formed, not valid against our XSD
    MAPPING = "mapping"  # valid, but a value is not acceptable to the canonical model
    UNKNOWN_CODE = "unknown_code"  # a code that is not in one of our mapping tables
    OFFICE = "office"  # a customs office the registry does not hold, or closed on the day


#: Stable reason codes written into answers (RES-DMS ``Error/ValidationCode``).
ISSUE_CODES: dict[IssueKind, str] = {
    IssueKind.SYNTAX: "XML001",
    IssueKind.FORBIDDEN: "XML002",
    IssueKind.UNKNOWN_FORMAT: "XML003",
    IssueKind.SCHEMA: "XML004",
    IssueKind.MAPPING: "XML005",
    IssueKind.UNKNOWN_CODE: "XML006",
    IssueKind.OFFICE: "XML007",
}


@dataclass(frozen=True, slots=True)
class XmlIssue:
    """One problem, located as precisely as the stage that found it can."""

    text: str
    path: str | None = None
    line: int | None = None
    column: int | None = None
    kind: IssueKind = IssueKind.MAPPING

    @property
    def code(self) -> str:
        """The stable reason code of this issue's kind."""
        return ISSUE_CODES[self.kind]

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                self.path,
                None if self.line is None else f"line {self.line}",
                None if self.column is None else f"column {self.column}",
            )
            if part
        )
        return f"{self.text} ({where})" if where else self.text


@dataclass(frozen=True, slots=True)
class MappingResult:
    """Either a declaration or the reasons there is none (as in the EDIFACT channel)."""

    declaration: Declaration | None
    issues: tuple[XmlIssue, ...]


@dataclass(frozen=True, slots=True)
class XmlReadResult:
    """What :func:`edi.xml.read_xml_declaration` found in one received file.

    ``kind`` is ``"dec-dms"``, ``"decmessage"`` or ``None`` (not recognised);
    ``sender_reference`` is read even when mapping fails, so a rejection can cite it.
    """

    kind: str | None
    declaration: Declaration | None
    issues: tuple[XmlIssue, ...]
    sender_reference: str | None = None

    @property
    def ok(self) -> bool:
        """True when a declaration was read without issues."""
        return self.declaration is not None and not self.issues


class XmlInputError(CustomsError):
    """Received XML cannot be read any further; carries the issue that stopped it."""

    code = "xml_input"

    def __init__(self, issue: XmlIssue) -> None:
        super().__init__(str(issue))
        self.issue = issue


__all__ = [
    "ISSUE_CODES",
    "IssueKind",
    "MappingResult",
    "XmlInputError",
    "XmlIssue",
    "XmlReadResult",
]
