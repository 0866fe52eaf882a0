"""Nest segments into functional groups and transaction sets; check and map each set.

The walk follows ISA/GS/ST/SE/GE/IEA, attaches pyx12's envelope findings to the set or
group being read when pyx12 reported them (see :mod:`edi.x12.reader`), and reports what
pyx12 does not place well: a missing SE/GE/IEA, an ST outside a group, a data segment
outside a set, data after the IEA. Each closed set is then checked against its segment
table and element specs, and a 309 without syntax errors is mapped to a manifest.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from edi.x12.envelope import EnvelopeCheck
from edi.x12.errors import GroupError, InterchangeNote, Level, SetError, X12Issue
from edi.x12.isa import Delimiters
from edi.x12.results import FunctionalGroup, InterchangeInfo, X12ReadResult
from edi.x12.setcheck import OpenGroup, OpenSet, SetChecker, issue_at
from edi.x12.tokenizer import RawSegment, Scan

__all__ = ["SUPPORTED_GROUP_VERSIONS", "Assembler"]

SUPPORTED_GROUP_VERSIONS = ("004010", "005010")
_SET_FINDINGS = {
    "3": SetError.CONTROL_NUMBER_MISMATCH,
    "4": SetError.SEGMENT_COUNT_MISMATCH,
    "23": SetError.NOT_UNIQUE,
}
_GROUP_FINDINGS = {
    "4": GroupError.CONTROL_NUMBER_MISMATCH,
    "5": GroupError.COUNT_MISMATCH,
    "6": GroupError.NOT_UNIQUE,
}
_ISA_FINDINGS = {
    "001": InterchangeNote.CONTROL_NUMBER_MISMATCH,
    "021": InterchangeNote.INVALID_GROUP_COUNT,
    "025": InterchangeNote.DUPLICATE_CONTROL_NUMBER,
}


class Assembler:
    """One pass over the segments of an interchange (see the module docstring)."""

    def __init__(self, scan: Scan, check: EnvelopeCheck, delimiters: Delimiters) -> None:
        self.scan, self.check, self.delimiters = scan, check, delimiters
        self.findings: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
        for f in check.findings:
            if f.segment_index is not None:
                self.findings[f.segment_index].append((f.kind, f.code, f.text))
        self.issues: list[X12Issue] = [i for i in scan.issues if i.level is Level.INTERCHANGE]
        self.empty = [i for i in scan.issues if i.level is not Level.INTERCHANGE]
        self.empty_after = list(scan.empty_after)
        self.groups: list[FunctionalGroup] = []
        self.group: OpenGroup | None = None
        self.open: OpenSet | None = None
        self.ta1: list[RawSegment] = []
        self.after_iea = False  # IEA read: anything after it is reported once, then ignored
        self.reported_tail = False

    def run(self, info: InterchangeInfo | None) -> X12ReadResult:
        segments = self.scan.segments
        if self.check.failure or self.check.segments_read != len(segments):
            why = f"pyx12 read {self.check.segments_read} of {len(segments)} segments"
            text = f"{why}: {self.check.failure or 'stopped'}"
            self.interchange(InterchangeNote.INVALID_CONTENT, text, segments[0])
        for seg in segments[1:]:
            self.segment(seg)
        self.finish(segments[-1])
        self.issues += self.empty  # empty segments outside any set
        return X12ReadResult(info, tuple(self.groups), tuple(self.issues), tuple(self.ta1))

    def segment(self, seg: RawSegment) -> None:
        if self.after_iea:
            if not self.reported_tail:
                self.interchange(InterchangeNote.INVALID_CONTENT, "data after IEA is not read", seg)
                self.reported_tail = True
            return
        handler = {
            "GS": self.gs,
            "ST": self.st,
            "SE": self.se,
            "GE": self.ge,
            "IEA": self.iea,
            "TA1": self.ta1_segment,
        }.get(seg.tag, self.data)
        handler(seg)

    def interchange(self, note: InterchangeNote, text: str, seg: RawSegment) -> None:
        self.issues.append(issue_at(Level.INTERCHANGE, note.value, text, seg))

    def attach(self, seg: RawSegment) -> None:
        """pyx12's findings on ``seg`` go to the open set, group or the interchange."""
        for kind, code, text in self.findings.pop(seg.index, ()):
            if kind == "st" and code in _SET_FINDINGS and self.open is not None:
                self.open.issue(_SET_FINDINGS[code], text, seg)
            elif kind == "gs" and code in _GROUP_FINDINGS and self.group is not None:
                self.group.issue(_GROUP_FINDINGS[code], text, seg)
            elif kind == "isa" and code in _ISA_FINDINGS:
                self.interchange(_ISA_FINDINGS[code], text, seg)

    def gs(self, seg: RawSegment) -> None:
        self.close_group(seg)
        self.group = group = OpenGroup(seg)
        control = seg.element(6)
        if not (control.isdigit() and 1 <= len(control) <= 9):
            group.issue(GroupError.CONTROL_NUMBER_SYNTAX, f"GS06 {control!r}: 1-9 digits", seg)
        if not group.version.startswith(SUPPORTED_GROUP_VERSIONS):
            group.issue(GroupError.VERSION_NOT_SUPPORTED, f"GS08 {group.version!r}", seg)
        self.attach(seg)

    def st(self, seg: RawSegment) -> None:
        self.close_set(seg, complete=False)
        self.open = opened = OpenSet([seg], self.group)
        if self.group is None:
            self.interchange(InterchangeNote.INVALID_CONTENT, "ST outside a functional group", seg)
        set_id, control = seg.element(1), seg.element(2)
        if not (set_id.isdigit() and len(set_id) == 3):
            opened.issue(SetError.INVALID_SET_ID, f"ST01 {set_id!r}", seg)
        if not 4 <= len(control) <= 9:
            opened.issue(SetError.INVALID_CONTROL_NUMBER, f"ST02 {control!r}", seg)
        self.attach(seg)

    def se(self, seg: RawSegment) -> None:
        if self.open is None:
            self.interchange(InterchangeNote.INVALID_CONTENT, "SE without ST", seg)
            return
        self.open.segments.append(seg)
        self.attach(seg)
        self.close_set(seg, complete=True)

    def ge(self, seg: RawSegment) -> None:
        self.close_set(seg, complete=False)
        if self.group is None:
            self.interchange(InterchangeNote.INVALID_CONTENT, "GE without GS", seg)
            return
        self.group.declared = int(seg.element(1)) if seg.element(1).isdigit() else None
        self.attach(seg)
        self.groups.append(self.finished(self.group))
        self.group = None

    def iea(self, seg: RawSegment) -> None:
        self.close_group(seg)
        self.attach(seg)
        self.after_iea = True

    def ta1_segment(self, seg: RawSegment) -> None:
        if self.group is None:
            self.ta1.append(seg)
        else:
            self.data(seg)

    def data(self, seg: RawSegment) -> None:
        if self.open is not None:
            self.open.segments.append(seg)
        else:
            self.interchange(
                InterchangeNote.INVALID_CONTENT, f"{seg.tag} outside a transaction set", seg
            )

    def close_group(self, seg: RawSegment) -> None:
        self.close_set(seg, complete=False)
        if self.group is not None:
            self.group.issue(GroupError.TRAILER_MISSING, "GE missing", seg)
            self.groups.append(self.finished(self.group))
            self.group = None

    def finish(self, last: RawSegment) -> None:
        if self.after_iea:
            return
        self.close_group(last)
        self.interchange(InterchangeNote.PREMATURE_END, "IEA missing", last)

    def finished(self, g: OpenGroup) -> FunctionalGroup:
        e = g.gs.element  # GS01..GS08
        return FunctionalGroup(
            functional_id=e(1), sender=e(2), receiver=e(3), date=e(4), time=e(5),
            control_number=e(6), agency=e(7), version=e(8), declared_sets=g.declared,
            sets=tuple(g.sets), issues=tuple(g.issues),
        )  # fmt: skip

    def close_set(self, seg: RawSegment, *, complete: bool) -> None:
        opened, self.open = self.open, None
        if opened is None:
            return
        if not complete:
            opened.issue(SetError.TRAILER_MISSING, "SE missing", seg)
        built = SetChecker(opened, self.delimiters, complete).build(self.take_empty(opened))
        if opened.group is not None:
            opened.group.sets.append(built)

    def take_empty(self, opened: OpenSet) -> list[X12Issue]:
        """Empty-segment warnings that fall inside ``opened``, with set positions."""
        first, last = opened.segments[0].index, opened.segments[-1].index
        taken: list[X12Issue] = []
        keep: list[tuple[int, X12Issue]] = []
        for after, issue in zip(self.empty_after, self.empty, strict=True):
            if first <= after < last:
                taken.append(
                    replace(
                        issue,
                        set_position=after - first + 1,
                        set_control=opened.segments[0].element(2),
                    )
                )
            else:
                keep.append((after, issue))
        self.empty_after = [a for a, _ in keep]
        self.empty = [i for _, i in keep]
        return taken
