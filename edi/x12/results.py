"""What :func:`~edi.x12.reader.read_x12` returns: envelopes, sets, issues, manifests."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from edi.x12.errors import Level, X12Issue
from edi.x12.isa import Delimiters
from edi.x12.manifest import Manifest
from edi.x12.tokenizer import RawSegment

__all__ = ["AckCode", "FunctionalGroup", "InterchangeInfo", "TransactionSet", "X12ReadResult"]

_SYNTAX = (Level.TRANSACTION, Level.SEGMENT, Level.ELEMENT)


class AckCode(StrEnum):
    """AK501/IK501 and AK901 acknowledgment codes (element 717 / 715)."""

    ACCEPTED = "A"
    ACCEPTED_WITH_ERRORS = "E"  # accepted, errors (here: warnings) were noted
    PARTIALLY_ACCEPTED = "P"  # AK901 only: some sets of the group were rejected
    REJECTED = "R"


@dataclass(frozen=True, slots=True)
class InterchangeInfo:
    """The ISA header, decoded."""

    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    date: str  # ISA09 YYMMDD
    time: str  # ISA10 HHMM
    control_number: str
    version: str
    ack_requested: bool
    usage: str  # P production, T test, I information
    delimiters: Delimiters | None
    encoding: str  # how the bytes were decoded: utf-8 (ASCII included) or latin-1


@dataclass(frozen=True, slots=True)
class TransactionSet:
    """One ST..SE with its issues and, for an accepted 309, its manifest."""

    set_id: str
    control_number: str
    implementation_reference: str | None
    segments: tuple[RawSegment, ...]
    issues: tuple[X12Issue, ...]
    manifest: Manifest | None = None

    @property
    def syntax_issues(self) -> tuple[X12Issue, ...]:
        """Issues a 997/999 reports (transaction, segment and element levels)."""
        return tuple(i for i in self.issues if i.level in _SYNTAX)

    @property
    def content_issues(self) -> tuple[X12Issue, ...]:
        """Issues a 355 reports (business content of a syntactically sound set)."""
        return tuple(i for i in self.issues if i.level is Level.CONTENT)

    @property
    def status(self) -> AckCode:
        """AK501/IK501 for this set."""
        syntax = self.syntax_issues
        if any(i.is_error for i in syntax):
            return AckCode.REJECTED
        return AckCode.ACCEPTED_WITH_ERRORS if syntax else AckCode.ACCEPTED


@dataclass(frozen=True, slots=True)
class FunctionalGroup:
    """One GS..GE."""

    functional_id: str
    sender: str
    receiver: str
    date: str
    time: str
    control_number: str
    agency: str
    version: str
    declared_sets: int | None  # GE01, None when GE is missing or unreadable
    sets: tuple[TransactionSet, ...]
    issues: tuple[X12Issue, ...]

    @property
    def accepted_count(self) -> int:
        """AK904: sets not rejected."""
        return sum(s.status is not AckCode.REJECTED for s in self.sets)

    @property
    def status(self) -> AckCode:
        """AK901 for this group."""
        accepted = self.accepted_count
        if any(i.is_error for i in self.issues) or (self.sets and accepted == 0):
            return AckCode.REJECTED
        if accepted < len(self.sets):
            return AckCode.PARTIALLY_ACCEPTED
        if self.issues or any(s.status is AckCode.ACCEPTED_WITH_ERRORS for s in self.sets):
            return AckCode.ACCEPTED_WITH_ERRORS
        return AckCode.ACCEPTED


@dataclass(frozen=True, slots=True)
class X12ReadResult:
    """An interchange as read: never raised, always returned."""

    interchange: InterchangeInfo | None
    groups: tuple[FunctionalGroup, ...]
    issues: tuple[X12Issue, ...]  # interchange level, and warnings outside any set
    ta1: tuple[RawSegment, ...] = ()  # TA1 segments carried by the interchange

    @property
    def rejected(self) -> bool:
        """True when the interchange itself is rejected (answer with a TA1 ``R``)."""
        return any(i.is_error and i.level is Level.INTERCHANGE for i in self.issues)

    @property
    def transaction_sets(self) -> tuple[TransactionSet, ...]:
        """All sets of all groups, in order."""
        return tuple(s for g in self.groups for s in g.sets)

    @property
    def manifests(self) -> tuple[Manifest, ...]:
        """The manifests of the accepted 309 sets."""
        return tuple(s.manifest for s in self.transaction_sets if s.manifest is not None)

    def all_issues(self) -> tuple[X12Issue, ...]:
        """Every issue, interchange first, then group by group and set by set."""
        found = list(self.issues)
        for g in self.groups:
            found += g.issues
            for s in g.sets:
                found += s.issues
        return tuple(found)

    def summary(self) -> dict[str, Any]:
        """A JSON-able digest (envelopes, statuses, issues, manifests) for logs and goldens."""
        ic = self.interchange
        return {
            "interchange": None
            if ic is None
            else {
                "sender": ic.sender_id,
                "receiver": ic.receiver_id,
                "version": ic.version,
                "control_number": ic.control_number,
                "encoding": ic.encoding,
            },
            "rejected": self.rejected,
            "issues": [_issue(i) for i in self.issues],
            "groups": [_group(g) for g in self.groups],
        }


def _issue(i: X12Issue) -> dict[str, Any]:
    fields = (
        "level",
        "code",
        "severity",
        "segment_tag",
        "segment_index",
        "set_position",
        "element",
        "line",
        "byte_offset",
        "bad_value",
        "text",
    )
    values = {f: getattr(i, f) for f in fields}
    return {f: str(v) if isinstance(v, StrEnum) else v for f, v in values.items() if v is not None}


def _group(g: FunctionalGroup) -> dict[str, Any]:
    return {
        "functional_id": g.functional_id,
        "control_number": g.control_number,
        "version": g.version,
        "status": g.status.value,
        "issues": [_issue(i) for i in g.issues],
        "sets": [
            {
                "set_id": s.set_id,
                "control_number": s.control_number,
                "status": s.status.value,
                "segments": len(s.segments),
                "issues": [_issue(i) for i in s.issues],
                "manifest": None if s.manifest is None else s.manifest.model_dump(mode="json"),
            }
            for s in g.sets
        ],
    }
