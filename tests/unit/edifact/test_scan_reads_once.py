"""The EDIFACT scan keeps a small interchange's messages whole, so it is tokenized once; a large
one is read again a message at a time (its memory stays bounded by a chunk)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from clearance.intake import edifact_scan
from clearance.intake.edifact_scan import mappable_messages, scan_interchange
from edi.edifact.envelope import EnvelopeReader

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "benchmarks"))

from day import one_interchange  # noqa: E402


def _count_readers(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    made: list[int] = []

    def counting(raw: bytes) -> EnvelopeReader:
        made.append(1)
        return EnvelopeReader(raw)

    monkeypatch.setattr(edifact_scan, "EnvelopeReader", counting)
    return made


def test_an_interchange_of_at_most_a_chunk_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = one_interchange(4)
    made = _count_readers(monkeypatch)
    scan = scan_interchange(raw)
    wanted = {m.unh_index for m in scan.interchange.messages}
    kept = list(mappable_messages(raw, wanted, scan))
    assert len(made) == 1
    assert scan.whole is not None and len(kept) == 4
    assert kept == list(mappable_messages(raw, wanted))  # what reading again gives


def test_a_larger_interchange_is_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(edifact_scan, "CHUNK", 3)
    raw = one_interchange(4)
    made = _count_readers(monkeypatch)
    scan = scan_interchange(raw)
    assert scan.whole is None  # not held whole: bounded by a chunk
    wanted = {m.unh_index for m in scan.interchange.messages}
    assert len(list(mappable_messages(raw, wanted, scan))) == 4
    assert len(made) == 2
