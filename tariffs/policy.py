"""The regime profile's numbers and bases as plain attributes, read in the hot path.

Reading pydantic models is fast, but a handful of booleans and Decimals in one slotted object is
faster still, and spares every item the same chain of attribute lookups.
"""

from __future__ import annotations

from tariffs.regimes import RegimeProfile


class Policy:
    """The regime's numbers and bases as plain attributes (read in the hot path)."""

    __slots__ = (
        "ct_add", "ct_duty", "ct_inclusive", "dm_basis", "dm_currency", "dm_excluded",
        "dm_inclusive", "dm_taxes", "dm_threshold", "dm_thresholds", "labels", "mode", "q",
        "vat_add", "vat_ct", "vat_duty", "vat_on_duties",
    )  # fmt: skip

    def __init__(self, regime: RegimeProfile) -> None:
        self.q = regime.rounding.quantum
        self.mode = regime.rounding.decimal_mode
        self.labels = dict(regime.labels)
        dm = regime.de_minimis
        self.dm_basis = dm.basis
        self.dm_threshold = dm.threshold
        self.dm_currency = dm.currency
        self.dm_thresholds = dict(dm.thresholds)
        self.dm_inclusive = dm.inclusive
        self.dm_taxes = frozenset(dm.taxes)
        self.dm_excluded = dm.excluded_code_prefixes
        bases = regime.tax_bases
        self.ct_inclusive = bases.consumption_tax_inclusive
        self.ct_duty = "customs_duty" in bases.consumption_tax
        self.ct_add = "additional_duty" in bases.consumption_tax
        self.vat_duty = "customs_duty" in bases.vat
        self.vat_add = "additional_duty" in bases.vat
        self.vat_ct = "consumption_tax" in bases.vat
        self.vat_on_duties = self.vat_duty and self.vat_add  # base = value + all duties


_POLICIES: dict[int, tuple[RegimeProfile, Policy]] = {}


def policy(regime: RegimeProfile) -> Policy:
    """The (memoised) policy of ``regime``."""
    held = _POLICIES.get(id(regime))
    if held is None or held[0] is not regime:
        held = (regime, Policy(regime))
        _POLICIES[id(regime)] = held
    return held[1]
