"""Syntax errors and their UN/EDIFACT codes (data element 0085, ISO 9735 syntax error codes)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from core.errors import CustomsError


class SyntaxErrorCode(IntEnum):
    """UN/EDIFACT data element 0085 'Syntax error, coded' (ISO 9735-5 / UN/EDIFACT CONTRL)."""

    SYNTAX_VERSION_NOT_SUPPORTED = 2
    RECIPIENT_NOT_ACTUAL = 7
    INVALID_VALUE = 12
    MISSING = 13
    VALUE_NOT_SUPPORTED_IN_POSITION = 14
    NOT_SUPPORTED_IN_POSITION = 15
    TOO_MANY_CONSTITUENTS = 16
    NO_AGREEMENT = 17
    UNSPECIFIED = 18
    INVALID_DECIMAL_NOTATION = 19
    INVALID_SERVICE_CHARACTER_USE = 20
    INVALID_CHARACTERS = 21
    INVALID_SERVICE_CHARACTERS = 22
    UNKNOWN_SENDER = 23
    TOO_OLD = 24
    TEST_INDICATOR_NOT_SUPPORTED = 25
    DUPLICATE_DETECTED = 26
    SECURITY_FUNCTION_NOT_SUPPORTED = 27
    REFERENCES_DO_NOT_MATCH = 28
    CONTROL_COUNT_MISMATCH = 29
    GROUPS_AND_MESSAGES_MIXED = 30
    MORE_THAN_ONE_MESSAGE_TYPE_IN_GROUP = 31
    LOWER_LEVEL_EMPTY = 32
    INVALID_OCCURRENCE_OUTSIDE_MESSAGE = 33
    NESTING_INDICATOR_NOT_ALLOWED = 34
    TOO_MANY_SEGMENT_REPETITIONS = 35
    TOO_MANY_SEGMENT_GROUP_REPETITIONS = 36
    INVALID_TYPE_OF_CHARACTERS = 37
    MISSING_DIGIT_BEFORE_DECIMAL = 38
    ELEMENT_TOO_LONG = 39
    ELEMENT_TOO_SHORT = 40
    TRAILING_SEPARATOR = 45
    CHARACTER_SET_NOT_SUPPORTED = 46
    ENVELOPE_FUNCTIONALITY_NOT_SUPPORTED = 47


@dataclass(frozen=True, slots=True)
class SyntaxIssue:
    """One problem found on the wire, with where it is.

    ``segment_index`` is the segment's position in the interchange (1-based, UNA excluded);
    ``element`` and ``component`` are 1-based as in CONTRL's S011 (None when the whole
    segment is meant).
    """

    code: SyntaxErrorCode
    text: str
    segment_tag: str | None = None
    segment_index: int | None = None
    line: int | None = None
    column: int | None = None
    element: int | None = None
    component: int | None = None


class EdifactError(CustomsError):
    """An interchange cannot be read any further; carries the issue that stopped it."""

    code = "edifact_syntax"

    def __init__(self, issue: SyntaxIssue) -> None:
        super().__init__(issue.text)
        self.issue = issue
