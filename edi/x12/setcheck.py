"""Open envelopes while the walk is in them, and the checks of a closed transaction set.

:class:`SetChecker` runs the set's segment table (:mod:`~edi.x12.structure`), the element
specs (:mod:`~edi.x12.elements`) and, for a 309 without syntax errors, the mapping
(:mod:`~edi.x12.map309`). A set whose SE is missing is not checked further: it is rejected
for the missing trailer, and the walk through an unterminated set would only add noise.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from edi.x12.elements import check_elements, spec_for
from edi.x12.errors import GroupError, Level, SetError, X12Issue
from edi.x12.isa import Delimiters
from edi.x12.map309 import map_manifest
from edi.x12.results import TransactionSet
from edi.x12.structure import validate_structure
from edi.x12.tables import table_for
from edi.x12.tokenizer import RawSegment

__all__ = ["OpenGroup", "OpenSet", "SetChecker", "issue_at"]


def issue_at(
    level: Level,
    code: str,
    text: str,
    seg: RawSegment,
    *,
    set_position: int | None = None,
    group_control: str | None = None,
    set_control: str | None = None,
) -> X12Issue:
    """An issue located at ``seg``."""
    return X12Issue(
        level,
        code,
        text,
        segment_tag=seg.tag,
        segment_index=seg.index,
        set_position=set_position,
        line=seg.line,
        byte_offset=seg.byte_offset,
        group_control=group_control,
        set_control=set_control,
    )


@dataclass(slots=True)
class OpenGroup:
    """A GS read and its GE not yet: the sets closed so far, the group's issues."""

    gs: RawSegment
    sets: list[TransactionSet] = field(default_factory=list)
    issues: list[X12Issue] = field(default_factory=list)
    declared: int | None = None

    @property
    def version(self) -> str:
        """GS08."""
        return self.gs.element(8)

    def issue(self, code: GroupError, text: str, seg: RawSegment) -> None:
        """Keep a group-level issue at ``seg``."""
        found = issue_at(Level.GROUP, code.value, text, seg, group_control=self.gs.element(6))
        self.issues.append(found)


@dataclass(slots=True)
class OpenSet:
    """An ST read and its SE not yet: the segments so far and the set's issues."""

    segments: list[RawSegment]
    group: OpenGroup | None
    issues: list[X12Issue] = field(default_factory=list)

    def issue(self, code: SetError, text: str, seg: RawSegment) -> None:
        """Keep a transaction-level issue at ``seg`` (positioned at the set's last segment)."""
        found = issue_at(
            Level.TRANSACTION,
            code.value,
            text,
            seg,
            set_position=len(self.segments),
            group_control=self.group.gs.element(6) if self.group else None,
            set_control=self.segments[0].element(2),
        )
        self.issues.append(found)


class SetChecker:
    """Structure, elements and (309) mapping of one closed set."""

    def __init__(self, opened: OpenSet, delimiters: Delimiters, complete: bool) -> None:
        self.opened, self.delimiters, self.complete = opened, delimiters, complete
        self.version = opened.group.version if opened.group else ""
        self.group_control = opened.group.gs.element(6) if opened.group else None

    def build(self, warnings: list[X12Issue]) -> TransactionSet:
        segs, st = self.opened.segments, self.opened.segments[0]
        table = table_for(st.element(1), self.version)
        if table is None:
            text = f"transaction set {st.element(1)} ({self.version}) is not supported"
            self.opened.issue(SetError.NOT_SUPPORTED, text, st)
        issues = self.opened.issues + warnings
        matched: list[tuple[RawSegment, int]] = []
        if table is not None and self.complete:
            found, matched = validate_structure(
                segs[1:-1], table, segs[-1], len(segs), self.group_control, st.element(2)
            )
            issues += found
            issues += self.element_issues(matched)
        manifest = None
        syntax_ok = not any(i.is_error for i in issues if i.level is not Level.CONTENT)
        if st.element(1) == "309" and syntax_ok and matched:
            manifest, content = map_manifest(matched, self.group_control, st.element(2))
            issues += content
        ids = (st.element(1), st.element(2), st.element(3) or None)
        return TransactionSet(*ids, tuple(segs), tuple(issues), manifest)

    def element_issues(self, matched: list[tuple[RawSegment, int]]) -> list[X12Issue]:
        control = self.opened.segments[0].element(2)
        found: list[X12Issue] = []
        for seg, pos in matched:
            spec = spec_for(self.version, seg.tag)
            if spec is None:
                continue
            for issue in check_elements(seg, pos, spec, self.delimiters.repetition):
                found.append(replace(issue, group_control=self.group_control, set_control=control))
        return found
