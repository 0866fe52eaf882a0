"""Which regime profile governs a declaration — one choice for every step that needs it.

Numbering, the tariff assessment (and its tax point), the controls and risk ruleset, the answers'
wording and the lifecycle (invalidation after release in listed cases) must agree on the regime,
so all ask here: ``CUSTOMS_REGIME`` when it is set, else the profile whose office pattern matches
the declaring office, else the exit/entry office, else the office the number was drawn for
(:func:`tariffs.select_regime` falls back to ``cn``).
"""

from __future__ import annotations

from datetime import date

from edi.model import Declaration
from rules.context import ControlPolicy
from tariffs import RegimeProfile, select_regime


def regime_of(
    declaration: Declaration, number_office: str, configured: str | None
) -> RegimeProfile:
    """The regime profile of ``declaration`` (registered under ``number_office``)."""
    office = declaration.declaration_office or declaration.port_office or number_office
    return select_regime(configured, office)


def tax_point(regime: RegimeProfile, declaration: Declaration, accepted_on: date) -> date:
    """The date duty is assessed as of.

    The date of acceptance by default; for a declaration type the regime lists (a
    supplementary or simplified declaration under the EU/UK-style profile) the date the
    declaration itself states, when it states one.
    """
    kind = declaration.declaration_type
    listed = kind is not None and kind.value in regime.tax_point.declaration_date_for
    if listed and declaration.declaration_date is not None:
        return declaration.declaration_date
    return accepted_on


def control_policy(regime: RegimeProfile) -> ControlPolicy:
    """The controls' tunables of ``regime`` (commodity code length, rules' weights)."""
    procedure = regime.procedure
    return ControlPolicy(
        commodity_code_digits=procedure.commodity_code_digits,
        rule_severity=tuple(sorted(procedure.rule_severity.items())),
        regime=regime.id,
    )
