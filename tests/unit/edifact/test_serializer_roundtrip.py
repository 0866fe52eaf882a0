"""Serializer: escaping, the ``seg`` builder, and serialize → tokenize round trips."""

from __future__ import annotations

import warnings
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edi.edifact.segments import DEFAULT_DELIMITERS, Delimiters, Element
from edi.edifact.serializer import (
    RawSegment,
    SegmentWriter,
    escape,
    repeated,
    seg,
    serialize,
)
from edi.edifact.tokenizer import tokenize

SYNTAX4 = Delimiters(repetition="*")


def read_back(text: str, codec: str = "utf-8") -> list[RawSegment]:
    return [(s.tag, s.elements) for s in tokenize(text.encode(codec))]


def unb(identifier: str, version: str) -> RawSegment:
    return seg("UNB", (identifier, version), "S", "R", ("20240101", "1200"), "REF")


# --- escaping and building ---------------------------------------------------------------


def test_escape_releases_every_service_character() -> None:
    assert escape("a?b'c+d:e*f.g", SYNTAX4) == "a??b?'c?+d?:e?*f.g"
    assert escape("a*b", DEFAULT_DELIMITERS) == "a*b"  # no repetition separator before syntax 4


def test_escape_without_release_character_refuses_service_characters() -> None:
    no_release = Delimiters(release=None)
    assert escape("a?b", no_release) == "a?b"
    with pytest.raises(ValueError, match="no release"):
        escape("a+b", no_release)


def test_seg_builds_elements_from_plain_values() -> None:
    built = seg("NAD", "IM", ("9131", None, 5), None, "上海", None, ("", None))
    assert built == ("NAD", ((("IM",),), (("9131", "", "5"),), (("",),), (("上海",),)))
    assert seg("MOA", ("39", Decimal("1200.50"), "USD"), decimal=",")[1] == (
        (("39", "1200,50", "USD"),),
    )
    assert seg("MOA", ("39", Decimal("1E+3")))[1] == ((("39", "1000"),),)
    assert seg("RFF", repeated(("ABT", "1"), "X"))[1] == ((("ABT", "1"), ("X",)),)
    assert seg("UNS", "D") == ("UNS", ((("D",),),))


@pytest.mark.parametrize("bad", [1.5, True, object()])
def test_seg_refuses_floats_and_other_types(bad: Any) -> None:
    with pytest.raises(TypeError):
        seg("MOA", ("39", bad))


def test_serialize_writes_una_newlines_and_releases() -> None:
    text = serialize(
        [unb("UNOC", "4"), seg("FTX", "AAA", None, None, ("it's 1+1:2?", "a*b"))],
        SYNTAX4,
        una=True,
        newline=True,
    )
    assert text == (
        "UNA:+.?*'\nUNB+UNOC:4+S+R+20240101:1200+REF'\nFTX+AAA+++it?'s 1?+1?:2??:a?*b'\n"
    )


def test_serialize_needs_a_repetition_separator_for_repeated_elements() -> None:
    with pytest.raises(ValueError, match="repetition"):
        serialize([seg("RFF", repeated("A", "B"))], DEFAULT_DELIMITERS)


def test_serialize_accepts_tokenized_segments() -> None:
    text = "UNB+UNOC:3+S+R+240101:1200+REF'FTX+a?+b:c??'"
    assert serialize(tokenize(text.encode())) == text


# --- hypothesis: serialize → tokenize ------------------------------------------------------

SERVICE_POOL = list(":+.?*'|^~!#$%&@\\/;<>=\x1c\x1d\x1f")


@st.composite
def delimiters(draw: st.DrawFn) -> Delimiters:
    """Six distinct service characters; release/repetition sometimes absent."""
    chars = draw(st.permutations(SERVICE_POOL))[:6]
    terminator = draw(st.sampled_from([chars[5], "\n"]))
    release = draw(st.sampled_from([chars[3], chars[3], None]))
    return Delimiters(chars[0], chars[1], chars[2], release, chars[4], terminator)


