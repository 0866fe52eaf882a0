"""The listed cases of invalidation after release, per regime, as data (``listed_cases.json``).

A case names the facts the system can check itself — direction, exit not confirmed, days since
release — so that refusing or accepting a cancellation of a released declaration never depends
on a constant in code. Unknown condition names are refused when the file is read: a condition
the code cannot check must not be silently treated as met.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Conditions(BaseModel):
    """What must hold for a case to apply; a condition left out (None) is not checked."""

    model_config = _FROZEN
    direction: Literal["import", "export"] | None = None
    exit_confirmed: Literal[False] | None = Field(
        default=None, description="false: the goods' exit must not have been confirmed."
    )
    max_days_since_release: int | None = Field(
        default=None, ge=0, description="Calendar days from the day of release, inclusive."
    )


class ListedCase(BaseModel):
    """One listed case: id, labels, legal basis (marked verify) and its checkable conditions."""

    model_config = _FROZEN
    id: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    label_en: str
    label_zh: str
    legal_basis: str
    conditions: Conditions
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        """The conditions in a few words, e.g. "export whose exit is not confirmed, within
        150 days of release" (what a refusal names)."""
        c = self.conditions
        head = " ".join(
            part
            for part in (
                c.direction or "declaration",
                "whose exit is not confirmed" if c.exit_confirmed is False else None,
            )
            if part
        )
        days = c.max_days_since_release
        return head if days is None else f"{head}, within {days} days of release"


class Policy(BaseModel):
    """The whole file: listed cases by regime id."""

    model_config = _FROZEN
    about: str = ""
    regimes: dict[str, tuple[ListedCase, ...]]


@cache
def load_policy() -> Policy:
    """The built-in policy (``clearance/lifecycle/invalidation/listed_cases.json``), read once."""
    text = (
        resources.files("clearance.lifecycle.invalidation")
        .joinpath("listed_cases.json")
        .read_text("utf-8")
    )
    return Policy.model_validate(json.loads(text))


def listed_cases(regime: str) -> tuple[ListedCase, ...]:
    """The listed cases of ``regime``; none for a regime the policy does not name."""
    return load_policy().regimes.get(regime, ())
