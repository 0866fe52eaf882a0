"""Regime profiles: the policy of an administration, as data (``tariffs/regimes/*.json``).

A profile holds the rate-selection precedence, valuation defaults, the exchange-rate rule,
rounding, de minimis and the tax bases. ``cn`` (China) is the default; ``eu`` is an EU/UK-style
profile (third-country duty vs preference vs quota, VAT on value + duty + excise) that proves the
model is not China-only. A profile is chosen by name (configuration) or by declaring office.
"""

from __future__ import annotations

import json
import re
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from tariffs.errors import RegimeError
from tariffs.rates import RateRule

_FROZEN = ConfigDict(frozen=True, extra="forbid")
#: Names a tax base may be built from.
BasePart = Literal["customs_value", "customs_duty", "additional_duty", "consumption_tax"]


class Override(BaseModel):
    """A rate type that, when present, replaces the base rate of the listed types."""

    model_config = _FROZEN
    type: str
    over: tuple[str, ...]


class RateSelection(BaseModel):
    """Which rate column applies (see docs/duties.md, "Rate selection")."""

    model_config = _FROZEN
    base: tuple[str, ...] = Field(min_length=1, description="First type applying to the origin.")
    overrides: tuple[Override, ...] = ()
    preferences: tuple[str, ...] = ()
    preference_vs_base: Literal["lower", "preference"] = "lower"
    quota_in: str | None = None
    quota_out: str | None = None
    in_quota_vs_others: Literal["quota", "lower"] = "quota"
    export_duty: tuple[str, ...] = ("export_duty",)


class Valuation(BaseModel):
    """Valuation defaults."""

    model_config = _FROZEN
    import_basis: Literal["CIF"] = "CIF"
    export_basis: Literal["FOB"] = "FOB"
    insurance_percent_when_unknown: Decimal | None = Field(
        default=None, ge=0, description="Percent of goods + freight (China: 0.3, i.e. 3‰)."
    )


class ExchangeRateRule(BaseModel):
    """How the official rate of a date is found."""

    model_config = _FROZEN
    rule: RateRule = RateRule.VALIDITY
    note: str = ""


class Rounding(BaseModel):
    """Rounding of customs values and of every tax line."""

    model_config = _FROZEN
    quantum: Decimal = Decimal("0.01")
    mode: Literal["ROUND_HALF_UP", "ROUND_HALF_EVEN", "ROUND_DOWN"] = "ROUND_HALF_UP"

    @cached_property
    def decimal_mode(self) -> str:
        """The ``decimal`` module's constant for :attr:`mode`."""
        modes = {
            "ROUND_HALF_UP": ROUND_HALF_UP,
            "ROUND_HALF_EVEN": ROUND_HALF_EVEN,
            "ROUND_DOWN": ROUND_DOWN,
        }
        return modes[self.mode]


class DeMinimis(BaseModel):
    """Relief for small amounts: per tax and consignment, or by consignment value.

    ``thresholds`` gives the amount in the schedule's own currency where the administration
    fixes one (the UK: GBP 135, not EUR 150 converted); otherwise ``threshold`` in ``currency``
    is converted at the rate of the date.
    """

    model_config = _FROZEN
    basis: Literal["tax_amount", "consignment_value", "none"] = "none"
    threshold: Decimal = Decimal(0)
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    thresholds: dict[str, Decimal] = Field(
        default_factory=dict, description="Schedule currency -> threshold in that currency."
    )
    inclusive: bool = True
    taxes: tuple[str, ...] = ()
    excluded_code_prefixes: tuple[str, ...] = ()
    note: str = ""


class TaxBases(BaseModel):
    """What each tax is charged on."""

    model_config = _FROZEN
    consumption_tax: tuple[BasePart, ...] = ("customs_value", "customs_duty")
    consumption_tax_inclusive: bool = False
    vat: tuple[BasePart, ...] = ("customs_value", "customs_duty", "consumption_tax")

    @model_validator(mode="after")
    def _no_cycles(self) -> TaxBases:
        if "consumption_tax" in self.consumption_tax:
            raise ValueError("the consumption tax base cannot contain the consumption tax")
        return self


class TaxPoint(BaseModel):
    """The date duty is assessed as of (the tax point).

    By default the date of acceptance of the declaration; for the declaration types listed in
    ``declaration_date_for`` (supplementary, simplified …) the date the declaration itself
    states, when it states one.
    """

    model_config = _FROZEN
    default: Literal["acceptance"] = "acceptance"
    declaration_date_for: tuple[str, ...] = ()


