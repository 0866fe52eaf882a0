"""Which regime profile governs a declaration — one choice for every step that needs it.

The tariff assessment and the lifecycle (invalidation after release in listed cases) must
agree on the regime, so both ask here: ``CUSTOMS_REGIME`` when it is set, else the profile
whose office pattern matches the declaring office, else the exit/entry office, else the
office the number was drawn for (:func:`tariffs.select_regime` falls back to ``cn``).
"""

from __future__ import annotations

from edi.model import Declaration
from tariffs import RegimeProfile, select_regime


def regime_of(
    declaration: Declaration, number_office: str, configured: str | None
) -> RegimeProfile:
    """The regime profile of ``declaration`` (registered under ``number_office``)."""
    office = declaration.declaration_office or declaration.port_office or number_office
    return select_regime(configured, office)
