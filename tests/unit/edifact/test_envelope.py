"""Envelope reader: headers, groups, messages, and every count/reference check."""

from __future__ import annotations

import io

import pytest

from edi.edifact.envelope import EnvelopeReader, Interchange, read_interchange
from edi.edifact.errors import SyntaxErrorCode, SyntaxIssue

E = SyntaxErrorCode
UNB = "UNB+UNOC:3+SENDER:ZZZ+CUSTOMS:ZZZ+240101:1200+ICR1++CUSDEC++++1"


def edi(*segments: str) -> bytes:
    """One segment per line, so that an issue's line is the segment's position + 1."""
    return ("UNA:+.? '\n" + "".join(s + "'\n" for s in segments)).encode("latin-1")


def message(
    ref: str, *body: str, count: int | None = None, trailer_ref: str | None = None
) -> list[str]:
    n = len(body) + 2 if count is None else count
    return [f"UNH+{ref}+CUSDEC:D:96B:UN", *body, f"UNT+{n}+{trailer_ref or ref}"]


def read(*segments: str) -> Interchange:
    return read_interchange(edi(*segments))


def only(issues: tuple[SyntaxIssue, ...] | list[SyntaxIssue]) -> SyntaxIssue:
    assert len(issues) == 1, issues
    return issues[0]


def where(
    issue: SyntaxIssue,
) -> tuple[SyntaxErrorCode, str | None, int | None, int | None, int | None, int | None]:
    return (
        issue.code,
        issue.segment_tag,
        issue.segment_index,
        issue.line,
        issue.column,
        issue.element,
    )


# --- valid interchanges ----------------------------------------------------------------------


def test_valid_interchange_with_several_messages() -> None:
    ic = read(
        UNB, *message("1", "BGM+929+A1+9"), *message("2", "BGM+929+A2+9", "UNS+D"), "UNZ+2+ICR1"
    )
    assert ic.ok
    assert ic.complete
    header = ic.header
    assert header is not None
    assert (header.syntax_identifier, header.syntax_version) == ("UNOC", "3")
    assert (header.sender_id, header.sender_qualifier) == ("SENDER", "ZZZ")
    assert (header.recipient_id, header.recipient_qualifier) == ("CUSTOMS", "ZZZ")
    assert (header.prepared_date, header.prepared_time) == ("240101", "1200")
    assert (header.control_reference, header.application_reference) == ("ICR1", "CUSDEC")
    assert header.test_indicator
    assert header.delimiters.release == "?"
    first, second = ic.messages
    assert (first.reference, first.message_type, first.version, first.release, first.agency) == (
        "1",
        "CUSDEC",
        "D",
        "96B",
        "UN",
    )
    assert [s.tag for s in second.segments] == ["UNH", "BGM", "UNS", "UNT"]
    assert second.group_reference is None
    assert second.position_of(second.segments[2]) == 3
    assert ic.trailer is not None
    assert ic.trailer.tag == "UNZ"


def test_valid_interchange_with_groups() -> None:
    ic = read(
        UNB,
        "UNG+CUSDEC+APP:ZZ+CUST:ZZ+240101:1200+G1+UN+D:96B",
        *message("1"),
        *message("2"),
        "UNE+2+G1",
        "UNG+CUSDEC+APP:ZZ+CUST:ZZ+240101:1200+G2+UN+D:96B",
        *message("3"),
        "UNE+1+G2",
        "UNZ+2+ICR1",
    )
    assert ic.ok, ic.all_issues
    assert [(g.header.reference, g.message_count, g.header.group_id) for g in ic.groups] == [
        ("G1", 2, "CUSDEC"),
        ("G2", 1, "CUSDEC"),
    ]
    assert ic.groups[0].header.application_sender == "APP"
    assert [m.group_reference for m in ic.messages] == ["G1", "G1", "G2"]


def test_messages_stream_one_by_one_from_a_file() -> None:
    body = [s for n in range(200) for s in message(str(n), "FTX+AAA+++" + "X" * 50)]
    source = io.BytesIO(edi(UNB, *body, "UNZ+200+ICR1"))
    reader = EnvelopeReader(source, chunk_size=256)
    first = next(iter(reader))
    assert first.reference == "0"
    assert source.tell() < 2048  # only the first chunks were read
    with pytest.raises(RuntimeError):  # a one-shot stream
        iter(reader)


def test_reading_to_the_end_collects_everything_in_order() -> None:
    body = [s for n in range(50) for s in message(str(n))]
    reader = EnvelopeReader(edi(UNB, *body, "UNZ+50+ICR1"), chunk_size=64)
    assert [m.reference for m in reader] == [str(n) for n in range(50)]
    assert reader.complete
    assert not reader.issues
    assert reader.message_count == 50


# --- UNT ---------------------------------------------------------------------------------------


