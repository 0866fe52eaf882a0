"""Assessment: customs value → duty → additional duties → consumption tax → VAT, per item.

Pure functions over ``Decimal``; no clock, no database. The formulas (China default profile;
each base is data in the regime profile, see docs/duties.md):

* duty = the chosen rate's expression on the customs value (and quantities);
* additional duties (anti-dumping, countervailing, safeguard) on the customs value, on top;
* consumption tax, tax-inclusive (China):
  ``(value + duty + additional + q×s) / (1 − r) × r + q×s``; not inclusive (EU excise):
  the expression on its base;
* VAT = (value + duty + additional + consumption tax) × rate;
* exports: value = FOB / (1 + t), export duty = value × t.

Each line is rounded to the profile's quantum (0.01 half-up) and later bases use rounded lines.
"""

from __future__ import annotations

from decimal import Decimal

from tariffs.consignment import consignment
from tariffs.errors import ExchangeRateError
from tariffs.items import export_item, import_item, unassessable
from tariffs.policy import policy
from tariffs.rates import ExchangeRate
from tariffs.regimes import RegimeProfile
from tariffs.requests import AssessmentRequest
from tariffs.results import DeclarationAssessment, ItemAssessment, ValueBreakdown, fast_new
from tariffs.schedule import Schedule
from tariffs.selection import plan_for, plan_table
from tariffs.valuation import value_declaration


def assess_declaration(
    request: AssessmentRequest, schedule: Schedule, regime: RegimeProfile
) -> DeclarationAssessment:
    """Assess every item of ``request`` and total the consignment, with de minimis relief.

    Items that cannot be assessed (unknown code, missing quantity for a specific duty, missing
    exchange rate …) come back with ``status="not_assessable"`` and their problems; the rest of
    the declaration is still assessed.
    """
    as_of, currency = request.as_of, schedule.currency
    used: dict[str, ExchangeRate] = {}

    def fx(code: str) -> Decimal:
        rate = used.get(code)
        if rate is None:
            rate = schedule.rates.lookup(code, as_of, regime.exchange_rate.rule)
            used[code] = rate
        return rate.rate

    export = request.direction == "export"
    try:
        valuation = value_declaration(request, fx, regime)
    except ExchangeRateError as exc:
        items = tuple(unassessable(i, (str(exc),), currency) for i in request.items)
        return consignment(request, schedule, regime, items, (), used, fx)  # nothing valued
    p = policy(regime)
    basis = "FOB" if export else "CIF"
    out: list[ItemAssessment] = []
    run = export_item if export else import_item
    exhausted, problems = request.exhausted_quotas, valuation.problems
    table = plan_table(schedule, regime, export, as_of, exhausted)
    v = valuation
    for item, g, f, i, o, value in zip(
        request.items, v.goods, v.freight, v.insurance, v.other, v.values, strict=True
    ):
        # = selection.plan_key(item, export), inline: this loop runs once per item
        country = (item.destination or item.origin) if export else item.origin
        docs = item.document_key() if item.documents else ()
        key = (item.code, country, item.preference, docs, item.additional_codes)
        plan = table.get(key)
        if plan is None:
            plan = plan_for(schedule, regime, item, as_of, export, exhausted, table, key)
        if problems or plan.problems:
            out.append(unassessable(item, problems + plan.problems, currency, plan))
            continue
        vb = fast_new(ValueBreakdown, (basis, g, f, i, o, value, currency))
        out.append(run(plan, item, vb, p, currency))
    return consignment(request, schedule, regime, tuple(out), valuation.notes, used, fx)
