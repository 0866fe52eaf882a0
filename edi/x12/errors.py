"""X12 issues and the code lists they are answered with (TA1, 997 and 999).

Every problem the reader finds is an :class:`X12Issue` with a :class:`Level` that says which
acknowledgement carries it and a code from that acknowledgement's code list:

========================  =======================  =====================================
level                     answered in              code list (X12 data element)
========================  =======================  =====================================
``interchange``           TA1 TA105                I18 Interchange Note Code
``group``                 AK9 AK905-AK909          716 Functional Group Syntax Error Code
``transaction``           AK5/IK5 02-06            718 / 618 Transaction Set Syntax Error
``segment``               AK3/IK3 04               720 / 620 Segment Syntax Error Code
``element``               AK4/IK4 03               723 / 621 Data Element Syntax Error
``content``               355 K1 remarks           ours (:class:`ContentError`)
========================  =======================  =====================================

The code values were taken from the X12 element lists (004010 and 005010) published on
stedi.com; see ``docs/x12-channel.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.errors import CustomsError

__all__ = [
    "ContentError",
    "ElementError",
    "GroupError",
    "InterchangeNote",
    "Level",
    "SegmentError",
    "SetError",
    "Severity",
    "X12Issue",
    "X12WriteError",
]


class Level(StrEnum):
    """Which envelope level an issue belongs to (and so which answer carries it)."""

    INTERCHANGE = "interchange"
    GROUP = "group"
    TRANSACTION = "transaction"
    SEGMENT = "segment"
    ELEMENT = "element"
    CONTENT = "content"


class Severity(StrEnum):
    """An error rejects its envelope; a warning is reported and the envelope accepted."""

    ERROR = "error"
    WARNING = "warning"


class InterchangeNote(StrEnum):
    """TA105 Interchange Note Code (I18)."""

    NO_ERROR = "000"
    CONTROL_NUMBER_MISMATCH = "001"
    VERSION_NOT_SUPPORTED = "003"
    INVALID_SEGMENT_TERMINATOR = "004"
    INVALID_SENDER_QUALIFIER = "005"
    INVALID_SENDER_ID = "006"
    INVALID_RECEIVER_QUALIFIER = "007"
    INVALID_RECEIVER_ID = "008"
    INVALID_AUTHORIZATION_QUALIFIER = "010"
    INVALID_AUTHORIZATION_VALUE = "011"
    INVALID_SECURITY_QUALIFIER = "012"
    INVALID_SECURITY_VALUE = "013"
    INVALID_DATE = "014"
    INVALID_TIME = "015"
    INVALID_STANDARDS_ID = "016"
    INVALID_VERSION_ID = "017"
    INVALID_CONTROL_NUMBER = "018"
    INVALID_ACK_REQUESTED = "019"
    INVALID_TEST_INDICATOR = "020"
    INVALID_GROUP_COUNT = "021"
    INVALID_CONTROL_STRUCTURE = "022"
    PREMATURE_END = "023"
    INVALID_CONTENT = "024"
    DUPLICATE_CONTROL_NUMBER = "025"
    INVALID_ELEMENT_SEPARATOR = "026"
    INVALID_COMPONENT_SEPARATOR = "027"


class GroupError(StrEnum):
    """AK905-AK909 Functional Group Syntax Error Code (716)."""

    NOT_SUPPORTED = "1"
    VERSION_NOT_SUPPORTED = "2"
    TRAILER_MISSING = "3"
    CONTROL_NUMBER_MISMATCH = "4"
    COUNT_MISMATCH = "5"
    CONTROL_NUMBER_SYNTAX = "6"
    NOT_UNIQUE = "19"  # 005010 and later only


class SetError(StrEnum):
    """AK502-AK506 / IK502-IK506 Transaction Set Syntax Error Code (718 / 618)."""

    NOT_SUPPORTED = "1"
    TRAILER_MISSING = "2"
    CONTROL_NUMBER_MISMATCH = "3"
    SEGMENT_COUNT_MISMATCH = "4"
    SEGMENTS_IN_ERROR = "5"
    INVALID_SET_ID = "6"
    INVALID_CONTROL_NUMBER = "7"
    NOT_UNIQUE = "23"


class SegmentError(StrEnum):
    """AK304 / IK304 Segment Syntax Error Code (720 / 620)."""

    UNRECOGNIZED = "1"
    UNEXPECTED = "2"
    MANDATORY_MISSING = "3"
    LOOP_OVER_MAX = "4"
    SEGMENT_OVER_MAX = "5"
    NOT_IN_SET = "6"
    NOT_IN_SEQUENCE = "7"
    ELEMENT_ERRORS = "8"


class ElementError(StrEnum):
    """AK403 / IK403 Data Element Syntax Error Code (723 / 621)."""

    MANDATORY_MISSING = "1"
    TOO_MANY_ELEMENTS = "3"
    TOO_SHORT = "4"
    TOO_LONG = "5"
    INVALID_CHARACTER = "6"
    INVALID_CODE = "7"
    INVALID_DATE = "8"
    INVALID_TIME = "9"
    TOO_MANY_REPETITIONS = "12"


class ContentError(StrEnum):
    """Business-content problems of a syntactically sound 309 (answered with a 355)."""

    INVALID_CONTAINER = "invalid_container"
    INVALID_COMMODITY_CODE = "invalid_commodity_code"
    INVALID_COUNTRY = "invalid_country"
    UNKNOWN_UNIT = "unknown_unit"
    MISSING_BILL_DETAILS = "missing_bill_details"
    BILL_COUNT_MISMATCH = "bill_count_mismatch"
    DUPLICATE_BILL = "duplicate_bill"
    IMO_CHECK_DIGIT = "imo_check_digit"
    INVALID_VALUE = "invalid_value"


@dataclass(frozen=True, slots=True)
class X12Issue:
    """One problem found in an interchange, with where it is.

    Positions: ``segment_index`` counts the segments of the interchange from 1 (ISA = 1;
    an empty segment is not a segment and is not counted); ``set_position`` counts from the
    ST of its transaction set (ST = 1, as AK302/IK302 do); ``element`` and ``component``
    are 1-based as in AK401/IK401; ``line`` is 1-based (only ``\\n`` ends a line) and
    ``byte_offset`` is the 0-based offset of the segment's first byte in the raw input.
    """

    level: Level
    code: str
    text: str
    severity: Severity = Severity.ERROR
    segment_tag: str | None = None
    segment_index: int | None = None
    set_position: int | None = None
    element: int | None = None
    component: int | None = None
    line: int | None = None
    byte_offset: int | None = None
    group_control: str | None = None
    set_control: str | None = None
    bad_value: str | None = None

    @property
    def is_error(self) -> bool:
        """True when the issue rejects its envelope."""
        return self.severity is Severity.ERROR


class X12WriteError(CustomsError):
    """A writer was asked for something X12 cannot express (e.g. a 350 without equipment)."""

    code = "x12_write"
