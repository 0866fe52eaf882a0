"""Message heads: what the scan of a large interchange keeps of each message (issue 15)."""

from __future__ import annotations

import gc
from datetime import UTC, datetime
from pathlib import Path

import pytest

from edi.edifact.contrl import (
    ContrlReport,
    GroupReport,
    InterchangeInfo,
    MessageReport,
    Party,
    render_contrl,
)
from edi.edifact.envelope import Interchange, read_interchange
from edi.edifact.heads import MessageHead, Strings
from edi.edifact.segments import Segment

SAMPLES = Path(__file__).resolve().parents[3] / "samples" / "edifact"
#: A functional group of three messages; messages with envelope and syntax errors.
CASES = ["03-multi-message-group-d96b.edi", "06-errors-d96b.edi", "01-import-d96b.edi"]


def _contrl(interchange: Interchange, reports: list[tuple[str | None, MessageReport]]) -> str:
    assert interchange.header is not None
    report = ContrlReport(
        InterchangeInfo.from_header(interchange.header),
        interchange.issues,
        tuple(r for group, r in reports if group is None),
        tuple(
            GroupReport.from_group(
                g, tuple(r for group, r in reports if group == g.header.reference)
            )
            for g in interchange.groups
        ),
    )
    return render_contrl(
        report,
        our_id=Party("CNCUS", "ZZZ"),
        delimiters=interchange.header.delimiters,
        control_reference="C1",
        prepared=datetime(2026, 12, 5, 21, 0, tzinfo=UTC),
        line_breaks=True,
    )


@pytest.mark.parametrize("name", CASES)
def test_a_head_answers_as_its_message_does(name: str) -> None:
    interchange = read_interchange((SAMPLES / name).read_bytes())
    strings = Strings()
    heads = [MessageHead.of(m, strings) for m in interchange.messages]
    from_messages = [
        (m.group_reference, MessageReport.from_message(m)) for m in interchange.messages
    ]
    from_heads = [(h.group_reference, MessageReport.from_head(h)) for h in heads]
    assert from_heads == from_messages
    assert _contrl(interchange, from_heads) == _contrl(interchange, from_messages)
    for message, head in zip(interchange.messages, heads, strict=True):
        bgm = next((s for s in message.segments if s.tag == "BGM"), None)
        assert head.sender_reference == (bgm.get(1) if bgm else None)
        assert head.document_code == (bgm.get(0) if bgm else None)


def test_a_head_keeps_no_segment_and_shares_repeated_values() -> None:
    interchange = read_interchange((SAMPLES / CASES[0]).read_bytes())
    strings = Strings()
    heads = [MessageHead.of(m, strings) for m in interchange.messages]
    assert len(heads) > 1
    for head in heads:
        # Everything it refers to is a string, an int, None or the issues tuple: no segment.
        assert not any(isinstance(r, Segment) for r in gc.get_referents(head))
    assert all(h.message_type is heads[0].message_type for h in heads)
    assert all(h.release is heads[0].release for h in heads)
