"""The ISA read by position: separators, widths, versions (answered with a TA1)."""

from __future__ import annotations

import pytest

from edi.x12 import InterchangeNote, Level, read_x12
from edi.x12.isa import ISA_LENGTH, read_isa
from tests.unit.x12.helpers import codes, interchange, isa, read


def test_separators_are_taken_by_position() -> None:
    found = read_isa(isa("00501", rep="!", component="\\", terminator="\u00a7") + "GS")
    assert found.ok
    assert found.delimiters is not None
    d = found.delimiters
    assert (d.element, d.component, d.segment, d.repetition) == ("*", "\\", "\u00a7", "!")
    assert found.length == ISA_LENGTH


def test_the_repetition_separator_exists_only_in_00501() -> None:
    found = read_isa(isa("00401") + "GS")
    assert found.delimiters is not None
    assert found.delimiters.repetition is None


def test_a_bom_and_leading_line_breaks_are_skipped() -> None:
    result = read_x12(b"\xef\xbb\xbf\r\n" + interchange().encode())
    assert not result.all_issues()
    assert result.interchange is not None
    assert result.interchange.control_number == "000000001"


@pytest.mark.parametrize(
    ("old", "new", "note", "field"),
    [
        ("*COSU           *", "*COSU*", InterchangeNote.INVALID_SENDER_ID, "ISA06"),
        ("*CNCUSTOMS      *", "*CNCUSTOMS       *", InterchangeNote.INVALID_RECEIVER_ID, "ISA08"),
        ("*00*          *00", "*00*   *00", InterchangeNote.INVALID_AUTHORIZATION_VALUE, "ISA02"),
        ("*000000001*", "*00001*", InterchangeNote.INVALID_CONTROL_NUMBER, "ISA13"),
        ("*261128*", "*20261128*", InterchangeNote.INVALID_DATE, "ISA09"),
    ],
)
def test_a_wrong_isa_width_is_reported_by_field(
    old: str, new: str, note: InterchangeNote, field: str
) -> None:
    result = read(interchange().replace(old, new, 1))
    assert result.rejected
    assert codes(result.issues) == [("interchange", note.value)]
    assert result.issues[0].text.startswith(f"{field} is ")
    assert "expected 106" in result.issues[0].text
    assert result.groups == ()


@pytest.mark.parametrize(
    ("version", "note"),
    [
        ("00403", InterchangeNote.VERSION_NOT_SUPPORTED),
        ("0040X", InterchangeNote.INVALID_VERSION_ID),
    ],
)
def test_unknown_versions_are_rejected_not_crashed(version: str, note: InterchangeNote) -> None:
    # pyx12 raises "ISA Interchange Control Version Number is unknown" here.
    result = read(interchange().replace("*00401*", f"*{version}*", 1))
    assert result.rejected
    assert codes(result.issues) == [("interchange", note.value)]
    assert result.interchange is not None
    assert result.interchange.version == version


@pytest.mark.parametrize(
    ("old", "new", "note"),
    [
        ("*261128*0930*", "*261328*0930*", InterchangeNote.INVALID_DATE),
        ("*261128*0930*", "*261128*2560*", InterchangeNote.INVALID_TIME),
        ("*000000001*0*P*", "*000000001*2*P*", InterchangeNote.INVALID_ACK_REQUESTED),
        ("*000000001*0*P*", "*000000001*0*X*", InterchangeNote.INVALID_TEST_INDICATOR),
        ("*000000001*", "*00000000A*", InterchangeNote.INVALID_CONTROL_NUMBER),
        ("*P*>~", "*P*A~", InterchangeNote.INVALID_COMPONENT_SEPARATOR),
    ],
)
def test_isa_values_are_checked(old: str, new: str, note: InterchangeNote) -> None:
    result = read(interchange().replace(old, new, 1))
    assert note.value in [i.code for i in result.issues]
    assert result.rejected


def test_an_alphanumeric_terminator_is_refused() -> None:
    result = read(interchange(terminator="X", eol=""))
    assert InterchangeNote.INVALID_SEGMENT_TERMINATOR.value in [i.code for i in result.issues]


@pytest.mark.parametrize("data", [b"", b"hello", b"GS*SO*A*B~"])
def test_data_without_isa_is_answered_not_raised(data: bytes) -> None:
    result = read_x12(data)
    assert result.rejected
    assert result.interchange is None
    assert codes(result.issues) == [("interchange", InterchangeNote.INVALID_CONTROL_STRUCTURE)]


def test_a_truncated_isa_is_a_premature_end() -> None:
    result = read_x12(interchange()[:60].encode())
    assert codes(result.issues) == [("interchange", InterchangeNote.PREMATURE_END.value)]
    assert result.issues[0].level is Level.INTERCHANGE
