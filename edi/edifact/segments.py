"""The tokenizer's output: segments with their position, and the service characters.

A segment's data is ``elements[e][r][c]``: element ``e`` (0-based, after the tag), repetition
``r`` (syntax 4 repetition separator; 0 when not repeated) and component ``c``. Release
characters are already removed. Positions are 1-based, as EDI people count them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

Component = str
Repetition = tuple[Component, ...]
Element = tuple[Repetition, ...]


@dataclass(frozen=True, slots=True)
class Delimiters:
    """Service characters from UNA (by position) or the syntax defaults."""

    component: str = ":"
    element: str = "+"
    decimal: str = "."
    release: str | None = "?"
    repetition: str | None = None  # syntax 4 (UNA position 5); None before syntax 4
    segment: str = "'"

    def una(self) -> str:
        """The UNA service string advice that announces these characters."""
        return (
            "UNA"
            + self.component
            + self.element
            + self.decimal
            + (self.release or " ")
            + (self.repetition or " ")
            + self.segment
        )


#: The defaults of ISO 9735 when no UNA is present (level A: UNOA/UNOB).
DEFAULT_DELIMITERS = Delimiters()
#: Syntax version 4 defaults add the repetition separator ``*``.
SYNTAX4_DELIMITERS = Delimiters(repetition="*")


class Segment(NamedTuple):
    """One segment as read from the wire.

    ``index`` counts segments from 1 within the interchange, UNA excluded (the position that
    CONTRL's UCS 0096 names relative to a message is derived by the envelope reader).
    ``element_positions`` holds the 1-based line/column of the first character of each
    element (after its separator), so errors can point at an element.

    A named tuple rather than a frozen dataclass: the tokenizer builds one per segment
    received (42 for a five-item CUSDEC), and a tuple is built in one C call, where a frozen
    dataclass's six slots are set one Python-level call each (docs/adr/0006, stop 23). It is
    immutable all the same; equality and hash are those of its fields, as before.
    """

    tag: str
    elements: tuple[Element, ...]
    # The field hides tuple.index(); a segment was never searched as a sequence, and every
    # caller (and the CONTRL's positions) reads ``index`` as the segment's number.
    index: int  # type: ignore[assignment]
    line: int
    column: int
    element_positions: tuple[tuple[int, int], ...] = ()

    def get(self, element: int, component: int = 0, repetition: int = 0) -> str:
        """The value at (element, component, repetition), or ``""`` when absent."""
        try:
            return self.elements[element][repetition][component]
        except IndexError:
            return ""

    def components(self, element: int, repetition: int = 0) -> Repetition:
        """All components of one element occurrence, or an empty tuple."""
        try:
            return self.elements[element][repetition]
        except IndexError:
            return ()

    def repetitions(self, element: int) -> Element:
        """Every occurrence of a (possibly repeated) element."""
        try:
            return self.elements[element]
        except IndexError:
            return ()

    def position_of(self, element: int | None = None) -> tuple[int, int]:
        """Line and column of the segment, or of element ``element`` when known."""
        if element is not None and 0 <= element < len(self.element_positions):
            return self.element_positions[element]
        return (self.line, self.column)
