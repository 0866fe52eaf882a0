"""Tokenizer: service characters, release, whitespace, repertoires, positions, chunking."""

from __future__ import annotations

import io

import pytest

from edi.edifact import tokenizer as tokenizer_module
from edi.edifact.errors import EdifactError, SyntaxErrorCode
from edi.edifact.segments import Delimiters, Segment
from edi.edifact.tokenizer import Tokenizer, tokenize

UNB3 = "UNB+UNOC:3+SENDER:ZZZ+RECIPIENT:ZZZ+240101:1200+REF1'"
UNB4 = "UNB+UNOC:4+SENDER:ZZZ+RECIPIENT:ZZZ+20240101:1200+REF1'"


def segs(data: str | bytes, chunk_size: int = 1 << 20) -> list[Segment]:
    raw = data.encode("latin-1") if isinstance(data, str) else data
    return list(tokenize(raw, chunk_size=chunk_size))


def values(data: str | bytes) -> list[tuple[str, tuple[tuple[tuple[str, ...], ...], ...]]]:
    return [(s.tag, s.elements) for s in segs(data)]


def error_of(data: str | bytes) -> EdifactError:
    with pytest.raises(EdifactError) as info:
        segs(data)
    return info.value


# --- service characters ---------------------------------------------------------------


def test_una_sets_service_characters_by_position() -> None:
    # component | element ^ decimal , release \ repetition ~ terminator !
    data = "UNA|^,\\~!UNB^UNOC|4^S^R^20240101|1200^REF1!RFF^A|1~B|2^x\\^y\\!z\\\\!"
    t = Tokenizer(data.encode())
    result = list(t)
    assert t.delimiters == Delimiters("|", "^", ",", "\\", "~", "!")
    assert result[1].tag == "RFF"
    assert result[1].elements == ((("A", "1"), ("B", "2")), (("x^y!z\\",),))


def test_una_space_means_no_release_and_no_repetition() -> None:
    data = "UNA:+.  'UNB+UNOC:4+S+R+20240101:1200+R'FTX+a?b*c'"
    t = Tokenizer(data.encode())
    result = list(t)
    assert t.delimiters is not None
    assert (t.delimiters.release, t.delimiters.repetition) == (None, None)
    assert result[1].elements == ((("a?b*c",),),)


def test_una_repetition_position_is_ignored_before_syntax_4() -> None:
    data = "UNA:+.?*'" + UNB3 + "RFF+A*B'"
    t = Tokenizer(data.encode())
    assert [s.elements for s in t][1] == ((("A*B",),),)
    assert t.delimiters is not None
    assert t.delimiters.repetition is None


def test_defaults_without_una_syntax_3_and_4() -> None:
    assert values(UNB3 + "RFF+A:1*B'")[1] == ("RFF", ((("A", "1*B"),),))
    assert values(UNB4 + "RFF+A:1*B:2'")[1] == ("RFF", ((("A", "1"), ("B", "2")),))
    t = Tokenizer(UNB4.encode())
    list(t)
    assert t.delimiters == Delimiters(repetition="*")
    assert t.syntax_version == 4
    assert t.charset is not None
    assert t.charset.identifier == "UNOC"


def test_level_b_defaults_are_the_information_separators() -> None:
    data = "UNB\x1dUNOB\x1f3\x1dS\x1dR\x1d240101\x1f1200\x1dR\x1cNAD\x1dIM\x1fa?b\x1c"
    result = values(data)
    assert result[0][1][0] == (("UNOB", "3"),)
    assert result[1] == ("NAD", ((("IM", "a?b"),),))  # no release character in level B


def test_repetition_with_components_and_released_repetition() -> None:
    data = "UNA:+.?*'" + UNB4 + "RFF+A:1*B:2*?*C+x'"
    assert values(data)[1] == ("RFF", ((("A", "1"), ("B", "2"), ("*C",)), (("x",),)))


