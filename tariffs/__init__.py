"""Tariffs: nomenclature, measures, duty expressions, exchange rates and the duty assessment.

Pure: no database, no clock (every lookup takes ``as_of``), no EDI. The public API:

* load: :func:`load_schedule`, :func:`loads_schedule` → :class:`Schedule`
  (:func:`content_hash_of` without building it); :class:`ScheduleHistory` keeps versions;
  :func:`load_regime`, :func:`load_regime_file` / :func:`select_regime` profiles;
* ask: :func:`measures_in_force` (``show``) → :class:`MeasureView` rows, :func:`quote` (one
  item), :func:`assess_declaration` (a declaration) → :class:`DeclarationAssessment`;
  :func:`render_measures` / :func:`render_assessment` give them as plain text;
* input types: :class:`AssessmentRequest`, :class:`ItemRequest`, :class:`Money`,
  :class:`Quantity`, :class:`Document`, :class:`Charge`, :class:`Incoterm`
  (:func:`parse_document` / :func:`parse_charge` read them from command-line text);
* result types: :class:`ItemAssessment`, :class:`TaxLine`, :class:`ChosenRate`,
  :class:`Alternative`, :class:`ConditionFinding`, :class:`ValueBreakdown`, :class:`TaxTotal`;
* duties as data: :class:`DutyExpression` of :class:`DutyComponent` (:class:`Op`);
* units: :data:`UNITS`, :func:`unit_symbol` and the CN / UN Rec 20 code tables;
* errors: :class:`TariffError` and its subclasses (see :mod:`tariffs.errors`).
"""

from tariffs.assessment import assess_declaration
from tariffs.errors import (
    ExchangeRateError,
    LoadProblem,
    RegimeError,
    TariffError,
    TariffLoadError,
    TariffVersionConflictError,
    UnknownUnitError,
)
from tariffs.expressions import DutyComponent, DutyExpression, Op
from tariffs.history import ScheduleHistory
from tariffs.loader import content_hash_of, load_schedule, loads_schedule
from tariffs.queries import MeasureView, measures_in_force, render_assessment, render_measures
from tariffs.quoting import parse_charge, parse_document, quote
from tariffs.regimes import RegimeProfile, load_regime, load_regime_file, select_regime
from tariffs.requests import (
    AssessmentRequest,
    Charge,
    ChargeMark,
    Document,
    Incoterm,
    ItemRequest,
    Money,
    Quantity,
)
from tariffs.results import (
    Alternative,
    ChosenRate,
    ConditionFinding,
    DeclarationAssessment,
    ItemAssessment,
    TaxLine,
    TaxTotal,
    ValueBreakdown,
)
from tariffs.schedule import Schedule, ScheduleVersion
from tariffs.units import CN_UNIT_CODES, REC20_UNIT_CODES, UNITS, unit_symbol

__all__ = [
    "CN_UNIT_CODES",
    "REC20_UNIT_CODES",
    "UNITS",
    "Alternative",
    "AssessmentRequest",
    "Charge",
    "ChargeMark",
    "ChosenRate",
    "ConditionFinding",
    "DeclarationAssessment",
    "Document",
    "DutyComponent",
    "DutyExpression",
    "ExchangeRateError",
    "Incoterm",
    "ItemAssessment",
    "ItemRequest",
    "LoadProblem",
    "MeasureView",
    "Money",
    "Op",
    "Quantity",
    "RegimeError",
    "RegimeProfile",
    "Schedule",
    "ScheduleHistory",
    "ScheduleVersion",
    "TariffError",
    "TariffLoadError",
    "TariffVersionConflictError",
    "TaxLine",
    "TaxTotal",
    "UnknownUnitError",
    "ValueBreakdown",
    "assess_declaration",
    "content_hash_of",
    "load_regime",
    "load_regime_file",
    "load_schedule",
    "loads_schedule",
    "measures_in_force",
    "parse_charge",
    "parse_document",
    "quote",
    "render_assessment",
    "render_measures",
    "select_regime",
    "unit_symbol",
]
