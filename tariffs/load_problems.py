"""The parsed lines of a schedule file and the problems collected against them.

Shared by :mod:`tariffs.loader` (which parses the lines) and :mod:`tariffs.assemble` /
:mod:`tariffs.assemble_measures` (which check them across records); it sits below all three so
that none of them imports another only for these types.
"""

from __future__ import annotations

from dataclasses import dataclass

from tariffs.errors import LoadProblem, TariffLoadError
from tariffs.jsonpos import column
from tariffs.records import Record

MAX_PROBLEMS = 200


@dataclass(frozen=True, slots=True)
class Line:
    """A parsed record with where it came from."""

    number: int
    text: str
    record: Record


class Problems:
    """Collects problems of one file."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[LoadProblem] = []

    def add(self, line: int, col: int, message: str) -> None:
        """A problem at ``line`` and ``col`` (1-based)."""
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(LoadProblem(self.file, line, col, message))

    def at(self, line: Line, path: tuple[str | int, ...], message: str) -> None:
        """A problem at the field ``path`` of ``line``."""
        self.add(line.number, column(line.text, path), message)

    def raise_if_any(self) -> None:
        """Raise :class:`TariffLoadError` with every problem, if there is one."""
        if self.items:
            raise TariffLoadError(tuple(self.items))