class Procedure(BaseModel):
    """What the regime says beyond the duty: numbering, controls, risk, answer wording.

    ``tariffs`` only carries these; the clearance steps read them, so that one regime chosen
    once governs every step of a declaration.
    """

    model_config = _FROZEN
    numbering: Literal["cn18", "mrn"] = "cn18"
    mrn_country: str | None = Field(
        default=None, pattern=r"^[A-Z]{2}$", description="MRN country when no office says."
    )
    risk_ruleset: str = "cn-default"
    rule_severity: dict[
        str, Literal["off", "info", "warning", "documents", "inspection", "reject"]
    ] = Field(
        default_factory=dict,
        description="Control rule id -> the severity this regime gives it ('off': not run).",
    )
    commodity_code_digits: int | None = 10
    lane_wording: dict[str, str] = Field(
        default_factory=dict, description="Lane -> what an answer says about a risk selection."
    )


class RegimeProfile(BaseModel):
    """An administration's assessment policy."""

    model_config = _FROZEN
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    name_en: str
    name_zh: str = ""
    office_pattern: str | None = Field(default=None, description="Regex of declaring offices.")
    rate_selection: RateSelection
    valuation: Valuation = Valuation()
    exchange_rate: ExchangeRateRule = ExchangeRateRule()
    rounding: Rounding = Rounding()
    de_minimis: DeMinimis = DeMinimis()
    tax_bases: TaxBases = TaxBases()
    tax_point: TaxPoint = TaxPoint()
    procedure: Procedure = Procedure()
    labels: dict[str, tuple[str, str]] = Field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def label(self, tax: str) -> tuple[str, str]:
        """(English, Chinese) label of a tax head; the head itself when unlabelled."""
        return self.labels.get(tax, (tax, tax))

    def matches_office(self, office: str) -> bool:
        """True if ``office`` matches this profile's office pattern."""
        return (
            self.office_pattern is not None
            and re.fullmatch(self.office_pattern, office) is not None
        )


BUILTIN_REGIMES = ("cn", "eu")
DEFAULT_REGIME = "cn"


@cache
def load_regime(name: str) -> RegimeProfile:
    """The built-in profile ``name`` (``cn`` or ``eu``)."""
    if name not in BUILTIN_REGIMES:
        raise RegimeError(f"unknown regime {name!r}; built in: {', '.join(BUILTIN_REGIMES)}")
    # tariffs/regimes/ is a data folder (no __init__), beside this module of the same name.
    text = resources.files("tariffs").joinpath(f"regimes/{name}.json").read_text("utf-8")
    return parse_regime(text, f"tariffs/regimes/{name}.json")


def load_regime_file(path: Path) -> RegimeProfile:
    """A profile from a JSON file of one's own."""
    return parse_regime(path.read_text("utf-8"), str(path))


def parse_regime(text: str, source: str = "<string>") -> RegimeProfile:
    """Validate a profile; every problem becomes a :class:`RegimeError` naming ``source``."""
    try:
        return RegimeProfile.model_validate(json.loads(text))
    except (ValueError, ValidationError) as exc:
        raise RegimeError(f"{source}: invalid regime profile: {exc}") from exc


def select_regime(
    name: str | None = None, office: str | None = None, default: str = DEFAULT_REGIME
) -> RegimeProfile:
    """Choose a profile: an explicit ``name`` wins, then the declaring ``office``, then default."""
    if name:
        return load_regime(name)
    # Asked by several steps for every declaration, with a few offices: the built-in profiles
    # are loaded once and never change, so the choice per (office, default) is remembered.
    key = (office, default)
    profile = _BY_OFFICE.get(key)
    if profile is None:
        profile = _by_office(office, default)
        if len(_BY_OFFICE) >= _BY_OFFICE_LIMIT:
            _BY_OFFICE.clear()
        _BY_OFFICE[key] = profile
    return profile


def _by_office(office: str | None, default: str) -> RegimeProfile:
    if office:
        for candidate in BUILTIN_REGIMES:
            profile = load_regime(candidate)
            if profile.matches_office(office):
                return profile
    return load_regime(default)


_BY_OFFICE: dict[tuple[str | None, str], RegimeProfile] = {}
_BY_OFFICE_LIMIT = 4096
