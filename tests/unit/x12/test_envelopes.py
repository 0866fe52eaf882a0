"""Envelope errors -> the right level, code and position, and the 997/999 that says so."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from edi.x12 import AckCode, AckControl, Level, render_997, render_999, render_ta1
from edi.x12 import envelope as envelope_module
from tests.unit.x12.helpers import BODY_309, codes, interchange, read

CONTROL = AckControl(500, 50, 1, datetime(2026, 11, 28, 10, 0, tzinfo=UTC))


def _lines(data: bytes) -> list[str]:
    return data.decode().replace("~\n", "\n").splitlines()


def test_se_count_is_code_4_at_the_se() -> None:
    text = interchange(se_counts=[8])
    result = read(text)
    (ts,) = result.transaction_sets
    (issue,) = ts.syntax_issues
    assert (issue.level, issue.code, issue.segment_tag) == (Level.TRANSACTION, "4", "SE")
    assert issue.set_position == 9
    assert issue.line == text.splitlines().index("SE*8*0001~") + 1
    assert ts.status is AckCode.REJECTED
    assert ts.manifest is None
    assert "AK5*R*4" in _lines(render_997(result, CONTROL))
    assert "IK5*R*4" in _lines(render_999(result, CONTROL))


def test_se02_not_matching_st02_is_code_3() -> None:
    result = read(interchange().replace("SE*9*0001~", "SE*9*0002~"))
    assert codes(result.transaction_sets[0].issues) == [("transaction", "3")]


def test_a_duplicate_st02_is_code_23() -> None:
    text = interchange([BODY_309, BODY_309]).replace("ST*309*0002", "ST*309*0001")
    text = text.replace("SE*9*0002", "SE*9*0001")
    first, second = read(text).transaction_sets
    assert first.status is AckCode.ACCEPTED
    assert codes(second.issues) == [("transaction", "23")]


def test_a_missing_se_is_code_2() -> None:
    result = read(interchange().replace("SE*9*0001~\n", ""))
    (ts,) = result.transaction_sets
    assert codes(ts.issues) == [("transaction", "2")]
    assert ts.issues[0].segment_tag == "GE"  # noticed when the GE came
    assert "AK5*R*2" in _lines(render_997(result, CONTROL))


def test_ge_count_is_group_code_5_with_ak9_counts() -> None:
    result = read(interchange(group_count=2))
    (group,) = result.groups
    assert codes(group.issues) == [("group", "5")]
    assert group.status is AckCode.REJECTED
    assert "AK9*R*2*1*1*5" in _lines(render_997(result, CONTROL))


def test_ge02_not_matching_gs06_is_group_code_4() -> None:
    result = read(interchange().replace("GE*1*1~", "GE*1*2~"))
    assert codes(result.groups[0].issues) == [("group", "4")]


def test_a_missing_ge_is_group_code_3() -> None:
    result = read(interchange().replace("GE*1*1~\n", ""))
    assert codes(result.groups[0].issues) == [("group", "3")]
    assert result.groups[0].issues[0].segment_tag == "IEA"


def _two_groups(version: str) -> str:
    text = interchange(version=version)
    head, rest = text.split("GS*", 1)
    group = "GS*" + rest[: rest.index("IEA*")]
    return head + group + group + "IEA*2*000000001~\n"


@pytest.mark.parametrize(
    ("version", "ak9"), [("005010", "AK9*R*1*1*1*19"), ("004010", "AK9*R*1*1*1")]
)
def test_a_duplicate_gs06(version: str, ak9: str) -> None:
    result = read(_two_groups(version))
    first, second = result.groups
    assert not first.issues
    assert codes(second.issues) == [("group", "19")]
    assert _lines(render_997(result, CONTROL)).count(ak9) == 1  # 004010 has no code for it


def test_iea_count_and_control_number_go_to_the_ta1() -> None:
    result = read(interchange().replace("IEA*1*000000001", "IEA*2*000000009"))
    assert codes(result.issues) == [("interchange", "001"), ("interchange", "021")]
    assert result.rejected
    ta1 = _lines(render_ta1(result, CONTROL))
    assert ta1[1] == "TA1*000000001*261128*0930*R*001"
    assert ta1[2] == "IEA*0*000000500"


def test_a_missing_iea_is_023() -> None:
    result = read(interchange().replace("IEA*1*000000001~\n", ""))
    assert codes(result.issues) == [("interchange", "023")]
    assert len(result.manifests) == 1  # the groups are still read and acknowledged


def test_data_after_iea_is_024_once() -> None:
    result = read(interchange() + "ZZZ*1~\nYYY*2~\n")
    assert codes(result.issues) == [("interchange", "024")]
    assert result.issues[0].segment_tag == "ZZZ"


def test_a_segment_outside_a_set_is_024() -> None:
    result = read(interchange().replace("ST*309*0001~", "N9*BN*X~\nST*309*0001~"))
    assert codes(result.issues) == [("interchange", "024")]


def test_an_unsupported_set_is_code_1() -> None:
    result = read(interchange(set_id="850"))
    assert codes(result.transaction_sets[0].issues) == [("transaction", "1")]
    assert "AK5*R*1" in _lines(render_997(result, CONTROL))


def test_an_unsupported_group_version_is_code_2() -> None:
    result = read(interchange(version="003040"))
    assert ("group", "2") in codes(result.groups[0].issues)
    assert any(
        line.startswith("AK9*R*") and line.endswith("*2")
        for line in _lines(render_997(result, CONTROL))
    )


def test_one_bad_set_of_two_is_partial_acceptance() -> None:
    result = read(interchange([BODY_309, BODY_309], se_counts=[None, 3]))
    assert result.groups[0].status is AckCode.PARTIALLY_ACCEPTED
    lines = _lines(render_997(result, CONTROL))
    assert lines[3:9] == [
        "AK1*SO*1",
        "AK2*309*0001",
        "AK5*A",
        "AK2*309*0002",
        "AK5*R*4",
        "AK9*P*2*2*1",
    ]


def test_a_pyx12_failure_is_an_issue_not_an_exception(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        def __init__(self, *_: object) -> None:
            raise RuntimeError("boom")

    monkeypatch.setattr(envelope_module, "X12Reader", Broken)
    result = read(interchange())
    assert codes(result.issues) == [("interchange", "024")]
    assert "boom" in result.issues[0].text
    assert result.rejected
