"""Walk one transaction set through its segment table (AK3/IK3 segment errors).

X12 loop rules: a loop begins with its trigger (first) segment; inside a loop the table is
read forward only; a segment that does not fit the current loop closes it and is tried one
level up, where the loop's own trigger opens its next occurrence. Codes (element 720/620):

* 3 a mandatory segment is missing: reported on the segment that showed the gap (or the SE),
  ``segment_tag`` names the missing one;
* 4 a loop occurs more often than allowed; 5 a segment more often than allowed;
* 6 the tag is not in the set at all; 7 it is in the current loop but earlier (out of
  sequence); 2 it belongs elsewhere in the set (unexpected); 1 the tag is not a valid ID.

Unmatched segments are skipped and the walk goes on, so one stray segment gives one AK3.
Element checks (AK4/IK4) of matched segments are done by :mod:`edi.x12.elements`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from edi.x12.errors import Level, SegmentError, X12Issue
from edi.x12.tables import Node
from edi.x12.tokenizer import RawSegment

__all__ = ["validate_structure"]


@dataclass(slots=True)
class _Frame:
    """One open loop (or the set body): its nodes, how often each was used, where we are."""

    nodes: tuple[Node, ...]
    counts: list[int]
    pos: int = -1
    reported: set[int] = field(default_factory=set)

    @classmethod
    def of(cls, nodes: tuple[Node, ...]) -> _Frame:
        return cls(nodes, [0] * len(nodes))

    def find(self, tag: str) -> int:
        """Index of the first node at or after the current one with ``tag``, else -1."""
        for i in range(max(self.pos, 0), len(self.nodes)):
            if self.nodes[i].tag == tag:
                return i
        return -1

    def missing(self, upto: int) -> Iterator[Node]:
        """Mandatory nodes before ``upto`` never seen (each reported once)."""
        for i in range(min(upto, len(self.nodes))):
            node = self.nodes[i]
            if node.min > 0 and self.counts[i] == 0 and i not in self.reported:
                self.reported.add(i)
                yield node


def _tags(nodes: Sequence[Node]) -> set[str]:
    found: set[str] = set()
    for node in nodes:
        found.add(node.tag)
        if node.loop:
            found |= _tags(node.loop)
    return found


class _Walker:
    def __init__(self, table: tuple[Node, ...], context: dict[str, str | None]) -> None:
        self.stack = [_Frame.of(table)]
        self.all_tags = _tags(table)
        self.context = context
        self.issues: list[X12Issue] = []

    def issue(self, code: SegmentError, text: str, seg: RawSegment, pos: int, tag: str) -> None:
        self.issues.append(
            X12Issue(
                Level.SEGMENT,
                code.value,
                text,
                segment_tag=tag,
                segment_index=seg.index,
                set_position=pos,
                line=seg.line,
                byte_offset=seg.byte_offset,
                group_control=self.context["group"],
                set_control=self.context["set"],
            )
        )

    def close(self, frame: _Frame, seg: RawSegment, pos: int) -> None:
        for node in frame.missing(len(frame.nodes)):
            self.issue(SegmentError.MANDATORY_MISSING, f"{node.tag} missing", seg, pos, node.tag)

    def accept(self, seg: RawSegment, pos: int) -> bool:
        """Match ``seg``; False when it fits nowhere (the caller skips its elements)."""
        if not seg.valid_tag:
            self.issue(
                SegmentError.UNRECOGNIZED,
                f"{seg.tag!r} is not a segment ID",
                seg,
                pos,
                seg.tag[:3] or "??",
            )
            return False
        depth = next(
            (d for d in range(len(self.stack) - 1, -1, -1) if self.stack[d].find(seg.tag) >= 0), -1
        )
        if depth < 0:
            self.unmatched(seg, pos)
            return False
        while len(self.stack) > depth + 1:
            self.close(self.stack.pop(), seg, pos)
        frame = self.stack[-1]
        i = frame.find(seg.tag)
        for node in frame.missing(i):
            self.issue(
                SegmentError.MANDATORY_MISSING,
                f"{node.tag} missing before {seg.tag}",
                seg,
                pos,
                node.tag,
            )
        frame.pos = i
        frame.counts[i] += 1
        node = frame.nodes[i]
        if frame.counts[i] > node.max:
            code = SegmentError.LOOP_OVER_MAX if node.loop else SegmentError.SEGMENT_OVER_MAX
            self.issue(code, f"{seg.tag} used more than {node.max} times", seg, pos, seg.tag)
        if node.loop is not None:
            self.stack.append(_Frame.of(node.loop))
        return True

    def unmatched(self, seg: RawSegment, pos: int) -> None:
        if seg.tag not in self.all_tags:
            code, why = SegmentError.NOT_IN_SET, "is not in the transaction set"
        elif any(n.tag == seg.tag for f in self.stack for n in f.nodes):
            code, why = SegmentError.NOT_IN_SEQUENCE, "is out of sequence"
        else:
            code, why = SegmentError.UNEXPECTED, "is not expected here"
        self.issue(code, f"{seg.tag} {why}", seg, pos, seg.tag)


def validate_structure(
    body: Sequence[RawSegment],
    table: tuple[Node, ...],
    trailer: RawSegment,
    trailer_pos: int,
    group_control: str | None,
    set_control: str | None,
) -> tuple[list[X12Issue], list[tuple[RawSegment, int]]]:
    """Check ``body`` (the segments between ST and SE) against ``table``.

    Returns the segment issues and the matched segments with their set positions (ST = 1),
    whose elements are worth checking.
    """
    walker = _Walker(table, {"group": group_control, "set": set_control})
    matched: list[tuple[RawSegment, int]] = []
    for pos, seg in enumerate(body, start=2):
        if walker.accept(seg, pos):
            matched.append((seg, pos))
    while walker.stack:
        walker.close(walker.stack.pop(), trailer, trailer_pos)
    return walker.issues, matched