def data_text(d: Delimiters, alphabet: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    service = {d.component, d.element, d.segment, d.repetition}
    chars = st.one_of(alphabet, st.sampled_from([c for c in service if c]))
    if d.release is None:  # unreleasable: keep service characters out of the data
        chars = chars.filter(lambda c: c not in service)
    return st.text(chars, max_size=12)


def elements(d: Delimiters, alphabet: st.SearchStrategy[str], repeat: bool) -> Any:
    component = data_text(d, alphabet)
    occurrence = st.lists(component, min_size=1, max_size=4).map(tuple)
    element = st.lists(occurrence, min_size=1, max_size=3 if repeat else 1).map(tuple)
    return st.lists(element, max_size=6).map(tuple)


TAGS = st.text("ABCDEFGHIJKLMNOPQRSTVWXYZ0123456789", min_size=3, max_size=3)
UNICODE = st.characters(codec="utf-8")  # no lone surrogates
LATIN1 = st.characters(max_codepoint=255)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_round_trip_random_delimiters_and_data(data: st.DataObject) -> None:
    d = data.draw(delimiters())
    identifier, codec, alphabet = data.draw(
        st.sampled_from([("UNOW", "utf-8", UNICODE), ("UNOC", "latin-1", LATIN1)])
    )
    version = "4" if d.repetition else "3"
    d4 = d if version == "4" else Delimiters(d.component, d.element, d.decimal, d.release,
                                             None, d.segment)  # fmt: skip
    body = data.draw(st.lists(st.tuples(TAGS, elements(d4, alphabet, version == "4")), max_size=8))
    newline = d.segment != "\n" and data.draw(st.booleans())
    text = serialize([unb(identifier, version), *body], d4, una=True, newline=newline)
    assert read_back(text, codec) == [unb(identifier, version), *body]


@settings(max_examples=100, deadline=None)
@given(data=st.data(), size=st.integers(1, 9))
def test_round_trip_survives_tiny_chunks(data: st.DataObject, size: int) -> None:
    body = data.draw(st.lists(st.tuples(TAGS, elements(SYNTAX4, UNICODE, True)), max_size=5))
    text = serialize([unb("UNOY", "4"), *body], SYNTAX4, una=True, newline=True).encode()
    assert list(tokenize(text, chunk_size=size)) == list(tokenize(text))


# --- cross-check with pydifact on what it can read ------------------------------------------


def pydifact_view(element: Element) -> str | list[str]:
    """pydifact's shape: a string, or a list of components without trailing empties."""
    components = list(element[0])
    while len(components) > 1 and components[-1] == "":
        components.pop()
    return components[0] if len(components) == 1 else components


@settings(max_examples=150, deadline=None)
@given(
    body=st.lists(
        st.tuples(
            st.text("ABCDEFGHIJKLMNOPQRSTVWXYZ", min_size=3, max_size=3),
            elements(DEFAULT_DELIMITERS, st.sampled_from("AZaz09 .,-/é中"), False),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_values_agree_with_pydifact(body: list[RawSegment]) -> None:
    from pydifact.parser import Parser

    text = serialize([unb("UNOW", "3"), *body], DEFAULT_DELIMITERS, una=True)
    ours = [(tag, [pydifact_view(e) for e in elems]) for tag, elems in read_back(text)[1:]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = [(s.tag, s.elements) for s in Parser().parse(text)][2:]  # UNA, UNB
    assert ours == theirs


# --- SegmentWriter: the same text as seg + serialize ----------------------------------------


def scalars(d: Delimiters) -> Any:
    """What writers pass: text (service characters included), None, ints and Decimals."""
    return st.one_of(
        st.none(),
        data_text(d, UNICODE),
        st.integers(-(10**6), 10**9),
        st.decimals(allow_nan=False, allow_infinity=False, places=4, max_value=10**9),
        st.decimals(allow_nan=False, allow_infinity=False),  # exponents too: 1E+3, 1E-9
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_segment_writer_writes_what_seg_and_serialize_write(data: st.DataObject) -> None:
    d = data.draw(delimiters())
    values = scalars(d)
    value = st.one_of(values, st.lists(values, max_size=5).map(tuple))
    tag = data.draw(TAGS)
    elements_ = data.draw(st.lists(value, max_size=7))
    newline = data.draw(st.booleans())
    expected = serialize([seg(tag, *elements_, decimal=d.decimal)], d, newline=newline)
    writer = SegmentWriter.of(d, newline)
    assert writer(tag, *elements_) == expected
    assert writer(tag, *elements_) == expected  # again, from the texts it remembered


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_segment_writer_amount_is_the_generic_segment(data: st.DataObject) -> None:
    d = data.draw(delimiters())
    qualifier, currency = data.draw(data_text(d, UNICODE)), data.draw(data_text(d, UNICODE))
    value = data.draw(st.decimals(allow_nan=False, allow_infinity=False))
    writer = SegmentWriter.of(d, data.draw(st.booleans()))
    expected = writer("MOA", (qualifier, value, currency))
    assert writer.amount("MOA", qualifier, value, currency) == expected


def test_segment_writer_refuses_what_serialize_refuses() -> None:
    no_release = Delimiters(release=None)
    with pytest.raises(ValueError, match="no release"):
        SegmentWriter(no_release)("FTX", "a+b")
    with pytest.raises(TypeError):
        SegmentWriter(DEFAULT_DELIMITERS)("MOA", ("39", 1.5))  # type: ignore[arg-type]


def test_numbers_are_released_where_a_digit_is_a_service_character() -> None:
    # No sane UNA makes a digit a separator; if one does, numbers are released as text is.
    d = Delimiters(component="1", element="+", decimal=".", release="?", segment="'")
    writer = SegmentWriter(d)
    expected = serialize([seg("MOA", ("124", Decimal("10.5"), "CNY"), decimal=".")], d)
    assert writer.amount("MOA", "124", Decimal("10.5"), "CNY") == expected == "MOA+?1241?10.51CNY'"