# --- release character ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("escaped", "value"),
    [
        ("?'", "'"),
        ("?+", "+"),
        ("?:", ":"),
        ("??", "?"),
        ("?*", "*"),
        ("?.", "."),
        ("?a", "a"),
        ("? ", " "),
        ("?\n", "\n"),
        ("?\r?\n", "\r\n"),
        ("???'", "?'"),
        ("????", "??"),
    ],
)
def test_release_before_any_character(escaped: str, value: str) -> None:
    data = "UNA:+.?*'" + UNB4 + f"FTX+AAA+++x{escaped}y:z'UNZ+1+REF1'"
    result = values(data)
    assert result[1] == ("FTX", ((("AAA",),), (("",),), (("",),), ((f"x{value}y", "z"),)))
    assert result[2][0] == "UNZ"


def test_released_release_before_terminator_ends_the_segment() -> None:
    assert values(UNB3 + "FTX+a??'UNZ+1'")[1:] == [("FTX", ((("a?",),),)), ("UNZ", ((("1",),),))]


def test_release_in_tag_is_removed() -> None:
    assert values(UNB3 + "F?TX+a'")[1][0] == "FTX"


def test_release_at_end_of_data_is_an_error() -> None:
    err = error_of(UNB3 + "\nFTX+abc?")
    assert err.issue.code == SyntaxErrorCode.INVALID_SERVICE_CHARACTER_USE
    assert (err.issue.segment_tag, err.issue.segment_index) == ("FTX", 2)
    assert (err.issue.line, err.issue.column) == (2, 8)


def test_released_una_text_without_una_is_data() -> None:
    data = UNB3 + "FTX+AAA+++see ?'UNA:+.? 'UNH+1+CUSDEC'"
    result = values(data)
    assert result[1][1][3:] == ((("see 'UNA", ""),), ((". ",),))  # "? " is a released space
    assert result[2][0] == "UNH"


# --- whitespace ----------------------------------------------------------------------


def test_whitespace_between_segments_is_not_data() -> None:
    data = "\r\n UNA:+.? '\r\n\t" + UNB3 + "\r\n    UNH+1+X'\n\n\tBGM+220+ 1 '  \r\n"
    result = segs(data)
    assert [(s.tag, s.line, s.column) for s in result] == [
        ("UNB", 3, 2),
        ("UNH", 4, 5),
        ("BGM", 6, 2),
    ]
    assert result[2].elements == ((("220",),), ((" 1 ",),))  # spaces inside a segment are data


def test_missing_final_terminator_is_tolerated() -> None:
    result = values(UNB3 + "UNH+1+X'UNZ+1+REF1")
    assert result[-1] == ("UNZ", ((("1",),), (("REF1",),)))
    assert values(UNB3 + "UNZ+1+REF1'\n\n  ")[-1][0] == "UNZ"


def test_empty_segment_is_yielded_with_empty_tag() -> None:
    assert [s.tag for s in segs(UNB3 + "UNH+1'' 'UNT+1'")] == ["UNB", "UNH", "", "", "UNT"]


def test_newline_as_segment_terminator() -> None:
    data = "UNA:+.? \n" + UNB3[:-1] + "\nUNH+1+X\nFTX+a?\nb\nUNT+3+1\n"
    result = segs(data)
    assert [(s.tag, s.line) for s in result] == [("UNB", 2), ("UNH", 3), ("FTX", 4), ("UNT", 6)]
    assert result[2].elements == ((("a\nb",),),)


# --- positions -----------------------------------------------------------------------


def test_segment_and_element_positions() -> None:
    data = "UNA:+.? '\n" + UNB3 + "\n  NAD+IM+123::9++Name?+Co'FTX+A+b?\nc+d'\nUNT+4+1'"
    result = segs(data)
    unb, nad, ftx, unt = result
    assert (unb.index, unb.line, unb.column) == (1, 2, 1)
    assert unb.element_positions[:2] == ((2, 5), (2, 12))
    assert (nad.index, nad.line, nad.column) == (2, 3, 3)
    assert nad.element_positions == ((3, 7), (3, 10), (3, 17), (3, 18))
    assert (ftx.line, ftx.column) == (3, 27)
    assert ftx.element_positions == ((3, 31), (3, 33), (4, 3))  # after a released newline
    assert (unt.index, unt.line, unt.column, unt.element_positions) == (4, 5, 1, ((5, 5), (5, 7)))
    assert nad.position_of(1) == (3, 10)


