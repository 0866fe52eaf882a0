"""Segment (AK3/IK3) and element (AK4/IK4) errors with their positions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from edi.x12 import AckControl, Level, render_997, render_999
from tests.unit.x12.helpers import BODY_309, interchange, read

CONTROL = AckControl(600, 60, 1, datetime(2026, 11, 28, 10, 0, tzinfo=UTC))


def _with(*replacements: tuple[int, str | None], extra: tuple[str, ...] = ()) -> list[str]:
    """BODY_309 with lines replaced (None removes) and ``extra`` appended."""
    body: list[str | None] = list(BODY_309)
    for index, line in replacements:
        body[index] = line
    return [line for line in body if line is not None] + list(extra)


def _segment_issues(body: list[str], version: str = "004010") -> list[tuple[str, str, int]]:
    ts = read(interchange([body], version=version)).transaction_sets[0]
    return [
        (i.code, i.segment_tag or "", i.set_position or 0)
        for i in ts.issues
        if i.level is Level.SEGMENT
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (_with((0, None)), [("3", "M10", 2)]),  # mandatory M10 missing: noticed at P4
        (_with(extra=("ZZZ*1",)), [("6", "ZZZ", 9)]),  # not in the 309 at all
        (_with(extra=("M10*COSU*O*CN**X*V1**A",)), [("7", "M10", 9)]),  # out of sequence
        (_with(extra=("H2*X",)), [("2", "H2", 9)]),  # in the 309, not after an N10
        (_with((2, None), (3, None), (4, None), (5, None), (6, None)), [("3", "LX", 4)]),
        (_with(extra=("m11*X",)), [("1", "m11", 9)]),  # not a segment ID
    ],
)
def test_segment_errors(body: list[str], expected: list[tuple[str, str, int]]) -> None:
    assert _segment_issues(body) == expected


def test_a_loop_over_its_maximum_is_code_4() -> None:
    body = _with(extra=())[:4] + ["N1*SH*A"] * 6
    issues = _segment_issues(body)
    assert issues == [("4", "N1", 11)]  # the sixth N1: 004010 allows five per bill


def test_a_segment_over_its_maximum_is_code_5() -> None:
    body = [*BODY_309[:5], "N3*A", "N3*B", "N3*C"]
    assert _segment_issues(body) == [("5", "N3", 9)]


def test_the_997_carries_ak3_with_the_segment_position() -> None:
    result = read(interchange([_with(extra=("ZZZ*1",))]))
    lines = render_997(result, CONTROL).decode().splitlines()
    assert lines[5:7] == ["AK3*ZZZ*9**6~", "AK5*R*5~"]


@pytest.mark.parametrize(
    ("line", "index", "element", "code", "bad"),
    [
        ("M11**VNSGN*1200*CTN*16650.5*K******COSU", 3, 1, "1", None),  # mandatory missing
        ("M11*6123456780123*VNSGN*1200*CTN*1*K******COSU", 3, 1, "5", "6123456780123"),
        ("M11*6123456780*VNSGN*12A0*CTN*16650.5*K******COSU", 3, 3, "6", "12A0"),
        ("M11*6123456780*VNSGN*1200*CTN*16650.5*X******COSU", 3, 6, "7", "X"),
        ("P4*CNSHA*20261301*1", 1, 2, "8", "20261301"),
        ("P4*CNSHA*20261201*1**2561", 1, 5, "9", "2561"),
        ("M11*6123456780*VNSGN*1200*CTN*16650.5*K******C", 3, 12, "4", "C"),
        ("LX*1*2", 2, 2, "3", "2"),
    ],
)
def test_element_errors(line: str, index: int, element: int, code: str, bad: str | None) -> None:
    result = read(interchange([_with((index, line))]))
    ts = result.transaction_sets[0]
    (issue,) = [i for i in ts.issues if i.level is Level.ELEMENT]
    assert (issue.element, issue.code, issue.bad_value) == (element, code, bad)
    assert issue.set_position == index + 2
    tag = line.split("*")[0]
    lines = render_999(result, CONTROL).decode().splitlines()
    assert f"IK3*{tag}*{index + 2}**8~" in lines
    assert f"IK4*{element}**{code}*{bad or ''}".rstrip("*") + "~" in lines


def test_5010_allows_longer_bill_numbers_than_4010() -> None:
    line = "M11*6123456780123*VNSGN*1200*CTN*16650.5*K******COSU"
    body = _with((3, line))
    for version, errors in (("004010", 1), ("005010", 0)):
        ts = read(interchange([body], version=version)).transaction_sets[0]
        assert len([i for i in ts.issues if i.level is Level.ELEMENT]) == errors


def test_the_5010_repetition_separator_is_applied() -> None:
    body = _with((4, "N1*CN*SHANGHAI^OCEAN"))
    ts = read(interchange([body], version="005010")).transaction_sets[0]
    (issue,) = [i for i in ts.issues if i.level is Level.ELEMENT]
    assert (issue.segment_tag, issue.element, issue.code) == ("N1", 2, "12")


def test_trailing_empty_elements_are_not_too_many() -> None:
    ts = read(interchange([_with((2, "LX*1**"))])).transaction_sets[0]
    assert not ts.syntax_issues
