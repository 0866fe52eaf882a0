"""Findings and the rule objects that produce them.

A rule is a function wrapped by :func:`rule`: it gets an id, a version, a title in Chinese and
English and a default severity, and it returns zero or more :class:`Finding` objects. Evidence is a
flat mapping of the values that were compared, rendered as JSON-safe scalars so it can be stored
and shown to an officer unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rules.context import ControlContext

#: A value in a finding's evidence: JSON-safe, ``Decimal`` and dates rendered as strings.
EvidenceValue = str | int | bool | None | tuple[str, ...]
Evidence = Mapping[str, EvidenceValue]


class Severity(StrEnum):
    """How much a finding weighs, in increasing order."""

    INFO = "info"  # recorded, changes nothing
    WARNING = "warning"  # an officer looks before release; the lane is unchanged
    DOCUMENTS = "documents"  # documentary check (yellow lane at least)
    INSPECTION = "inspection"  # physical examination (red lane)
    REJECT = "reject"  # the declaration cannot be accepted as it stands

    @property
    def rank(self) -> int:
        """0 for info up to 4 for reject."""
        return _SEVERITY_RANK[self]


_SEVERITY_ORDER = tuple(Severity)
_SEVERITY_RANK = {severity: rank for rank, severity in enumerate(_SEVERITY_ORDER)}


@dataclass(frozen=True, slots=True)
class Finding:
    """What a rule found: which rule, how grave, in both languages, and the values compared."""

    rule_id: str
    rule_version: int
    severity: Severity
    message_zh: str
    message_en: str
    evidence: Evidence
    item_sequence: int | None = None

    def as_json(self) -> dict[str, object]:
        """A JSON-ready dict (for storage and the officer console)."""
        return {
            "rule_id": self.rule_id,
            "rule_version": self.rule_version,
            "severity": self.severity.value,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
            "evidence": {
                k: list(v) if isinstance(v, tuple) else v for k, v in self.evidence.items()
            },
            "item_sequence": self.item_sequence,
        }


def evidence(**values: object) -> dict[str, EvidenceValue]:
    """Render compared values as evidence: decimals and dates as strings, sequences as tuples."""
    return {key: render(value) for key, value in values.items()}


def render(value: object) -> EvidenceValue:
    """One compared value as :func:`evidence` renders it."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")  # as computed, trailing zeros kept, never exponent notation
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list | frozenset | set):
        items = sorted(value) if isinstance(value, frozenset | set) else value
        return tuple(str(render(v)) for v in items)
    return str(value)


Check = Callable[["Rule", "ControlContext"], Iterable[Finding]]
#: A rule's precondition: when it is false for a context, the rule finds nothing there.
Guard = Callable[["ControlContext"], bool]


@dataclass(frozen=True, slots=True)
class Rule:
    """A control rule: identity, titles, default severity, and the check it runs."""

    id: str
    version: int
    title_zh: str
    title_en: str
    severity: Severity
    check: Check
    # Cheap and shared by a family (e.g. "the declaration cites a licence"): run_controls asks
    # it once for a run of consecutive rules with the same guard and skips them when false.
    guard: Guard | None = field(default=None, compare=False)

    def __call__(self, context: ControlContext) -> list[Finding]:
        """Run the check on ``context``."""
        return list(self.check(self, context))

    def finding(
        self,
        *,
        zh: str,
        en: str,
        evidence: Evidence,
        item: int | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        """A finding of this rule (default severity unless ``severity`` is given)."""
        return Finding(self.id, self.version, severity or self.severity, zh, en, evidence, item)


def rule(
    rule_id: str,
    version: int,
    *,
    zh: str,
    en: str,
    severity: Severity,
    guard: Guard | None = None,
) -> Callable[[Check], Rule]:
    """Decorate ``check(rule, context)`` into a :class:`Rule` with its identity and titles.

    ``guard``: a precondition without which ``check`` can find nothing (it must never be
    false where the check would find something); :func:`rules.controls.run_controls` skips
    the check when it is false.
    """

    def wrap(check: Check) -> Rule:
        """Bind the identity to ``check``."""
        return Rule(rule_id, version, zh, en, severity, check, guard)

    return wrap
