"""Message structure validation: walk one message's segments through its segment table.

Standard EDIFACT group matching: a segment group is entered by its trigger (first)
segment; within a group the table is read forward only; a segment that does not fit the
current group closes it and is tried one level up, where the group's own trigger opens its
next occurrence. The walk is one pass with a dictionary lookup per segment (about 25 µs for
a 72-segment CUSDEC; figures in docs/edifact-directories.md).

Reported with UN/EDIFACT 0085 codes (positions are the segment's interchange index, line
and column, as :class:`~edi.edifact.errors.SyntaxIssue` expects):

* 13 a mandatory segment or group is missing. As CONTRL's UCS 0096 asks, the issue sits on
  the last segment processed before the gap; ``segment_tag`` names the missing segment
  (a group's trigger for a missing group).
* 35 too many repetitions of a segment; 36 too many occurrences of a group.
* 15 a segment that the table does not allow here (or at all); it is skipped.

:func:`annotate` gives mappers each segment's group path, e.g. ``(("SG30", 2),)`` for the
segments of the second customs item (CST group) of a CUSDEC.

Data element checks (codes 13, 16, 37, 39, 40) against the directory's segment
specifications are :func:`validate_elements` with :func:`load_segment_specs` (re-exported
from :mod:`edi.edifact.directories.elements`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from edi.edifact.directories import (
    GroupEntry,
    MessageStructure,
    SegmentEntry,
    UnknownMessageStructureError,
    load_structure,
)
from edi.edifact.directories.elements import load_segment_specs, validate_elements
from edi.edifact.errors import SyntaxErrorCode, SyntaxIssue
from edi.edifact.segments import Segment
from edi.edifact.sound import SoundKeys

__all__ = [
    "GroupPath",
    "MessageStructure",
    "UnknownMessageStructureError",
    "annotate",
    "load_segment_specs",
    "load_structure",
    "validate_elements",
    "validate_message",
]

#: The groups a segment sits in, outermost first: (group name, occurrence number from 1).
GroupPath = tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True, eq=False)
class _Table:
    """One group (or the message level) compiled for the walk."""

    name: str
    labels: tuple[str, ...]  # segment tag, or "segment group SG7 (CST)"
    tags: tuple[str, ...]  # segment tag, or the group's trigger tag
    maxima: tuple[int, ...]
    subtables: tuple[_Table | None, ...]
    # tag -> (current row + 1 -> the row this tag matches next, -1 when none): the forward
    # search of the group-matching rule, done once at compile time.
    moves: dict[str, tuple[int, ...]]
    next_mandatory: tuple[int, ...]  # row i -> first mandatory row >= i (len = none)


_COMPILED: dict[MessageStructure, tuple[_Table, frozenset[str]]] = {}


def _compile(name: str, entries: Sequence[SegmentEntry | GroupEntry], *, root: bool) -> _Table:
    labels: list[str] = []
    tags: list[str] = []
    subtables: list[_Table | None] = []
    for entry in entries:
        if isinstance(entry, GroupEntry):
            labels.append(f"segment group {entry.name} ({entry.trigger})")
            tags.append(entry.trigger)
            subtables.append(_compile(entry.name, entry.entries, root=False))
        else:
            labels.append(f"segment {entry.tag}")
            tags.append(entry.tag)
            subtables.append(None)
    moves = {tag: _moves(tags, tag, root) for tag in set(tags)}
    nxt = [len(entries)] * (len(entries) + 1)
    for row in range(len(entries) - 1, -1, -1):
        nxt[row] = row if entries[row].min > 0 else nxt[row + 1]
    return _Table(
        name=name,
        labels=tuple(labels),
        tags=tuple(tags),
        maxima=tuple(entry.max for entry in entries),
        subtables=tuple(subtables),
        moves=moves,
        next_mandatory=tuple(nxt),
    )


def _moves(tags: list[str], tag: str, root: bool) -> tuple[int, ...]:
    """For each current row (-1 .. last), the first row >= it that ``tag`` matches.

    Inside a group the trigger (row 0) is never matched again: a second trigger opens the
    group's next occurrence one level up. At message level UNH may be matched again (and
    then reported as repeated). A final -1 lets ``targets[current + 2]`` ask for the next
    match strictly after the current row.
    """
    targets = []
    for current in range(-1, len(tags)):
        low = current if current > 0 else (0 if root else 1)
        targets.append(next((row for row in range(low, len(tags)) if tags[row] == tag), -1))
    return (*targets, -1)


def _plan(structure: MessageStructure) -> tuple[_Table, frozenset[str]]:
    plan = _COMPILED.get(structure)
    if plan is None:
        plan = (_compile("", structure.entries, root=True), structure.tags())
        _COMPILED[structure] = plan
    return plan


def validate_message(structure: MessageStructure, segments: Sequence[Segment]) -> list[SyntaxIssue]:
    """Structural problems of one message (``segments`` = UNH .. UNT inclusive), in order.

    Whether a message is sound depends on its sequence of tags alone (positions only name an
    issue), and a day's declarations share a few such sequences: a sequence found sound is
    remembered and not walked again; a faulty one is walked every time for its issues.
    """
    sound = _SOUND.of(structure)
    tags = tuple([segment.tag for segment in segments])
    if tags in sound:
        return []
    walk = _Walk(structure)
    walk.run(segments, None)
    if not walk.issues:
        _SOUND.remember(sound, tags)
    return walk.issues


#: Sound tag sequences remembered per message structure (at most 4,096 each).
_SOUND: SoundKeys[tuple[str, ...]] = SoundKeys(4096)


def annotate(
    structure: MessageStructure, segments: Sequence[Segment]
) -> list[tuple[Segment, GroupPath]]:
    """Each segment with the group path it was matched to (``()`` at message level).

    A segment the table does not allow keeps the path of the segment before it. Run
    :func:`validate_message` first; on an invalid message the paths are best effort.
    """
    paths: list[GroupPath] = []
    _Walk(structure).run(segments, paths)
    return list(zip(segments, paths, strict=True))


class _Walk:
    """One pass over a message: a stack of levels (table, current row, repetitions, path).

    The loop in :meth:`run` is written with local variables on purpose: it runs for every
    message received, and attribute lookups are most of its cost.
    """

    __slots__ = ("issues", "known", "root")

    def __init__(self, structure: MessageStructure) -> None:
        self.root, self.known = _plan(structure)
        self.issues: list[SyntaxIssue] = []

    def run(self, segments: Sequence[Segment], paths: list[GroupPath] | None) -> None:
        """Walk ``segments``, filling ``self.issues`` (and ``paths``, one per segment)."""
        tables: list[_Table] = [self.root]
        moves = [self.root.moves]  # tables[i].moves, kept apart to save a lookup
        rows = [-1]  # current row per level; -1 = nothing matched yet
        counts = [0]  # repetitions of the current row (occurrences, for a group row)
        trail: list[GroupPath] = [()]  # group path of each level
        depth = 0  # == len(rows) - 1
        prev: Segment | None = None
        for segment in segments:
            tag = segment.tag
            level = depth
            while True:
                targets = moves[level].get(tag)
                if targets is not None:
                    current = rows[level]
                    row = targets[current + 1]
                    # A full row gives way to a later row with the same tag (UNS UNS in a
                    # CUSDEC without items); with none, the repetition is reported.
                    if row == current and counts[level] >= tables[level].maxima[row]:
                        row = targets[current + 2] if targets[current + 2] >= 0 else row
                    if row >= 0:
                        break
                if not level:
                    row = -1
                    break
                level -= 1
            if row < 0:
                self._not_here(segment)
            else:
                while depth > level:
                    closed = tables.pop()
                    first = rows.pop() + 1
                    if closed.next_mandatory[first] < len(closed.tags):
                        self._missing(closed, first, len(closed.tags), prev, segment)
                    moves.pop()
                    counts.pop()
                    trail.pop()
                    depth -= 1
                table = tables[level]
                if row != rows[level]:
                    if table.next_mandatory[rows[level] + 1] < row:
                        self._missing(table, rows[level] + 1, row, prev, segment)
                    rows[level] = row
                    counts[level] = repeats = 1
                else:
                    counts[level] = repeats = counts[level] + 1
                    if repeats > table.maxima[row]:
                        self._too_many(table, row, repeats, segment)
                sub = table.subtables[row]
                if sub is not None:
                    tables.append(sub)
                    moves.append(sub.moves)
                    rows.append(0)
                    counts.append(1)
                    trail.append((*trail[-1], (sub.name, repeats)))
                    depth += 1
            if paths is not None:
                paths.append(trail[-1])
            prev = segment
        while tables:
            closed = tables.pop()
            first = rows.pop() + 1
            if closed.next_mandatory[first] < len(closed.tags):
                self._missing(closed, first, len(closed.tags), prev, None)

    def _missing(
        self, table: _Table, start: int, stop: int, prev: Segment | None, before: Segment | None
    ) -> None:
        """Report mandatory rows in [start, stop) at the last segment processed (ISO UCS).

        ``prev`` is that segment; ``before`` the one that revealed the gap (None at the end).
        """
        row = table.next_mandatory[start]
        where = prev or before
        context = "at end of message" if before is None else f"before {before.tag}"
        while row < stop:
            self.issues.append(
                _issue(
                    SyntaxErrorCode.MISSING,
                    f"mandatory {table.labels[row]} missing {context}",
                    table.tags[row],
                    where,
                )
            )
            row = table.next_mandatory[row + 1]

    def _too_many(self, table: _Table, row: int, repeats: int, segment: Segment) -> None:
        group = table.subtables[row] is not None
        code = (
            SyntaxErrorCode.TOO_MANY_SEGMENT_GROUP_REPETITIONS
            if group
            else SyntaxErrorCode.TOO_MANY_SEGMENT_REPETITIONS
        )
        text = f"{table.labels[row]} occurs {repeats} times, at most {table.maxima[row]} allowed"
        self.issues.append(_issue(code, text, segment.tag, segment))

    def _not_here(self, segment: Segment) -> None:
        if segment.tag in self.known:
            text = f"segment {segment.tag} is not allowed at this position"
        else:
            text = f"segment {segment.tag} is not part of this message type"
        code = SyntaxErrorCode.NOT_SUPPORTED_IN_POSITION
        self.issues.append(_issue(code, text, segment.tag, segment))


def _issue(code: SyntaxErrorCode, text: str, tag: str, where: Segment | None) -> SyntaxIssue:
    if where is None:
        return SyntaxIssue(code, text, tag)
    return SyntaxIssue(code, text, tag, where.index, where.line, where.column)