def test_unt_count_mismatch_belongs_to_the_message() -> None:
    ic = read(UNB, *message("1", "BGM+929", count=5), *message("2"), "UNZ+2+ICR1")
    bad, good = ic.messages
    assert where(only(bad.issues)) == (E.CONTROL_COUNT_MISMATCH, "UNT", 4, 5, 5, 1)
    assert good.issues == ()
    assert ic.issues == ()


def test_unt_reference_mismatch() -> None:
    ic = read(UNB, *message("1", trailer_ref="9"), "UNZ+1+ICR1")
    assert where(only(ic.messages[0].issues)) == (E.REFERENCES_DO_NOT_MATCH, "UNT", 3, 4, 7, 2)


def test_unt_count_not_a_number_or_missing() -> None:
    assert (
        only(read(UNB, "UNH+1+X", "UNT+two+1", "UNZ+1+ICR1").messages[0].issues).code
        == E.INVALID_VALUE
    )
    assert only(read(UNB, "UNH+1+X", "UNT++1", "UNZ+1+ICR1").messages[0].issues).code == E.MISSING


def test_missing_unt_before_next_unh() -> None:
    ic = read(UNB, "UNH+1+X", "BGM+929", *message("2"), "UNZ+2+ICR1")
    first, second = ic.messages
    assert where(only(first.issues)) == (E.MISSING, "UNT", 4, 5, 1, None)
    assert [s.tag for s in first.segments] == ["UNH", "BGM"]
    assert second.issues == ()


def test_missing_unt_before_unz_and_at_end_of_data() -> None:
    ic = read(UNB, "UNH+1+X", "UNZ+1+ICR1")
    assert where(only(ic.messages[0].issues))[:3] == (E.MISSING, "UNT", 3)
    ic = read(UNB, "UNH+1+X", "BGM+1")
    assert where(only(ic.messages[0].issues)) == (E.MISSING, "UNT", 4, 4, 1, None)
    assert [i.code for i in ic.issues] == [E.MISSING]  # and UNZ


def test_duplicate_message_reference() -> None:
    ic = read(UNB, *message("7"), *message("7"), "UNZ+2+ICR1")
    assert ic.messages[0].issues == ()
    assert where(only(ic.messages[1].issues)) == (E.DUPLICATE_DETECTED, "UNH", 4, 5, 5, 1)


# --- UNZ ---------------------------------------------------------------------------------------


def test_unz_count_mismatch_and_reference_mismatch() -> None:
    ic = read(UNB, *message("1"), "UNZ+3+OTHER")
    count, reference = ic.issues
    assert where(count) == (E.CONTROL_COUNT_MISMATCH, "UNZ", 4, 5, 5, 1)
    assert where(reference) == (E.REFERENCES_DO_NOT_MATCH, "UNZ", 4, 5, 7, 2)
    assert ic.messages[0].issues == ()


def test_unz_counts_groups_when_groups_are_used() -> None:
    group = ["UNG+CUSDEC+A+B+240101:1200+G1+UN+D:96B", *message("1"), *message("2"), "UNE+2+G1"]
    assert read(UNB, *group, "UNZ+1+ICR1").ok
    assert only(read(UNB, *group, "UNZ+2+ICR1").issues).code == E.CONTROL_COUNT_MISMATCH


def test_missing_unz() -> None:
    ic = read(UNB, *message("1"))
    assert where(only(ic.issues)) == (E.MISSING, "UNZ", 4, 4, 1, None)
    assert ic.complete
    assert not ic.ok


def test_empty_interchange() -> None:
    ic = read(UNB, "UNZ+0+ICR1")
    assert where(only(ic.issues)) == (E.LOWER_LEVEL_EMPTY, "UNZ", 2, 3, 1, None)


def test_data_after_unz_is_reported_once() -> None:
    ic = read(UNB, *message("1"), "UNZ+1+ICR1", "UNH+2+X", "UNT+2+2")
    assert where(only(ic.issues)) == (E.INVALID_OCCURRENCE_OUTSIDE_MESSAGE, "UNH", 5, 6, 1, None)
    assert len(ic.messages) == 1


# --- groups ------------------------------------------------------------------------------------


def test_une_count_and_reference_mismatch_belong_to_the_group() -> None:
    ic = read(
        UNB, "UNG+CUSDEC+A+B+240101:1200+G1+UN+D:96B", *message("1"), "UNE+4+G9", "UNZ+1+ICR1"
    )
    count, reference = ic.groups[0].issues
    assert where(count) == (E.CONTROL_COUNT_MISMATCH, "UNE", 5, 6, 5, 1)
    assert where(reference) == (E.REFERENCES_DO_NOT_MATCH, "UNE", 5, 6, 7, 2)
    assert ic.issues == ()
    assert ic.messages[0].issues == ()


