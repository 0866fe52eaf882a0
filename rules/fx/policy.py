"""The FX monitoring policy as data: window, receipt lag, thresholds per district, class rules."""

from __future__ import annotations

from decimal import Decimal
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rules.errors import RulesError

_FROZEN = ConfigDict(frozen=True, extra="forbid")
#: The conditions a class rule may name (computed by :func:`rules.fx.compute_indicators`).
Condition = Literal["breach", "on_site_candidate", "large_deviation", "consecutive_breaches"]


class FxPolicyError(RulesError):
    """The FX policy file is invalid."""

    code = "fx_policy_invalid"


class Threshold(BaseModel):
    """When a trader's gap is a breach: both the ratio and the absolute floor exceeded."""

    model_config = _FROZEN
    gap_ratio: Decimal = Field(gt=0, lt=1, description="e.g. 0.30 for ±30%")
    gap_floor_usd: Decimal = Field(ge=0, description="e.g. 500000")


class ClassRule(BaseModel):
    """A class given when any of its conditions holds; rules are tried in order."""

    model_config = _FROZEN
    grade: Literal["B", "C"]
    when: tuple[Condition, ...] = Field(min_length=1)


class FxPolicy(BaseModel):
    """Everything the indicators and the classification depend on, with an id and version."""

    model_config = _FROZEN
    id: str
    version: str
    window_months: int = Field(default=12, ge=1, le=36)
    #: Receipts and payments count for the goods of N working days before their value date
    #: (the time a payment takes to follow the goods): a receipt in the first N working days
    #: after the window still counts for it.
    settlement_lag_working_days: int = Field(default=0, ge=0, le=120)
    default: Threshold
    #: By customs office prefix (e.g. "53" Shenzhen, "5316" one office); the longest match wins.
    districts: dict[str, Threshold] = Field(default_factory=dict)
    #: On-site candidate: the gap ratio this far beyond the threshold (0.50: 50% beyond) …
    on_site_excess: Decimal = Field(default=Decimal("0.50"), ge=0)
    #: … or this many consecutive monthly breaches.
    consecutive_breaches: int = Field(default=4, ge=2, le=24)
    objection_working_days: int = Field(default=7, ge=0, le=60)
    #: How long a B or C class lasts (days); it is not lifted earlier by better indicators.
    class_validity_days: int = Field(default=365, ge=1)
    classes: tuple[ClassRule, ...] = Field(min_length=1)
    calendar: str = "cn"
    note: str = ""

    def threshold(self, office: str | None) -> Threshold:
        """The threshold of the district of ``office`` (longest prefix), else the default."""
        if office:
            for length in range(len(office), 0, -1):
                found = self.districts.get(office[:length])
                if found is not None:
                    return found
        return self.default


def load_policy(name: str, text: str) -> FxPolicy:
    """A policy from its JSON text; :class:`FxPolicyError` names every problem."""
    try:
        return FxPolicy.model_validate_json(text)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors()
        )
        raise FxPolicyError(f"FX policy {name}: {problems}") from exc


def shipped_policy(name: str = "cn") -> FxPolicy:
    """A policy shipped with the project (``rules/fx/<name>.json``)."""
    path = resources.files("rules.fx").joinpath(f"{name}.json")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise FxPolicyError(f"no shipped FX policy {name!r}") from exc
    return load_policy(name, text)