def test_positions_count_characters_not_bytes() -> None:
    data = ("UNB+UNOW:4+S+R+20240101:1200+R'FTX+中文+x'").encode()
    ftx = segs(data)[1]
    assert ftx.element_positions == ((1, 36), (1, 39))


def test_fast_segments_equal_constructed_ones() -> None:
    unh = segs(UNB3 + "UNH+1+CUSDEC:D:96B:UN'")[1]
    expected = Segment(
        "UNH", ((("1",),), (("CUSDEC", "D", "96B", "UN"),)), 2, 1, 54, ((1, 58), (1, 60))
    )
    assert unh == expected
    assert hash(unh) == hash(expected)
    assert type(unh) is Segment and unh.index == 2  # the field, not tuple.index()
    with pytest.raises(AttributeError):
        unh.tag = "UNT"  # type: ignore[misc]  # segments stay immutable


def test_release_characters_in_a_later_chunk_only() -> None:
    # The first chunk holds no release character (read without looking for one), the second
    # releases a terminator and a separator: both chunks must read as one text does.
    data = UNB3 + "UNH+1+X'" + "FTX+AAA" * 40 + "'FTX+a?'b+c?+d'UNT+4+1'"
    whole = segs(data)
    for size in (60, 97, 200):
        assert segs(data, chunk_size=size) == whole
    assert whole[-2].elements == ((("a'b",),), (("c+d",),))


# --- character sets ------------------------------------------------------------------


def test_unoa_rejects_lower_case_with_position() -> None:
    err = error_of("UNB+UNOA:3+S+R+240101:1200+R'\nUNH+1+X'\nFTX+AAA+++Hello'")
    issue = err.issue
    assert issue.code == SyntaxErrorCode.INVALID_CHARACTERS
    assert (issue.segment_tag, issue.segment_index, issue.line, issue.column) == ("FTX", 3, 3, 12)


def test_unoa_accepts_its_repertoire_and_unob_lower_case() -> None:
    text = "ABC XYZ 0123 .,-()/=!\"%&*;<>?'?+?:"
    assert values(f"UNB+UNOA:3+S+R+240101:1200+R'FTX+{text}'")[1][1][0][0][0] == text[:-6] + "'+:"
    assert values("UNB+UNOB:3+S+R+240101:1200+R'FTX+abc xyz'")[1][1][0] == (("abc xyz",),)


@pytest.mark.parametrize("char", ["@", "#", "[", "{", "~", "_", "\t"])
def test_unob_rejects_characters_outside_level_b(char: str) -> None:
    err = error_of(f"UNB+UNOB:3+S+R+240101:1200+R'FTX+ab{char}'")
    assert err.issue.code == SyntaxErrorCode.INVALID_CHARACTERS
    assert (err.issue.line, err.issue.column) == (1, 36)


def test_unoa_byte_above_ascii_is_invalid_character() -> None:
    err = error_of(b"UNB+UNOA:3+S+R+240101:1200+R'\nFTX+A\xc4B'")
    assert err.issue.code == SyntaxErrorCode.INVALID_CHARACTERS
    assert (err.issue.line, err.issue.column) == (2, 6)


@pytest.mark.parametrize(
    ("syntax", "codec", "text"),
    [
        ("UNOC", "iso8859-1", "Müller & Söhne, Besançon"),
        ("UNOD", "iso8859-2", "Łódź, Plzeň"),
        ("UNOE", "iso8859-5", "Москва, ООО Ромашка"),
        ("UNOF", "iso8859-7", "Αθήνα"),
        ("UNOW", "utf-8", "上海进出口贸易有限公司 Müller"),
        ("UNOY", "utf-8", "深圳市华南电子科技有限公司 😀"),
    ],
)
def test_character_sets_decode(syntax: str, codec: str, text: str) -> None:
    data = f"UNB+{syntax}:4+S+R+20240101:1200+R'NAD+IM+++{text}:x'".encode(codec)
    for size in (1, 2, 3, 1 << 20):  # multi-byte characters split across chunks
        assert segs(data, size)[1].elements[3] == ((text, "x"),)


