"""Structure validation and group-path annotation over the D.96B / D.99B tables."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edi.edifact.directories import GroupEntry, MessageStructure, SegmentEntry
from edi.edifact.directories.elements import (
    _NUMBER,
    DataElementSpec,
    SegmentSpec,
    UnknownSegmentSpecsError,
    numeric_digits,
)
from edi.edifact.errors import SyntaxErrorCode, SyntaxIssue
from edi.edifact.segments import Segment
from edi.edifact.structure import (
    UnknownMessageStructureError,
    annotate,
    load_segment_specs,
    load_structure,
    validate_elements,
    validate_message,
)

FIRST_INDEX = 2  # the UNH follows UNB (index 1) in the interchange


def build(*rows: str | tuple[str, ...]) -> list[Segment]:
    """Segments from tags or (tag, simple values...); index and line count from UNH = 2."""
    segments = []
    for n, row in enumerate(rows):
        tag, *values = (row,) if isinstance(row, str) else row
        elements = tuple(((value,),) for value in values)
        index = FIRST_INDEX + n
        segments.append(Segment(tag, elements, index, line=index, column=1))
    return segments


def item(number: str, *extra: str) -> list[str | tuple[str, ...]]:
    """One customs item (SG30): CST with its own segments, a MOA group and a TAX group."""
    return [
        ("CST", number),
        "FTX",
        "LOC",
        "LOC",
        "MEA",
        "MEA",
        "MOA",  # SG33
        "CUX",  # SG34 inside SG33
        "RFF",  # SG35
        "DTM",
        "DOC",  # SG37
        "TAX",  # SG41
        "MOA",
        "GIS",
        "TAX",  # second SG41 occurrence
        "MOA",
        *extra,
    ]


HEADER: list[str | tuple[str, ...]] = [
    ("UNH", "1"),
    "BGM",
    "CST",
    "LOC",
    "LOC",
    "DTM",
    "GIS",
    "FTX",
    "RFF",  # SG1
    "DTM",
    "RFF",  # second SG1 occurrence: a trigger repeats the group, not the segment
    "TDT",  # SG4
    "NAD",  # SG6
    "RFF",
    "NAD",
    "TOD",  # SG7
    "MOA",  # SG8
    "CUX",  # SG9
    "UNS",
]
TRAILER: list[str | tuple[str, ...]] = ["UNS", "CNT", "TAX", "MOA", ("UNT", "60", "1")]


def valid_cusdec() -> list[Segment]:
    return build(*HEADER, *item("1"), *item("2"), *item("3"), *TRAILER)


@pytest.mark.parametrize("directory", ["D96B", "D99B"])
def test_valid_cusdec_has_no_issues(directory: str) -> None:
    segments = valid_cusdec()
    assert len(segments) >= 60
    assert validate_message(load_structure(directory, "CUSDEC"), segments) == []


def test_lin_group_gis_is_d99b_only() -> None:
    rows: list[str | tuple[str, ...]] = [*HEADER, "DMS", "LIN", "GIR", "GIS", *TRAILER]
    assert validate_message(load_structure("D99B", "CUSDEC"), build(*rows)) == []
    issues = validate_message(load_structure("D96B", "CUSDEC"), build(*rows))
    gis_index = FIRST_INDEX + len(HEADER) + 3  # DMS, LIN, GIR, then GIS
    assert issues == [
        SyntaxIssue(
            SyntaxErrorCode.NOT_SUPPORTED_IN_POSITION,
            "segment GIS is not allowed at this position",
            "GIS",
            gis_index,
            gis_index,
            1,
        )
    ]


def only(issues: list[SyntaxIssue]) -> SyntaxIssue:
    assert len(issues) == 1, issues
    return issues[0]


def test_cusdec_without_items_passes_both_section_controls() -> None:
    # UNS+D then UNS+S: the full first UNS row gives way to the second one.
    segments = build("UNH", "BGM", ("UNS", "D"), ("UNS", "S"), "CNT", "UNT")
    assert validate_message(load_structure("D96B", "CUSDEC"), segments) == []


def test_full_group_gives_way_to_a_later_group_with_the_same_trigger() -> None:
    first = GroupEntry("0020", "SG1", 0, 1, (SegmentEntry("0030", "NAD", 1, 1),))
    second = GroupEntry(
        "0040", "SG2", 0, 5, (SegmentEntry("0050", "NAD", 1, 1), SegmentEntry("0060", "CTA", 0, 1))
    )
    entries = (SegmentEntry("0010", "UNH", 1, 1), first, second, SegmentEntry("0070", "UNT", 1, 1))
    structure = MessageStructure("X", "TEST", "t", "s", entries)
    segments = build("UNH", "NAD", "NAD", "CTA", "NAD", "UNT")
    assert validate_message(structure, segments) == []
    assert [path for _, path in annotate(structure, segments)] == [
        (),
        (("SG1", 1),),
        (("SG2", 1),),
        (("SG2", 1),),
        (("SG2", 2),),
        (),
    ]


def test_missing_mandatory_segment_is_reported_at_the_last_segment_processed() -> None:
    segments = build("UNH", "DTM", "UNS", "UNS", "UNT")
    issue = only(validate_message(load_structure("D96B", "CUSDEC"), segments))
    assert issue.code is SyntaxErrorCode.MISSING
    assert issue.segment_tag == "BGM"
    # ISO 9735 CONTRL: position of the last segment processed before the gap (the UNH).
    assert (issue.segment_index, issue.line, issue.column) == (2, 2, 1)
    assert "mandatory segment BGM missing before DTM" in issue.text


def test_missing_trailer_is_reported_at_end_of_message() -> None:
    segments = build("UNH", "BGM", "UNS", "UNS")
    issue = only(validate_message(load_structure("D96B", "CUSDEC"), segments))
    assert (issue.code, issue.segment_tag, issue.segment_index) == (
        SyntaxErrorCode.MISSING,
        "UNT",
        5,
    )
    assert "at end of message" in issue.text


def test_missing_section_control_before_the_summary() -> None:
    segments = build("UNH", "BGM", "UNS", ("CST", "1"), "FTX", "CNT", "UNT")
    issue = only(validate_message(load_structure("D96B", "CUSDEC"), segments))
    assert (issue.code, issue.segment_tag) == (SyntaxErrorCode.MISSING, "UNS")
    assert issue.segment_index == 6  # the FTX closing the CST group, before CNT


def test_too_many_segment_repetitions_points_at_the_excess_segment() -> None:
    rows = ["UNH", "BGM", *["DTM"] * 16, "UNS", "UNS", "UNT"]
    issue = only(validate_message(load_structure("D96B", "CUSDEC"), build(*rows)))
    assert issue.code is SyntaxErrorCode.TOO_MANY_SEGMENT_REPETITIONS
    assert (issue.segment_tag, issue.segment_index) == ("DTM", FIRST_INDEX + 17)
    assert "at most 15" in issue.text


def test_too_many_group_repetitions_points_at_the_extra_trigger() -> None:
    rows = ["UNH", "BGM", "TOD", "LOC", "TOD", "UNS", "UNS", "UNT"]  # SG7 is C 1
    issue = only(validate_message(load_structure("D96B", "CUSDEC"), build(*rows)))
    assert issue.code is SyntaxErrorCode.TOO_MANY_SEGMENT_GROUP_REPETITIONS
    assert (issue.segment_tag, issue.segment_index) == ("TOD", FIRST_INDEX + 4)
    assert "SG7" in issue.text


def test_segment_out_of_order_is_not_supported_in_this_position() -> None:
    rows = ["UNH", "BGM", "UNS", "DTM", "UNS", "UNT"]  # header DTM after UNS
    issue = only(validate_message(load_structure("D96B", "CUSDEC"), build(*rows)))
    assert (issue.code, issue.segment_tag, issue.segment_index) == (
        SyntaxErrorCode.NOT_SUPPORTED_IN_POSITION,
        "DTM",
        FIRST_INDEX + 3,
    )


def test_unknown_tag_is_reported_and_skipped() -> None:
    rows = ["UNH", "BGM", "ZZZ", "DTM", "UNS", "UNS", "UNT"]
    issue = only(validate_message(load_structure("D96B", "CUSDEC"), build(*rows)))
    assert (issue.code, issue.segment_tag) == (SyntaxErrorCode.NOT_SUPPORTED_IN_POSITION, "ZZZ")
    assert "not part of this message type" in issue.text


def test_several_problems_are_all_reported_in_order() -> None:
    rows = ["UNH", "DTM", "BGM", "TOD", "TOD", "UNS", "UNS"]
    codes = [i.code for i in validate_message(load_structure("D96B", "CUSDEC"), build(*rows))]
    assert codes == [
        SyntaxErrorCode.MISSING,  # BGM before DTM
        SyntaxErrorCode.NOT_SUPPORTED_IN_POSITION,  # the late BGM
        SyntaxErrorCode.TOO_MANY_SEGMENT_GROUP_REPETITIONS,  # second TOD group
        SyntaxErrorCode.MISSING,  # UNT at end
    ]


def _with_mandatory_group() -> MessageStructure:
    group = GroupEntry(
        "0030",
        "SG1",
        1,
        2,
        (SegmentEntry("0040", "NAD", 1, 1), SegmentEntry("0050", "CTA", 1, 1)),
    )
    entries = (SegmentEntry("0010", "UNH", 1, 1), SegmentEntry("0020", "BGM", 1, 1), group)
    return MessageStructure("X", "TEST", "t", "s", (*entries, SegmentEntry("0060", "UNT", 1, 1)))


def test_missing_mandatory_group_names_its_trigger() -> None:
    issue = only(validate_message(_with_mandatory_group(), build("UNH", "BGM", "UNT")))
    assert (issue.code, issue.segment_tag, issue.segment_index) == (
        SyntaxErrorCode.MISSING,
        "NAD",
        FIRST_INDEX + 1,
    )
    assert "segment group SG1" in issue.text


def test_missing_mandatory_segment_inside_a_group() -> None:
    segments = build("UNH", "BGM", "NAD", "CTA", "NAD", "UNT")
    issue = only(validate_message(_with_mandatory_group(), segments))
    assert (issue.code, issue.segment_tag, issue.segment_index) == (
        SyntaxErrorCode.MISSING,
        "CTA",
        FIRST_INDEX + 4,  # the second NAD, last processed before UNT closed its group
    )


def test_annotate_gives_group_and_occurrence_per_segment() -> None:
    segments = valid_cusdec()
    paths = annotate(load_structure("D96B", "CUSDEC"), segments)
    assert [seg for seg, _ in paths] == segments
    by_position = {seg.index - FIRST_INDEX: path for seg, path in paths}
    assert by_position[0] == ()  # UNH
    assert by_position[HEADER.index("RFF")] == (("SG1", 1),)
    assert by_position[HEADER.index("RFF") + 1] == (("SG1", 1),)  # its DTM
    assert by_position[HEADER.index("RFF") + 2] == (("SG1", 2),)
    assert by_position[HEADER.index("CUX")] == (("SG8", 1), ("SG9", 1))
    second_item = len(HEADER) + len(item("1"))
    cst = segments[second_item]
    assert (cst.tag, cst.get(0)) == ("CST", "2")
    assert by_position[second_item] == (("SG30", 2),)
    tax_groups = [path for seg, path in paths if seg.tag == "TAX"]
    assert tax_groups[:3] == [
        (("SG30", 1), ("SG41", 1)),
        (("SG30", 1), ("SG41", 2)),
        (("SG30", 2), ("SG41", 1)),
    ]
    assert tax_groups[-1] == (("SG49", 1),)  # the summary TAX group


def test_items_are_recoverable_from_the_paths() -> None:
    paths = annotate(load_structure("D99B", "CUSDEC"), valid_cusdec())
    items: dict[int, list[str]] = {}
    for segment, path in paths:
        if path and path[0][0] == "SG30":
            items.setdefault(path[0][1], []).append(segment.tag)
    assert sorted(items) == [1, 2, 3]
    assert all(tags[0] == "CST" and len(tags) == len(item("1")) for tags in items.values())


def test_load_structure_is_cached() -> None:
    assert load_structure("D96B", "CUSRES") is load_structure("D96B", "CUSRES")


def test_unknown_message_type_becomes_a_contrl_issue_on_s009() -> None:
    with pytest.raises(UnknownMessageStructureError) as caught:
        load_structure("D96B", "INVOIC")
    unh = Segment("UNH", ((("1",),), (("INVOIC",),)), 2, 2, 1, ((2, 5), (2, 7)))
    issue = caught.value.issue(unh)
    assert issue.code is SyntaxErrorCode.VALUE_NOT_SUPPORTED_IN_POSITION
    assert (issue.segment_tag, issue.segment_index, issue.element, issue.component) == (
        "UNH",
        2,
        2,
        1,
    )
    assert (issue.line, issue.column) == (2, 7)


def test_known_type_in_unknown_directory_points_at_the_release() -> None:
    with pytest.raises(UnknownMessageStructureError) as caught:
        load_structure("D01B", "CUSDEC")
    assert caught.value.issue().component == 3
    assert caught.value.code == "edifact_unknown_message"


# --- data element checks against the segment specifications ----------------------------


def seg(text: str, index: int = 5) -> Segment:
    """A segment from ``TAG+a:b+c`` text (no release characters), elements at column 10*n."""
    tag, *raw = text.split("+")
    elements = tuple((tuple(part.split(":")),) for part in raw)
    positions = tuple((index, 10 * (n + 1)) for n in range(len(raw)))
    return Segment(tag, elements, index, index, 1, positions)


def element_issues(directory: str, *texts: str) -> list[tuple[int, str, int | None, int | None]]:
    specs = load_segment_specs(directory)
    issues = validate_elements(specs, [seg(text) for text in texts])
    return [(int(i.code), i.segment_tag or "", i.element, i.component) for i in issues]


@pytest.mark.parametrize("directory", ["D96B", "D99B"])
def test_well_formed_segments_pass_the_element_checks(directory: str) -> None:
    texts = [
        "BGM+929+BRK-0042+9",
        "DTM+137:202611281030:203",
        "CST+1+8471300000:122:ZZZ+A",
        "MOA+39:-1234567890123456.78:CNY",
        "LOC+27+CNSHA:139:6",
        "NAD+CN+91310000MA1FL0XX2X::5",
        "UNS+D",
        "ERC+LIC001",
        "FTX+AAO+++Import licence missing",
    ]
    assert element_issues(directory, *texts) == []


def test_too_many_constituents() -> None:
    assert element_issues("D96B", "BGM+929+1+9+AB+X", "DTM+137:2026:102:X", "BGM+929+1+9:1") == [
        (16, "BGM", 5, None),  # a fifth data element
        (16, "DTM", 1, 4),  # a fourth component in C507
        (16, "BGM", 3, 2),  # 1225 is simple
    ]


def test_missing_mandatory_element_composite_and_component() -> None:
    assert element_issues("D96B", "LOC++CNSHA", "DTM+:20261128:102", "MOA", "GIS") == [
        (13, "LOC", 1, None),  # 3227
        (13, "DTM", 1, 1),  # C507/2005
        (13, "MOA", 1, None),  # C516
        (13, "GIS", 1, None),  # C529
    ]


def test_length_and_numeric_checks() -> None:
    assert element_issues(
        "D96B",
        "RFF+ABE:" + "X" * 36,
        "MOA+39:12345678901234567890:CNY",
        "MOA+39:12A:CNY",
        "UNS+DS",
    ) == [
        (39, "RFF", 1, 2),
        (39, "MOA", 1, 2),  # 20 digits in n..18
        (37, "MOA", 1, 2),
        (39, "UNS", 1, None),  # a1
    ]


def test_directories_differ_in_representation() -> None:
    # QTY 6060 is n..15 in D.96B and an..35 in D.99B.
    assert element_issues("D96B", "QTY+47:12 PCS") == [(37, "QTY", 1, 2)]
    assert element_issues("D99B", "QTY+47:12 PCS") == []


def test_element_issue_points_at_the_element() -> None:
    (issue,) = validate_elements(load_segment_specs("D96B"), [seg("LOC+27+CNSHA:139:6+X+Y+Z+W")])
    assert (issue.segment_index, issue.line, issue.column) == (5, 5, 60)
    assert "at most 5" in issue.text


def test_fixed_length_too_short() -> None:
    spec = SegmentSpec("XYZ", (DataElementSpec("0001", True, False, True, 3),))
    (issue,) = validate_elements({"XYZ": spec}, [seg("XYZ+AB")])
    assert (issue.code, issue.element) == (SyntaxErrorCode.ELEMENT_TOO_SHORT, 1)


@pytest.mark.parametrize("directory", ["D96B", "D99B"])
def test_every_segment_of_cusdec_and_cusres_is_specified(directory: str) -> None:
    specs = load_segment_specs(directory)
    for message in ("CUSDEC", "CUSRES"):
        assert load_structure(directory, message).tags() - {"UNH", "UNT"} <= set(specs)


def test_unknown_directory_has_no_segment_specs() -> None:
    with pytest.raises(UnknownSegmentSpecsError):
        load_segment_specs("D01B")


def test_a_sound_segment_is_checked_once_and_a_faulty_one_every_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from edi.edifact.directories import elements

    checked: list[str] = []
    real = elements._check_segment

    def counting(spec: object, segment: Segment, issues: list[SyntaxIssue]) -> None:
        checked.append(segment.tag)
        real(spec, segment, issues)  # type: ignore[arg-type]

    monkeypatch.setattr(elements, "_check_segment", counting)
    specs = {"LOC": load_segment_specs("D96B")["LOC"]}  # fresh: nothing remembered yet
    sound, faulty = "LOC+27+CNSHA:139:6", "LOC+27+CNSHA:139:6+X+Y+Z+W"
    first = validate_elements(specs, [seg(sound, 5), seg(faulty, 6)])
    again = validate_elements(specs, [seg(sound, 9), seg(faulty, 10), seg(faulty, 11)])
    assert checked == ["LOC", "LOC", "LOC", "LOC"]  # the sound one once, the faulty one thrice
    assert [i.segment_index for i in first] == [6]
    assert [i.segment_index for i in again] == [10, 11]  # each at its own position


def test_a_sound_tag_sequence_is_walked_once_and_a_faulty_one_every_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from edi.edifact import structure as module

    walked: list[int] = []
    real = module._Walk.run

    def counting(self: object, segments: list[Segment], paths: object) -> None:
        walked.append(len(segments))
        real(self, segments, paths)  # type: ignore[arg-type]

    monkeypatch.setattr(module._Walk, "run", counting)
    structure = _with_mandatory_group()  # fresh: nothing remembered yet
    sound = ["UNH", "BGM", "NAD", "CTA", "UNT"]
    faulty = ["UNH", "BGM", "UNT"]
    assert validate_message(structure, build(*sound)) == []
    assert validate_message(structure, build(*sound)) == []
    first = only(validate_message(structure, build(*faulty)))
    again = only(validate_message(structure, build(*faulty)))
    assert walked == [5, 3, 3]  # the sound sequence once, the faulty one each time
    assert first == again


@given(st.text(alphabet="-.,0123456789\n٣²a ", max_size=12))
def test_numeric_digits_count_what_isdigit_counts(value: str) -> None:
    # The digits of a number the element check accepted, counted from its shape, against
    # the character-by-character count they replace (ISO 9735: sign and mark not counted).
    if _NUMBER.match(value):
        assert numeric_digits(value) == sum(char.isdigit() for char in value)
