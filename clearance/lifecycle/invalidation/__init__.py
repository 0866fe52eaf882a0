"""Invalidation after release, only in the listed cases of the declaration's regime.

A cancellation of a released declaration is accepted when a listed case of its regime
(:mod:`clearance.lifecycle.invalidation.policy`, data in ``listed_cases.json``) applies to the
stored facts (:mod:`clearance.lifecycle.invalidation.facts`) on the clock's date; registration
then invalidates it, and the controls step gives the consumed ledger amounts back (``return``
entries) and voids its rebate records. Otherwise the refusal names each listed case and why it
does not apply.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from clearance.lifecycle.invalidation.facts import gather
from clearance.lifecycle.invalidation.judge import Applies, Facts, NotListed, judge
from clearance.lifecycle.invalidation.policy import ListedCase, listed_cases, load_policy
from clearance.lifecycle.regime_choice import regime_of
from edi.model import Declaration


def after_release(
    session: Session,
    number: str,
    declaration: Declaration,
    office: str,
    configured_regime: str | None,
    now: datetime,
    timezone: str,
) -> Applies | NotListed:
    """May released ``number`` (current content ``declaration``) be invalidated ``now``?

    ``office`` is the office its number was drawn for and ``configured_regime`` the
    ``CUSTOMS_REGIME`` setting: the regime is chosen exactly as the assessment chose it.
    ``now`` comes from the injected clock, never from the wall clock.
    """
    zone = ZoneInfo(timezone)
    regime = regime_of(declaration, office, configured_regime).id
    facts = gather(session, number, declaration.direction.value, zone)
    return judge(regime, listed_cases(regime), facts, now.astimezone(zone).date())


__all__ = [
    "Applies",
    "Facts",
    "ListedCase",
    "NotListed",
    "after_release",
    "judge",
    "listed_cases",
    "load_policy",
]
