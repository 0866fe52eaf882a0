"""The tariff package's exception tree (one place, stable codes).

``TariffError``
    ├── ``TariffLoadError``      a schedule file is invalid (every problem names file, line, column)
    ├── ``TariffVersionConflictError`` the same version id was loaded with other content
    ├── ``UnknownUnitError``     a unit symbol the unit table does not know
    ├── ``ExchangeRateError``    no official rate for a currency on a date
    └── ``RegimeError``          a regime profile is invalid or unknown

Expected business outcomes (an unknown commodity code on a declaration, a missing quantity for a
specific duty) are *not* exceptions: they are reported as problems on the item assessment.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import CustomsError


class TariffError(CustomsError):
    """Base class of the errors raised by :mod:`tariffs`."""

    code = "tariff"


@dataclass(frozen=True, slots=True)
class LoadProblem:
    """One problem found while loading a schedule file (1-based line and column)."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class TariffLoadError(TariffError):
    """A schedule file could not be loaded; nothing of it was loaded (all or nothing)."""

    code = "tariff_load"

    def __init__(self, problems: tuple[LoadProblem, ...]) -> None:
        shown = "\n".join(str(p) for p in problems[:20])
        more = f"\n… and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"{len(problems)} problem(s) in schedule:\n{shown}{more}")
        self.problems = problems

    @property
    def first(self) -> LoadProblem:
        """The first problem (the one a human should fix first)."""
        return self.problems[0]


class TariffVersionConflictError(TariffError):
    """A schedule version id is already known with different content."""

    code = "tariff_version_conflict"


class UnknownUnitError(TariffError):
    """A unit symbol is not in the unit table."""

    code = "tariff_unknown_unit"


class ExchangeRateError(TariffError):
    """No official exchange rate exists for a currency on the date asked."""

    code = "tariff_exchange_rate"


class RegimeError(TariffError):
    """A regime profile is unknown or invalid."""

    code = "tariff_regime"
