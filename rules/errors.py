"""The error tree of the rules package.

Business outcomes (a missing licence, an exhausted certificate) are findings, never exceptions.
Exceptions are for broken inputs the operator must fix: a registry file that does not parse, a
risk ruleset with an invalid cell, an evaluation the engine could not run.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import CustomsError


class RulesError(CustomsError):
    """Base class of every error raised on purpose by :mod:`rules`."""

    code = "rules_error"


@dataclass(frozen=True, slots=True)
class RegistryIssue:
    """One problem in a registry file: where it is (1-based line and column) and what it is."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


class RegistryLoadError(RulesError):
    """A registry file (or set of files) was refused as a whole; ``issues`` lists every problem."""

    code = "registry_load"

    def __init__(self, issues: tuple[RegistryIssue, ...]) -> None:
        first = "; ".join(str(issue) for issue in issues[:5])
        more = f" (and {len(issues) - 5} more)" if len(issues) > 5 else ""
        super().__init__(f"registry not loaded, {len(issues)} problem(s): {first}{more}")
        self.issues = issues


@dataclass(frozen=True, slots=True)
class RulesetLocation:
    """Where in a JDM ruleset a problem sits; ``None`` parts do not apply."""

    path: str
    node: str | None = None
    row: str | None = None
    column: str | None = None
    expression: str | None = None

    def __str__(self) -> str:
        parts = [self.path]
        if self.node is not None:
            parts.append(f"node {self.node!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        if self.expression is not None:
            parts.append(f"expression {self.expression!r}")
        return ", ".join(parts)


class RulesetError(RulesError):
    """A risk ruleset was refused at load; ``location`` names file, node, row, column, cell."""

    code = "ruleset_invalid"

    def __init__(self, location: RulesetLocation, reason: str) -> None:
        super().__init__(f"{location}: {reason}")
        self.location = location
        self.reason = reason


class RiskEvaluationError(RulesError):
    """The decision engine failed to evaluate a loaded ruleset (never silently ignored)."""

    code = "risk_evaluation"


class UnknownRulesetError(RulesError):
    """A ruleset version was asked for that the risk engine has not loaded."""

    code = "ruleset_unknown"
