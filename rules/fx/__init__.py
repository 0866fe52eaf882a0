"""FX monitoring of traders (收汇核查, the post-2012 aggregate model): pure indicators and classes.

Customs holds the goods side; the banks report receipts and payments. Per trader over a rolling
window (12 months by default): total gap = (imports + receipts) − (exports + payments), gap ratio
= gap / (imports + exports + receipts + payments), funds-to-goods and receipt ratios. Thresholds,
the window, the receipt lag and the class rules are data (``rules/fx/cn.json``); see
``docs/fx-monitoring.md``. Nothing here reads the database or the clock.
"""

from rules.fx.classify import ClassDecision, CurrentClass, Grade, Ruling, class_term, classify
from rules.fx.indicators import Indicators, MonthTotals, compute_indicators, month_of
from rules.fx.policy import FxPolicy, Threshold, load_policy, shipped_policy

__all__ = [
    "ClassDecision",
    "CurrentClass",
    "FxPolicy",
    "Grade",
    "Indicators",
    "MonthTotals",
    "Ruling",
    "Threshold",
    "class_term",
    "classify",
    "compute_indicators",
    "load_policy",
    "month_of",
    "shipped_policy",
]
