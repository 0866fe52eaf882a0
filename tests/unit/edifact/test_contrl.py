"""CONTRL writer: envelope, action codes, positions, S011 and the CONTRL table."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from edi.edifact.contrl import (
    Action,
    ContrlReport,
    GroupReport,
    InterchangeInfo,
    MessageReport,
    Party,
    render_contrl,
)
from edi.edifact.envelope import read_interchange
from edi.edifact.errors import SyntaxErrorCode, SyntaxIssue
from edi.edifact.segments import DEFAULT_DELIMITERS, SYNTAX4_DELIMITERS, Delimiters, Segment
from edi.edifact.structure import annotate, load_structure, validate_message

PREPARED = datetime(2026, 11, 28, 9, 5, tzinfo=UTC)
SUBJECT = InterchangeInfo(
    "UNOC", "3", Party("BROKER01", "ZZ", "DESK7"), Party("CNCUS", "ZZ"), "4711"
)


def read_edifact(text: str, delimiters: Delimiters = DEFAULT_DELIMITERS) -> list[Segment]:
    """A tiny reader for the tests: UNA skipped, release handled, line breaks ignored."""
    if text.startswith("UNA"):
        text = text[9:]
    segments: list[Segment] = []
    elements: list[list[str]] = [[""]]
    position = 0
    while position < len(text):
        char = text[position]
        if char == delimiters.release:
            position += 1
            elements[-1][-1] += text[position]
        elif char == delimiters.component:
            elements[-1].append("")
        elif char == delimiters.element:
            elements.append([""])
        elif char == delimiters.segment:
            tag = elements[0][0]
            data = tuple((tuple(components),) for components in elements[1:])
            index = len(segments) + 1
            segments.append(Segment(tag, data, index, index, 1))
            elements = [[""]]
        elif char != "\n":
            elements[-1][-1] += char
        position += 1
    assert elements == [[""]], "text must end with a segment terminator"
    return segments


def values(segment: Segment) -> list[list[str]]:
    return [list(element[0]) for element in segment.elements]


def render(report: ContrlReport, **kwargs: object) -> str:
    options: dict[str, object] = {
        "our_id": Party("CNCUS", "ZZ"),
        "delimiters": DEFAULT_DELIMITERS,
        "control_reference": "C0001",
        "prepared": PREPARED,
    }
    options.update(kwargs)
    return render_contrl(report, **options)  # type: ignore[arg-type]


def test_clean_interchange_is_acknowledged() -> None:
    report = ContrlReport(SUBJECT, messages=(MessageReport("M1", "CUSDEC", "D", "96B", "UN"),))
    assert render(report) == (
        "UNA:+.? '"
        "UNB+UNOC:3+CNCUS:ZZ+BROKER01:ZZ:DESK7+261128:0905+C0001'"
        "UNH+1+CONTRL:D:3:UN'"
        "UCI+4711+BROKER01:ZZ:DESK7+CNCUS:ZZ+7'"
        "UCM+M1+CUSDEC:D:96B:UN+7'"
        "UNT+4+1'"
        "UNZ+1+C0001'"
    )


def _rejected() -> ContrlReport:
    bad = MessageReport(
        "M2",
        "CUSDEC",
        "D",
        "96B",
        "UN",
        unh_index=10,
        issues=(
            SyntaxIssue(SyntaxErrorCode.MISSING, "BGM missing", "BGM", 10),
            SyntaxIssue(
                SyntaxErrorCode.INVALID_VALUE, "bad date", "DTM", 12, element=1, component=2
            ),
            SyntaxIssue(
                SyntaxErrorCode.ELEMENT_TOO_LONG, "too long", "DTM", 12, element=1, component=3
            ),
            SyntaxIssue(SyntaxErrorCode.NOT_SUPPORTED_IN_POSITION, "where?", "ZZZ", 15),
        ),
    )
    good = MessageReport("M1", "CUSDEC", "D", "96B", "UN", unh_index=2)
    return ContrlReport(SUBJECT, messages=(good, bad))


def test_message_errors_become_ucm_ucs_ucd() -> None:
    segments = read_edifact(render(_rejected()))
    by_tag = [(s.tag, values(s)) for s in segments]
    assert by_tag[2:9] == [
        ("UCI", [["4711"], ["BROKER01", "ZZ", "DESK7"], ["CNCUS", "ZZ"], ["7"]]),
        ("UCM", [["M1"], ["CUSDEC", "D", "96B", "UN"], ["7"]]),
        ("UCM", [["M2"], ["CUSDEC", "D", "96B", "UN"], ["4"]]),
        ("UCS", [["1"], ["13"]]),  # missing BGM: at the UNH, message position 1
        ("UCS", [["3"]]),  # the DTM: element errors only
        # S011/0098 counts the tag as 1: the first data element is 2.
        ("UCD", [["12"], ["2", "2"]]),
        ("UCD", [["39"], ["2", "3"]]),
    ]
    assert by_tag[9] == ("UCS", [["6"], ["15"]])


def test_counts_and_references_close_the_envelope() -> None:
    segments = read_edifact(render(_rejected(), message_reference="77"))
    unh = next(i for i, s in enumerate(segments) if s.tag == "UNH")
    unt = next(i for i, s in enumerate(segments) if s.tag == "UNT")
    assert values(segments[unt]) == [[str(unt - unh + 1)], ["77"]]
    assert values(segments[unh])[0] == ["77"]
    assert values(segments[-1]) == [["1"], ["C0001"]]
    assert values(segments[0])[4] == ["C0001"]


def test_output_follows_the_contrl_segment_table() -> None:
    segments = read_edifact(render(_rejected()))
    message = segments[1:-1]  # UNH .. UNT
    assert validate_message(load_structure("D3", "CONTRL"), message) == []


def test_interchange_level_error_rejects_in_uci() -> None:
    issue = SyntaxIssue(SyntaxErrorCode.CONTROL_COUNT_MISMATCH, "UNZ count", "UNZ", 40, element=1)
    report = ContrlReport(
        SUBJECT,
        interchange_issues=(issue,),
        messages=(MessageReport("M1", "CUSDEC", "D", "96B", "UN", unh_index=2),),
    )
    assert report.action is Action.REJECTED
    segments = read_edifact(render(report))
    assert values(segments[2]) == [
        ["4711"],
        ["BROKER01", "ZZ", "DESK7"],
        ["CNCUS", "ZZ"],
        ["4"],
        ["29"],
        ["UNZ"],
        ["2"],
    ]
    # Lower levels of a rejected interchange are rejected too (action 4).
    assert values(segments[3])[2] == ["4"]


def test_header_and_trailer_errors_go_in_the_ucm() -> None:
    issue = SyntaxIssue(SyntaxErrorCode.CONTROL_COUNT_MISMATCH, "count", "UNT", 30, element=1)
    report = ContrlReport(
        SUBJECT, messages=(MessageReport("M9", "CUSRES", "D", "99B", "UN", "CN", 20, (issue,)),)
    )
    ucm = read_edifact(render(report))[3]
    assert values(ucm) == [
        ["M9"],
        ["CUSRES", "D", "99B", "UN", "CN"],
        ["4"],
        ["29"],
        ["UNT"],
        ["2"],
    ]


def test_receipt_only_answers_8_without_message_level() -> None:
    report = ContrlReport(
        SUBJECT,
        messages=(MessageReport("M1", "CUSDEC", "D", "96B", "UN"),),
        receipt_only=True,
    )
    tags = [s.tag for s in read_edifact(render(report))]
    assert tags == ["UNB", "UNH", "UCI", "UNT", "UNZ"]
    assert values(read_edifact(render(report))[2])[3] == ["8"]


def test_service_characters_in_data_are_released() -> None:
    subject = InterchangeInfo("UNOC", "3", Party("A+B'C", "ZZ"), Party("CN:CUS"), "R?1")
    text = render(ContrlReport(subject))
    assert "UCI+R??1+A?+B?'C:ZZ+CN?:CUS+7'" in text
    uci = read_edifact(text)[2]
    assert values(uci)[:3] == [["R?1"], ["A+B'C", "ZZ"], ["CN:CUS"]]


def test_syntax_4_uses_contrl_4_1_and_long_dates() -> None:
    subject = InterchangeInfo("UNOC", "4", Party("BROKER01"), Party("CNCUS"), "9")
    text = render(ContrlReport(subject), delimiters=SYNTAX4_DELIMITERS, line_breaks=True)
    lines = text.splitlines()
    assert lines[0] == "UNA:+.?*'"
    assert lines[1] == "UNB+UNOC:4+CNCUS:ZZ+BROKER01+20261128:0905+C0001'"
    assert lines[2] == "UNH+1+CONTRL:4:1:UN'"


def test_string_id_is_accepted_for_our_party() -> None:
    text = render(ContrlReport(SUBJECT), our_id="CNCUS")
    assert "UNB+UNOC:3+CNCUS+BROKER01:ZZ:DESK7+" in text


def test_no_release_character_refuses_unwritable_data() -> None:
    subject = InterchangeInfo("UNOA", "3", Party("A+B"), Party("C"), "1")
    plain = Delimiters(release=None)
    with pytest.raises(ValueError, match="service character"):
        render(ContrlReport(subject), delimiters=plain)


def _grouped() -> ContrlReport:
    issue = SyntaxIssue(SyntaxErrorCode.MISSING, "BGM missing", "BGM", 8)
    messages = (
        MessageReport("M1", "CUSDEC", "D", "96B", "UN", unh_index=3),
        MessageReport("M2", "CUSDEC", "D", "96B", "UN", unh_index=8, issues=(issue,)),
    )
    group = GroupReport("G1", Party("BROKERAPP", "ZZ"), Party("CUSTOMSAPP"), (), messages)
    return ContrlReport(SUBJECT, groups=(group,))


def test_functional_groups_get_a_ucf_with_their_messages() -> None:
    segments = read_edifact(render(_grouped()))
    assert [(s.tag, values(s)) for s in segments[3:7]] == [
        ("UCF", [["G1"], ["BROKERAPP", "ZZ"], ["CUSTOMSAPP"], ["7"]]),
        ("UCM", [["M1"], ["CUSDEC", "D", "96B", "UN"], ["7"]]),
        ("UCM", [["M2"], ["CUSDEC", "D", "96B", "UN"], ["4"]]),
        ("UCS", [["1"], ["13"]]),
    ]
    message = segments[1:-1]
    assert validate_message(load_structure("D3", "CONTRL"), message) == []
    paths = [path for seg, path in annotate(load_structure("D3", "CONTRL"), message)]
    assert paths[2:6] == [
        (("SG3", 1),),
        (("SG3", 1), ("SG4", 1)),
        (("SG3", 1), ("SG4", 2)),
        (("SG3", 1), ("SG4", 2), ("SG5", 1)),
    ]


def test_rejected_group_rejects_its_messages() -> None:
    group = _grouped().groups[0]
    bad = GroupReport(
        "G1",
        issues=(SyntaxIssue(SyntaxErrorCode.CONTROL_COUNT_MISMATCH, "n", "UNE", 20, element=1),),
        messages=group.messages,
    )
    segments = read_edifact(render(ContrlReport(SUBJECT, groups=(bad,))))
    assert values(segments[3]) == [["G1"], [""], [""], ["4"], ["29"], ["UNE"], ["2"]]
    assert [values(s)[2] for s in segments if s.tag == "UCM"] == [["4"], ["4"]]


def test_report_from_the_envelope_reader() -> None:
    text = (
        "UNB+UNOC:3+BROKER01:ZZ+CNCUS:ZZ+261128:0900+4711'"
        "UNG+CUSDEC+BROKERAPP+CUSTOMSAPP+261128:0900+G1+UN+D:96B'"
        "UNH+M1+CUSDEC:D:96B:UN'DTM+137:20261128:102'UNS+D'UNS+S'UNT+5+M1'"
        "UNE+1+G1'UNZ+1+4711'"
    )
    interchange = read_interchange(text.encode())
    assert interchange.header is not None
    structure = load_structure("D96B", "CUSDEC")
    (message,) = interchange.messages
    report = MessageReport.from_message(message, *validate_message(structure, message.segments))
    (group,) = interchange.groups
    ack = ContrlReport(
        InterchangeInfo.from_header(interchange.header),
        interchange.issues,
        groups=(GroupReport.from_group(group, (report,)),),
    )
    segments = read_edifact(render(ack))
    assert [(s.tag, values(s)) for s in segments[2:6]] == [
        ("UCI", [["4711"], ["BROKER01", "ZZ"], ["CNCUS", "ZZ"], ["7"]]),
        ("UCF", [["G1"], ["BROKERAPP"], ["CUSTOMSAPP"], ["7"]]),
        ("UCM", [["M1"], ["CUSDEC", "D", "96B", "UN"], ["4"]]),
        ("UCS", [["1"], ["13"]]),  # BGM missing after the UNH
    ]
