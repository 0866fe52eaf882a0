"""Syntax checks of one message beyond its envelope: type, directory, structure, elements."""

from __future__ import annotations

from edi.edifact.directories import UnknownMessageStructureError
from edi.edifact.directories.elements import load_segment_specs, validate_elements
from edi.edifact.envelope import Message
from edi.edifact.errors import SyntaxErrorCode, SyntaxIssue
from edi.edifact.structure import load_structure, validate_message

SUPPORTED_TYPES = frozenset({"CUSDEC"})


def message_issues(message: Message) -> tuple[SyntaxIssue, ...]:
    """Everything wrong with ``message`` at the syntax level (empty when it may be mapped)."""
    if message.issues:
        return tuple(message.issues)
    unh = message.header
    if message.message_type not in SUPPORTED_TYPES:
        line, column = unh.position_of(1)
        text = (
            f"message type {message.message_type} is not accepted here "
            f"(accepted: {', '.join(sorted(SUPPORTED_TYPES))})"
        )
        return (
            SyntaxIssue(
                SyntaxErrorCode.VALUE_NOT_SUPPORTED_IN_POSITION,
                text,
                "UNH",
                unh.index,
                line,
                column,
                element=2,
                component=1,
            ),
        )
    directory = f"{message.version}{message.release}"
    try:
        structure = load_structure(directory, message.message_type)
    except UnknownMessageStructureError as exc:
        return (exc.issue(unh),)
    issues = validate_message(structure, message.segments)
    # Element checks (mandatory, length, type) only make sense once the segments are placed.
    if not issues:
        issues = validate_elements(load_segment_specs(directory), message.segments[1:-1])
    return tuple(issues)
