"""Data element checks against a directory's segment specifications (``<DIR>/segments.json``).

For every segment the directory specifies (UNH/UNT are the envelope reader's business):

* 16 too many constituents: more data elements than the segment has, more components than
  the composite has, or a component/repetition on a simple element;
* 13 missing: a mandatory data element, composite or component is empty;
* 39 too long / 40 too short (fixed length only): for ``n`` the digits are counted, the
  sign and decimal mark are not (ISO 9735);
* 37 invalid type of characters: anything but digits, one sign and one decimal mark in an
  ``n`` element.

Issues use the project convention: ``element`` and ``component`` 1-based from the first
data element after the tag; line/column are those of the element when the tokenizer knew it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from core.errors import CustomsError
from edi.edifact.errors import SyntaxErrorCode, SyntaxIssue
from edi.edifact.segments import Segment
from edi.edifact.sound import SoundKeys

__all__ = [
    "CompositeSpec",
    "DataElementSpec",
    "SegmentSpec",
    "UnknownSegmentSpecsError",
    "load_segment_specs",
    "validate_elements",
]

_REPR = re.compile(r"^(a|n|an)(\.\.)?(\d+)$")
_NUMBER = re.compile(r"^-?\d*(?:[.,]\d*)?$")


@dataclass(frozen=True, slots=True)
class DataElementSpec:
    """A simple data element (or component): id, status, representation."""

    id: str
    mandatory: bool
    numeric: bool
    fixed: bool
    max_length: int


@dataclass(frozen=True, slots=True)
class CompositeSpec:
    """A composite data element and its components, in order."""

    id: str
    mandatory: bool
    components: tuple[DataElementSpec, ...]
    #: 0-based positions of the mandatory components (derived).
    required: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        required = tuple(n for n, c in enumerate(self.components) if c.mandatory)
        object.__setattr__(self, "required", required)


@dataclass(frozen=True, slots=True)
class SegmentSpec:
    """The data elements of one segment, in order."""

    tag: str
    elements: tuple[DataElementSpec | CompositeSpec, ...]
    #: 0-based positions of the mandatory data elements (derived).
    required: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        required = tuple(n for n, e in enumerate(self.elements) if e.mandatory)
        object.__setattr__(self, "required", required)


class UnknownSegmentSpecsError(CustomsError):
    """The directory has no segment specifications."""

    code = "edifact_unknown_directory"


@cache
def load_segment_specs(directory: str) -> Mapping[str, SegmentSpec]:
    """Segment specifications of ``directory`` by tag (cached: do not modify)."""
    resource = resources.files("edi.edifact.directories") / directory / "segments.json"
    if not resource.is_file():
        raise UnknownSegmentSpecsError(f"no segment specifications for directory {directory}")
    document = json.loads(resource.read_text(encoding="utf-8"))
    # A plain dict behind the read-only Mapping type: the lookup runs for every segment.
    return {
        tag: SegmentSpec(tag, tuple(_element(e) for e in elements))
        for tag, elements in document["segments"].items()
    }


def _element(node: dict[str, Any]) -> DataElementSpec | CompositeSpec:
    mandatory = node["status"] == "M"
    if "components" in node:
        parts = tuple(_simple(c) for c in node["components"])
        return CompositeSpec(node["id"], mandatory, parts)
    return _simple(node)


def _simple(node: dict[str, Any]) -> DataElementSpec:
    match = _REPR.match(node["repr"])
    assert match is not None  # checked by the build script
    kind, dots, length = match.groups()
    return DataElementSpec(node["id"], node["status"] == "M", kind == "n", not dots, int(length))


def validate_elements(
    specs: Mapping[str, SegmentSpec], segments: Sequence[Segment]
) -> list[SyntaxIssue]:
    """Data element problems of ``segments`` (segments without a specification are skipped).

    The loops only look at what is present and build text only for problems: this runs for
    every segment received. A segment found sound is remembered by its tag and elements (a
    day's declarations repeat most of theirs: the same UNS, LOC, MEA, CST, NAD; 84 % of the
    segments of benchmarks/day.py), so the same segment is not checked again: soundness
    depends on nothing else, while an issue names a position and is always worked out anew.
    """
    issues: list[SyntaxIssue] = []
    sound = _SOUND.of(specs)
    for segment in segments:
        spec = specs.get(segment.tag)
        if spec is None:
            continue
        key = (segment.tag, segment.elements)
        if key in sound:
            continue
        before = len(issues)
        _check_segment(spec, segment, issues)
        if len(issues) == before:
            _SOUND.remember(sound, key)
    return issues


#: Sound segments remembered per directory's specifications (at most 20,000 each).
_SOUND: SoundKeys[tuple[str, Any]] = SoundKeys(20_000)


def _check_segment(spec: SegmentSpec, segment: Segment, issues: list[SyntaxIssue]) -> None:
    elements, defined = segment.elements, spec.elements
    if len(elements) > len(defined):
        text = f"{segment.tag} has {len(elements)} data elements, at most {len(defined)}"
        issues.append(_at(SyntaxErrorCode.TOO_MANY_CONSTITUENTS, text, segment, len(defined)))
    for index, (occurrences, element_spec) in enumerate(zip(elements, defined, strict=False)):
        if len(occurrences) > 1:
            text = f"{segment.tag} element {index + 1} ({element_spec.id}) is repeated"
            issues.append(_at(SyntaxErrorCode.TOO_MANY_CONSTITUENTS, text, segment, index))
        components = occurrences[0] if occurrences else ()
        if isinstance(element_spec, CompositeSpec):
            _check_composite(element_spec, components, segment, index, issues)
        elif len(components) > 1:
            text = f"{segment.tag} element {index + 1} ({element_spec.id}) is not a composite"
            issues.append(_at(SyntaxErrorCode.TOO_MANY_CONSTITUENTS, text, segment, index, 1))
        elif components and components[0]:
            value = components[0]
            if (
                len(value) > element_spec.max_length
                or (element_spec.fixed and len(value) < element_spec.max_length)
                or (element_spec.numeric and not value.isdigit())
            ):
                _check_value(element_spec, value, segment, index, None, issues)
        elif element_spec.mandatory:
            _missing(element_spec, segment, index, None, issues)
    for index in spec.required:
        if index >= len(elements):
            _missing(defined[index], segment, index, None, issues)


def _check_composite(
    spec: CompositeSpec,
    components: Sequence[str],
    segment: Segment,
    index: int,
    issues: list[SyntaxIssue],
) -> None:
    if not any(components):
        if spec.mandatory:
            _missing(spec, segment, index, None, issues)
        return
    parts = spec.components
    if len(components) > len(parts):
        text = f"{segment.tag} {spec.id} has {len(components)} components, at most {len(parts)}"
        issues.append(_at(SyntaxErrorCode.TOO_MANY_CONSTITUENTS, text, segment, index, len(parts)))
    for position, (value, part) in enumerate(zip(components, parts, strict=False)):
        # Inline pre-check (a call per value would cost more than the check itself).
        if value and (
            len(value) > part.max_length
            or (part.fixed and len(value) < part.max_length)
            or (part.numeric and not value.isdigit())
        ):
            _check_value(part, value, segment, index, position, issues)
    for position in spec.required:
        if position >= len(components) or not components[position]:
            _missing(parts[position], segment, index, position, issues)


def numeric_digits(value: str) -> int:
    """The digits of ``value``, a number ``_NUMBER`` matched: all of it but a leading sign,
    one decimal mark and the line break ``$`` lets through at the end.

    Counted from the match's shape instead of character by character (a generator over the
    value cost more than the rest of the check; amounts and quantities are new in almost
    every message, so they are checked rather than found in the sound-segment memo).
    """
    return (
        len(value) - value.startswith("-") - ("." in value or "," in value) - value.endswith("\n")
    )


def _check_value(
    spec: DataElementSpec,
    value: str,
    segment: Segment,
    index: int,
    component: int | None,
    issues: list[SyntaxIssue],
) -> None:
    """Representation of a non-empty value (fast when it is fine)."""
    length = len(value)
    if spec.numeric and not value.isdigit():
        if not _NUMBER.match(value):
            text = f"{_name(spec, segment, index, component)} must be numeric: {value!r}"
            code = SyntaxErrorCode.INVALID_TYPE_OF_CHARACTERS
            issues.append(_at(code, text, segment, index, component))
            return
        length = numeric_digits(value)  # sign and decimal mark not counted
    if length > spec.max_length:
        text = f"{_name(spec, segment, index, component)} has {length} characters"
        text += f", at most {spec.max_length}"
        issues.append(_at(SyntaxErrorCode.ELEMENT_TOO_LONG, text, segment, index, component))
    elif spec.fixed and length < spec.max_length:
        text = f"{_name(spec, segment, index, component)} has {length} characters"
        text += f", exactly {spec.max_length} required"
        issues.append(_at(SyntaxErrorCode.ELEMENT_TOO_SHORT, text, segment, index, component))


def _missing(
    spec: DataElementSpec | CompositeSpec,
    segment: Segment,
    index: int,
    component: int | None,
    issues: list[SyntaxIssue],
) -> None:
    text = f"{_name(spec, segment, index, component)} is mandatory"
    issues.append(_at(SyntaxErrorCode.MISSING, text, segment, index, component))


def _name(
    spec: DataElementSpec | CompositeSpec, segment: Segment, index: int, component: int | None
) -> str:
    where = f"{segment.tag} {spec.id} (element {index + 1}"
    return where + (")" if component is None else f", component {component + 1})")


def _at(
    code: SyntaxErrorCode, text: str, segment: Segment, index: int, component: int | None = None
) -> SyntaxIssue:
    """An issue on 0-based element ``index`` / component of ``segment`` (stored 1-based)."""
    line, column = segment.position_of(index)
    return SyntaxIssue(
        code,
        text,
        segment.tag,
        segment.index,
        line,
        column,
        element=index + 1,
        component=None if component is None else component + 1,
    )
