"""Does a listed case allow invalidating a released declaration? Pure: facts in, verdict out.

The first case whose every condition holds applies. Otherwise the verdict keeps, for each
case, why it does not apply, so the refusal can tell the sender exactly that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from clearance.lifecycle.invalidation.policy import ListedCase


@dataclass(frozen=True, slots=True)
class Facts:
    """What is stored about a released declaration, dates local to the administration."""

    direction: str  # import | export
    released_on: date | None  # None: no release time recorded
    exit_confirmed: bool
    exit_confirmed_on: date | None = None  # None with exit_confirmed: date not recorded


@dataclass(frozen=True, slots=True)
class Applies:
    """A listed case applies: the cancellation is accepted under it."""

    regime: str
    case: ListedCase
    released_on: date | None
    days_since_release: int | None


@dataclass(frozen=True, slots=True)
class NotListed:
    """No listed case applies; ``misses`` says why not, case by case."""

    regime: str
    misses: tuple[tuple[ListedCase, tuple[str, ...]], ...]

    def reason(self, number: str) -> str:
        """The refusal text the sender gets."""
        if not self.misses:
            return (
                f"declaration {number} is already released; regime {self.regime} lists no "
                "case of invalidation after release"
            )
        cases = "; ".join(
            f"{case.id} ({case.summary()}): {', '.join(why)}" for case, why in self.misses
        )
        return (
            f"declaration {number} is released; invalidation after release only in listed "
            f"cases: {cases}"
        )


def judge(
    regime: str, cases: tuple[ListedCase, ...], facts: Facts, today: date
) -> Applies | NotListed:
    """The verdict on invalidating a released declaration on ``today`` (the clock's date)."""
    days = None if facts.released_on is None else (today - facts.released_on).days
    misses = []
    for case in cases:
        why = _why_not(case, facts, days)
        if not why:
            return Applies(regime, case, facts.released_on, days)
        misses.append((case, why))
    return NotListed(regime, tuple(misses))


def _why_not(case: ListedCase, facts: Facts, days: int | None) -> tuple[str, ...]:
    """Every condition of ``case`` the facts fail, in words; empty when the case applies."""
    c, why = case.conditions, []
    if c.direction is not None and facts.direction != c.direction:
        why.append(f"the declaration is an {facts.direction}")
    if c.exit_confirmed is False and facts.exit_confirmed:
        on = facts.exit_confirmed_on
        why.append("exit was confirmed" + ("" if on is None else f" on {on.isoformat()}"))
    limit = c.max_days_since_release
    if limit is not None:
        if days is None:
            # Fail closed: without a release time the limit cannot be shown to be kept.
            why.append("its release time is not recorded")
        elif days > limit:
            assert facts.released_on is not None
            why.append(
                f"released on {facts.released_on.isoformat()}, {days} days ago (limit {limit})"
            )
    return tuple(why)