def test_invalid_utf8_is_reported_with_position() -> None:
    data = "UNB+UNOW:4+S+R+20240101:1200+R'\nFTX+中".encode() + b"\xff\xfe'"
    for size in (1, 4, 1 << 20):
        with pytest.raises(EdifactError) as info:
            segs(data, size)
        assert info.value.issue.code == SyntaxErrorCode.INVALID_CHARACTERS
        assert (info.value.issue.line, info.value.issue.column) == (2, 6)


def test_utf8_bom_is_skipped() -> None:
    data = b"\xef\xbb\xbf" + "UNB+UNOW:4+S+R+20240101:1200+R'FTX+é'".encode()
    result = segs(data)
    assert (result[0].line, result[0].column) == (1, 1)
    assert result[1].elements == ((("é",),),)


def test_unknown_character_set_yields_unb_then_stops() -> None:
    it = tokenize(b"UNB+UNOZ:3+S+R+240101:1200+R'UNH+1+X'")
    assert next(it).tag == "UNB"
    with pytest.raises(EdifactError) as info:
        next(it)
    assert info.value.issue.code == SyntaxErrorCode.CHARACTER_SET_NOT_SUPPORTED
    assert (info.value.issue.segment_tag, info.value.issue.element) == ("UNB", 1)


# --- errors that stop reading ----------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "code", "position"),
    [
        ("", SyntaxErrorCode.MISSING, (1, 1)),
        ("\n\n  UNH+1+X'", SyntaxErrorCode.MISSING, (3, 3)),
        ("UNA:+.? 'UNH+1'", SyntaxErrorCode.MISSING, (1, 10)),
        ("UNA:+", SyntaxErrorCode.INVALID_SERVICE_CHARACTERS, (1, 1)),
        ("UNA:+:? 'UNB+UNOC:3'", SyntaxErrorCode.INVALID_SERVICE_CHARACTERS, (1, 1)),
        ("UNA ++? 'UNB+UNOC:3'", SyntaxErrorCode.INVALID_SERVICE_CHARACTERS, (1, 1)),
        ("UNB:UNOC:3'", SyntaxErrorCode.INVALID_SERVICE_CHARACTER_USE, (1, 4)),
    ],
)
def test_unreadable_heads(data: str, code: SyntaxErrorCode, position: tuple[int, int]) -> None:
    issue = error_of(data).issue
    assert issue.code == code
    assert (issue.line, issue.column) == position


def test_runaway_segment_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokenizer_module, "MAX_SEGMENT_CHARS", 100)
    data = UNB3 + "FTX+" + "A" * 500
    with pytest.raises(EdifactError) as info:
        segs(data, chunk_size=64)
    assert info.value.issue.code == SyntaxErrorCode.UNSPECIFIED


def test_head_is_unknown_before_iteration() -> None:
    t = Tokenizer(UNB3.encode())
    assert (t.delimiters, t.charset, t.syntax_version) == (None, None, None)


# --- chunking ------------------------------------------------------------------------

SAMPLE = (
    "\ufeffUNA:+.?*'\r\n"
    "UNB+UNOW:4+SENDER:ZZZ+RECIPIENT:ZZZ+20240101:1200+REF1'\r\n"
    "  UNH+1+CUSDEC:D:96B:UN'\r\n"
    "  NAD+IM+++上海进出口贸易有限公司?+Co?'s:Müller???+x?\ny'\r\n"
    "  RFF+A:1*B:2*?*C'FTX+AAA+++a?:b?\r\nc'\n"
    "\tUNT+5+1'\r\nUNZ+1+REF1"
).encode()


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 7, 11, 16, 29, 64])
def test_tiny_chunks_give_the_same_segments(size: int) -> None:
    whole = list(tokenize(SAMPLE))
    assert len(whole) == 7
    assert whole[2].elements[3] == (("上海进出口贸易有限公司+Co's", "Müller?+x\ny"),)
    assert list(tokenize(SAMPLE, chunk_size=size)) == whole
    assert list(tokenize(io.BytesIO(SAMPLE), chunk_size=size)) == whole


