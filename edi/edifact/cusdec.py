"""CUSDEC → canonical :class:`~edi.model.Declaration`, driven by a :class:`CusdecProfile`.

The message is walked once. Header segments sit between BGM and the first UNS; goods items
are the CST groups of the detail section (each CST opens an item, the segments up to the next
CST or UNS belong to it); the summary follows the second UNS. DMS consignment groups are not
mapped by the default profile. Every value remembers the segment it came from, so a field the
model rejects is reported with its segment, element and line/column.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError

from edi.edifact.cusdec_handlers import HANDLERS, LEAVE_DOC_GROUP
from edi.edifact.cusdec_rules import GroupPath, apply_rules
from edi.edifact.cusdec_state import MappingState
from edi.edifact.directories import UnknownMessageStructureError
from edi.edifact.mapping_issues import MappingIssue, MappingResult, issue_from_error
from edi.edifact.profile import CusdecProfile
from edi.edifact.segments import Segment
from edi.edifact.structure import annotate, load_structure
from edi.model import Declaration

#: Header values a rejection still reports (direction, function, numbers).
_READ = ("direction", "function", "sender_reference", "registered_number", "declaration_type")


def map_cusdec(
    segments: Sequence[Segment], profile: CusdecProfile, *, decimal_mark: str = "."
) -> MappingResult:
    """Map the segments of one CUSDEC (UNH..UNT inclusive) to a declaration."""
    state = MappingState(profile=profile, decimal_mark=decimal_mark)
    rules = state.tables.rules
    paths = _group_paths(segments) if state.tables.group_rules else None
    handlers, leaving = HANDLERS, LEAVE_DOC_GROUP
    for n, segment in enumerate(segments):
        tag = segment.tag
        handler = handlers.get(tag)
        if handler is not None:
            if tag in leaving:
                state.doc_target = None
            handler(state, segment)
        if rules:
            found = rules.get(tag)
            if found:
                apply_rules(state, segment, found, None if paths is None else paths[n])
    return _build(state, segments)


def _group_paths(segments: Sequence[Segment]) -> list[GroupPath] | None:
    """Each segment's segment-group path in its directory's CUSDEC table (for group rules)."""
    unh = segments[0] if segments else None
    if unh is None or unh.tag != "UNH":
        return None
    try:
        structure = load_structure(f"{unh.get(1, 1)}{unh.get(1, 2)}", "CUSDEC")
    except UnknownMessageStructureError:
        return None
    return [path for _, path in annotate(structure, segments)]


def _build(state: MappingState, segments: Sequence[Segment]) -> MappingResult:
    # Validate even when values already failed to read, so the sender learns every problem
    # of the message at once (fields that failed to read are simply absent here).
    data = dict(state.header)
    data["items"] = state.items
    try:
        declaration = Declaration.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        item_errors = any(len(e["loc"]) > 1 and e["loc"][0] == "items" for e in errors)
        # A failing item also empties the item tuple; that echo would only confuse the sender.
        errors = [e for e in errors if not (item_errors and e["loc"] == ("items",))]
        # A field that already failed to read would only be reported again as "missing".
        errors = [e for e in errors if tuple(e["loc"][:1]) not in state.failed]
        issues = [issue_from_error(err, state.provenance, segments) for err in errors]
        merged = sorted(
            [*state.issues, *issues], key=lambda i: (i.segment_index or 0, i.element or 0)
        )
        return MappingResult(None, tuple(merged), _read(state))
    if state.issues:
        return MappingResult(None, tuple(state.issues), _read(state))
    return MappingResult(declaration, (), _read(state))


def _read(state: MappingState) -> dict[str, str]:
    return {
        key: str(getattr(value, "value", value))
        for key in _READ
        if (value := state.header.get(key)) is not None
    }


__all__ = ["MappingIssue", "MappingResult", "map_cusdec"]