def test_missing_une_and_empty_group() -> None:
    ic = read(UNB, "UNG+CUSDEC+A+B+240101:1200+G1", *message("1"), "UNZ+1+ICR1")
    assert where(only(ic.groups[0].issues)) == (E.MISSING, "UNE", 5, 6, 1, None)
    assert ic.groups[0].trailer is None
    ic = read(UNB, "UNG+CUSDEC+A+B+240101:1200+G1", "UNE+0+G1", "UNZ+1+ICR1")
    assert where(only(ic.groups[0].issues)) == (E.LOWER_LEVEL_EMPTY, "UNE", 3, 4, 1, None)


def test_une_without_ung_and_duplicate_group_reference() -> None:
    ic = read(UNB, *message("1"), "UNE+1+G1", "UNZ+1+ICR1")
    assert where(only(ic.issues))[:3] == (E.INVALID_OCCURRENCE_OUTSIDE_MESSAGE, "UNE", 4)
    group = ["UNG+CUSDEC+A+B+240101:1200+G1", *message("1"), "UNE+1+G1"]
    ic = read(UNB, *group, *group[:1], *message("2"), "UNE+1+G1", "UNZ+2+ICR1")
    assert where(only(ic.groups[1].issues)) == (E.DUPLICATE_DETECTED, "UNG", 6, 7, 28, 5)


@pytest.mark.parametrize("groups_first", [True, False])
def test_groups_and_messages_mixed(groups_first: bool) -> None:
    group = ["UNG+CUSDEC+A+B+240101:1200+G1", *message("1"), "UNE+1+G1"]
    loose = message("2")
    ic = read(UNB, *(group + loose if groups_first else loose + group), "UNZ+2+ICR1")
    mixed = [i for i in ic.issues if i.code == E.GROUPS_AND_MESSAGES_MIXED]
    assert where(only(mixed))[:3] == (
        E.GROUPS_AND_MESSAGES_MIXED,
        "UNH" if groups_first else "UNG",
        6 if groups_first else 4,
    )


# --- segments outside messages, stops ------------------------------------------------------


def test_segments_outside_a_message_are_reported_once_per_run() -> None:
    ic = read(UNB, *message("1"), "BGM+929", "FTX+AAA", *message("2"), "UNT+2+2", "UNZ+2+ICR1")
    first, second = ic.issues
    assert where(first) == (E.INVALID_OCCURRENCE_OUTSIDE_MESSAGE, "BGM", 4, 5, 1, None)
    assert where(second) == (E.INVALID_OCCURRENCE_OUTSIDE_MESSAGE, "UNT", 8, 9, 1, None)
    assert [m.issues for m in ic.messages] == [(), ()]


def test_outside_segment_inside_a_group_belongs_to_the_group() -> None:
    ic = read(
        UNB, "UNG+CUSDEC+A+B+240101:1200+G1", "BGM+1", *message("1"), "UNE+1+G1", "UNZ+1+ICR1"
    )
    assert where(only(ic.groups[0].issues))[:2] == (E.INVALID_OCCURRENCE_OUTSIDE_MESSAGE, "BGM")


def test_empty_segment_inside_a_message() -> None:
    ic = read(UNB, "UNH+1+X", "", "UNT+2+1", "UNZ+1+ICR1")
    assert where(only(ic.messages[0].issues))[:3] == (E.MISSING, "", 3)


def test_missing_unb() -> None:
    ic = read_interchange(b"\nUNH+1+X'UNT+2+1'")
    assert ic.header is None
    assert ic.messages == ()
    assert (only(ic.issues).code, only(ic.issues).line, only(ic.issues).column) == (E.MISSING, 2, 1)
    assert only(read_interchange(b"").issues).code == E.MISSING


def test_unsupported_syntax_version_stops_before_messages() -> None:
    ic = read("UNB+UNOC:5+S+R+240101:1200+ICR1", *message("1"), "UNZ+1+ICR1")
    issue = only(ic.issues)
    assert where(issue) == (E.SYNTAX_VERSION_NOT_SUPPORTED, "UNB", 1, 2, 5, 1)
    assert issue.component == 2
    assert ic.messages == ()
    assert ic.header is not None
    assert not ic.complete


def test_tokenizer_error_stops_reading_and_marks_the_open_message() -> None:
    ic = read_interchange(
        b"UNB+UNOA:3+S+R+240101:1200+ICR1'\nUNH+1+X'\nUNT+2+1'\n"
        b"UNH+2+X'\nFTX+bad'\nUNT+3+2'UNZ+2+ICR1'"
    )
    issue = only(ic.issues)
    assert where(issue) == (E.INVALID_CHARACTERS, "FTX", 5, 5, 5, None)
    assert [m.issues for m in ic.messages] == [(), (issue,)]
    assert not ic.complete


def test_unsupported_character_set_still_reads_the_header() -> None:
    ic = read_interchange(b"UNB+UNOZ:3+S+R+240101:1200+ICR1'UNH+1+X'UNT+2+1'UNZ+1+ICR1'")
    assert ic.header is not None
    assert ic.header.control_reference == "ICR1"
    assert only(ic.issues).code == E.CHARACTER_SET_NOT_SUPPORTED
