"""The EDIFACT scan keeps an interchange of up to two chunks' messages whole, so it is tokenized
once; a larger one is read again a message at a time (its memory stays bounded by a chunk),
from its first message not kept: what the second read gives is what a whole read gives. A
mapped message is held by the flow as the few segments its answer reads."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from clearance.intake import edifact_scan
from clearance.intake.edifact_scan import light_message, mappable_messages, scan_interchange
from edi.edifact.envelope import EnvelopeReader

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "benchmarks"))

from day import one_interchange  # noqa: E402


def _count_readers(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    made: list[int] = []

    def counting(raw: bytes, **options: Any) -> EnvelopeReader:
        made.append(1)
        return EnvelopeReader(raw, **options)

    monkeypatch.setattr(edifact_scan, "EnvelopeReader", counting)
    return made


def test_an_interchange_of_at_most_a_chunk_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = one_interchange(4)
    made = _count_readers(monkeypatch)
    scan = scan_interchange(raw)
    wanted = {m.unh_index for m in scan.interchange.messages}
    kept = list(mappable_messages(raw, wanted, scan))
    assert len(made) == 1
    assert scan.resume is None and len(kept) == 4
    assert kept == list(mappable_messages(raw, wanted))  # what reading again gives


def test_an_interchange_of_two_chunks_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # The real constants: 1,000 messages (the interchange) are tokenized once; until
    # stop 29 the scan kept a chunk (500) and read the other 500 again.
    raw = one_interchange(edifact_scan.KEEP_UP_TO)
    made = _count_readers(monkeypatch)
    scan = scan_interchange(raw)
    assert scan.resume is None and len(scan.kept) == edifact_scan.KEEP_UP_TO
    wanted = {m.unh_index for m in scan.interchange.messages}
    assert sum(1 for _ in mappable_messages(raw, wanted, scan)) == edifact_scan.KEEP_UP_TO
    assert len(made) == 1


def test_a_light_message_keeps_what_its_answer_reads() -> None:
    raw = (
        b"UNB+UNOC:3+S:ZZZ+R:ZZZ+261128:0930+IC1'"
        b"UNH+1+CUSDEC:D:96B:UN'BGM+929+A+5'NAD+DT+X'RFF+ABO:1'RFF+ABT:2'BGM+930+B'UNT+7+1'"
        b"UNZ+1+IC1'"
    )
    (message,) = EnvelopeReader(raw)
    light = light_message(message)
    assert [s.tag for s in light.segments] == ["UNH", "BGM", "RFF"]
    assert light.segments == (message.segments[0], message.segments[1], message.segments[3])
    assert (light.reference, light.release) == (message.reference, message.release)


def test_a_larger_interchange_is_read_again_from_its_first_message_not_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(edifact_scan, "KEPT", 3)
    raw = one_interchange(6)
    whole = list(EnvelopeReader(raw))
    made = _count_readers(monkeypatch)
    scan = scan_interchange(raw)
    assert len(scan.kept) == 3  # not held whole: bounded by a chunk
    assert scan.resume is not None and scan.resume.segment_index == whole[3].header.index
    wanted = {m.unh_index for m in scan.interchange.messages} - {whole[1].header.index}
    again = list(mappable_messages(raw, wanted, scan))
    assert len(made) == 2
    # Positions, elements, references: the same as a whole read's (segments compare all).
    assert again == [m for m in whole if m.header.index in wanted]
    assert scan.kept == []  # handed out: held only by whoever maps them


GROUPED = (
    "UNB+UNOC:3+S:ZZZ+R:ZZZ+261128:0930+IC1'\n"
    "UNG+CUSDEC+S+R+261128:0930+G1+UN+D:96B'\n"
    "UNH+1+CUSDEC:D:96B:UN'\nBGM+929+A?\nB+9'\nUNT+3+1'\n"
    "UNH+2+CUSDEC:D:96B:UN'\nBGM+929+C+9'\nUNT+3+2'\n"
    "UNE+2+G1'\n"
    "UNG+CUSDEC+S+R+261128:0930+G2+UN+D:96B'\n"
    "UNH+3+CUSDEC:D:96B:UN'\nBGM+929+D?\nE+9'\nUNT+3+3'\n"
    "UNH+4+CUSDEC:D:96B:UN'\nBGM+929+F+9'\nUNT+3+4'\n"
    "UNE+2+G2'\nUNZ+2+IC1'\n"
)


@pytest.mark.parametrize("chunk", [1, 2, 3])
def test_the_second_read_goes_on_inside_the_right_group_at_the_right_line(
    monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    # Released line breaks inside passed-over segments still count as lines.
    monkeypatch.setattr(edifact_scan, "KEPT", chunk)
    monkeypatch.setattr(edifact_scan, "KEEP_UP_TO", 4)
    raw = GROUPED.encode()
    whole = list(EnvelopeReader(raw))
    scan = scan_interchange(raw)
    assert scan.resume is not None and scan.resume.segment_index == whole[chunk].header.index
    wanted = {m.unh_index for m in scan.interchange.messages}
    again = list(mappable_messages(raw, wanted, scan))
    assert again == whole
    assert [m.group_reference for m in again] == ["G1", "G1", "G2", "G2"]


def test_past_two_chunks_the_kept_chunk_is_dropped_and_all_is_read_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(edifact_scan, "KEPT", 1)
    monkeypatch.setattr(edifact_scan, "KEEP_UP_TO", 2)
    raw = GROUPED.encode()
    whole = list(EnvelopeReader(raw))
    scan = scan_interchange(raw)
    assert scan.kept == []  # not held through the scan of a large interchange
    assert scan.resume is not None and scan.resume.segment_index == whole[0].header.index
    wanted = {m.unh_index for m in scan.interchange.messages}
    assert list(mappable_messages(raw, wanted, scan)) == whole
