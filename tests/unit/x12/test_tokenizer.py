"""Segments with positions, and the pyx12 gaps guarded before pyx12 sees the data."""

from __future__ import annotations

import io

import pytest
from pyx12.x12file import X12Reader

from edi.x12 import AckCode, InterchangeNote, Level, Severity, read_x12
from tests.unit.x12.helpers import BODY_309, codes, interchange, read


def _pyx12_segment_count(text: str) -> int:
    return sum(1 for _ in X12Reader(io.StringIO(text)))


def test_pyx12_alone_drops_everything_after_an_empty_segment() -> None:
    """The gap being guarded (if pyx12 is fixed, this test tells us to revisit the guard)."""
    text = interchange().replace("LX*1~", "~LX*1~")
    assert _pyx12_segment_count(text) == 5  # ISA GS ST M10 P4, then silence


def test_an_empty_segment_is_reported_and_the_rest_is_read() -> None:
    text = interchange([BODY_309, BODY_309]).replace("LX*1~", "~LX*1~", 1)
    result = read(text)
    first, second = result.transaction_sets
    empty = [i for i in first.issues if i.code == "empty"]
    assert len(empty) == 1
    issue = empty[0]
    assert (issue.level, issue.severity) == (Level.SEGMENT, Severity.WARNING)
    assert issue.set_position == 3  # right after P4, the set's third segment
    assert issue.line == 6
    assert issue.byte_offset == text.encode().index(b"~LX*1~")
    assert first.status is AckCode.ACCEPTED_WITH_ERRORS
    assert first.manifest is not None
    assert second.status is AckCode.ACCEPTED  # read although it follows the empty segment
    assert result.groups[0].status is AckCode.ACCEPTED_WITH_ERRORS
    assert not result.rejected


@pytest.mark.parametrize("gap", ["~~", "~  ~", "~\r\n~", "~ \n \n~"])
def test_blank_segments_are_empty_segments_too(gap: str) -> None:
    # "~  ~" used to crash pyx12 (IndexError on the stripped line).
    result = read(interchange().replace("LX*1~", "LX*1" + gap, 1))
    assert [i.code for i in result.all_issues() if i.code == "empty"] == ["empty"]
    assert result.transaction_sets[0].manifest is not None


def test_an_empty_segment_outside_any_set_is_an_interchange_warning() -> None:
    result = read(interchange().replace("GE*1*1~", "~GE*1*1~"))
    warning = [i for i in result.issues if i.code == "empty"]
    assert len(warning) == 1
    assert warning[0].severity is Severity.WARNING
    assert not result.rejected


@pytest.mark.parametrize(
    ("terminator", "eol"), [("~", "\r\n"), ("\u00a7", "\r\n"), ("\r", "\n"), ("\n", ""), ("'", "")]
)
def test_terminators_with_trailing_line_breaks(terminator: str, eol: str) -> None:
    result = read(interchange(terminator=terminator, eol=eol))
    assert not result.all_issues(), result.all_issues()
    assert len(result.manifests) == 1


def test_positions_count_bytes_for_a_multi_byte_terminator() -> None:
    text = interchange(terminator="\u00a7", eol="\r\n").replace(
        "SHANGHAI OCEAN FOODS", "上海海洋食品 SHANGHAI OCEAN FOODS"
    )
    raw = text.encode()
    result = read(text)
    segments = result.transaction_sets[0].segments
    vid = next(s for s in segments if s.tag == "VID")
    assert vid.byte_offset == raw.index(b"VID*")  # 2 bytes per section sign, 3 per hanzi
    assert vid.byte_offset != text.index("VID*")
    assert vid.line == text[: text.index("VID*")].count("\n") + 1
    assert result.interchange is not None
    assert result.interchange.encoding == "utf-8"


def test_a_latin1_section_sign_terminator_is_read() -> None:
    raw = interchange(terminator="\u00a7").encode("latin-1")
    result = read_x12(raw)
    assert result.interchange is not None
    assert result.interchange.encoding == "latin-1"
    assert len(result.manifests) == 1


def test_a_missing_final_terminator_is_reported() -> None:
    text = interchange().rstrip("~\n")
    result = read(text)
    assert codes(result.issues) == [("interchange", InterchangeNote.PREMATURE_END.value)]
    assert result.issues[0].segment_tag == "IEA"
    assert len(result.manifests) == 1  # the IEA was still read


def test_leading_spaces_make_an_unrecognized_segment_id() -> None:
    result = read(interchange().replace("LX*1~\n", "LX*1~\n  "))
    issue = next(i for i in result.all_issues() if i.level is Level.SEGMENT)
    assert issue.code == "1"