@pytest.mark.parametrize("skip_before", [2, 3, 4, 5, 9])
@pytest.mark.parametrize("chunk_size", [3, 1 << 20])
def test_segments_passed_over_keep_the_positions_of_the_rest(
    skip_before: int, chunk_size: int
) -> None:
    # A second read passes over what a first read kept; UNB is always read, and what comes
    # after the passed-over segments is what a whole read gives, positions included (a
    # released line break inside a passed-over segment is a line, too).
    text = "\nUNH+1+CUSDEC:D:96B:UN'\n  FTX+AAA+++A?\nB'\r\nLOC+27+VN'DTM+137'\nUNT+5+1'"
    data = (UNB3 + text).encode()
    whole = segs(data, chunk_size)
    read = list(Tokenizer(data, chunk_size=chunk_size, skip_before=skip_before))
    assert read == [whole[0], *whole[skip_before - 1 :]]
    assert [s.element_positions for s in read] == [
        s.element_positions for s in [whole[0], *whole[skip_before - 1 :]]
    ]


@pytest.mark.parametrize("skip_before", [3, 4])
def test_segments_passed_over_with_newline_terminators(skip_before: int) -> None:
    data = ("UNA:+.? \n" + UNB3[:-1] + "\nUNH+1+X\nFTX+a?\nb\nLOC+1\nUNT+4+1\n").encode()
    whole = segs(data)
    read = list(Tokenizer(data, skip_before=skip_before))
    assert read == [whole[0], *whole[skip_before - 1 :]]
    assert [s.line for s in read] == [s.line for s in [whole[0], *whole[skip_before - 1 :]]]


@pytest.mark.parametrize("skip_before", [3, 4, 6, 8])
@pytest.mark.parametrize("chunk_size", [5, 40, 1 << 20])
@pytest.mark.parametrize("newline_terminator", [False, True])
def test_segments_passed_over_at_once_keep_the_positions_of_the_rest(
    skip_before: int, chunk_size: int, newline_terminator: bool
) -> None:
    # Without a release character the passed-over segments go by at once: line breaks between
    # them (\r\n, blank lines) and, with a newline terminator, the terminators still count.
    if newline_terminator:
        text = (
            "UNA:+.  \n" + UNB3[:-1] + "\nUNH+1+X\nLOC+1\n\nMEA+A\nFTX+a\nDTM+1\nCNT+2\nUNT+7+1\n"
        )
    else:
        text = UNB3 + "\r\nUNH+1+X'\n\nLOC+1'MEA+A'\n  FTX+a'DTM+1'\r\n\r\nCNT+2'UNT+7+1'"
    data = text.encode()
    whole = segs(data, chunk_size)
    read = list(Tokenizer(data, chunk_size=chunk_size, skip_before=skip_before))
    assert read == [whole[0], *whole[skip_before - 1 :]]
    assert [(s.line, s.column, s.element_positions) for s in read] == [
        (s.line, s.column, s.element_positions) for s in [whole[0], *whole[skip_before - 1 :]]
    ]


def test_element_positions_of_zero_to_five_elements() -> None:
    # Positions of segments of every element count the tokenizer writes out (1-3) or loops
    # over (0, 4+), against an oracle: the column after each element separator of the line.
    bodies = ["UNS", "UNS+D", "LOC+27+JP", "MEA+AAE+ZDQ+KGM:711", "TOD+++CIF", "A+b+c:d+e+"]
    data = UNB3 + "\n" + "'".join(bodies) + "'"
    read = segs(data)[1:]
    assert [s.tag for s in read] == ["UNS", "UNS", "LOC", "MEA", "TOD", "A"]
    text = data.split("\n")[1]
    offset = 0
    for segment, body in zip(read, bodies, strict=True):
        separators = [i for i, char in enumerate(body) if char == "+"]
        assert segment.element_positions == tuple((2, offset + i + 2) for i in separators)
        offset += len(body) + 1
    assert text.startswith("UNS'UNS+D'")
