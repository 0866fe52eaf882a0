"""Questions a person asks of a schedule: ``show`` (measures in force) and plain-text answers.

``measures_in_force`` answers ``show CODE --origin CC --on DATE``; ``render_assessment`` turns a
``quote`` into the text a broker reads. JSON output is ``DeclarationAssessment.model_dump()``.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from tariffs.expressions import format_money
from tariffs.measures import Measure, Role
from tariffs.results import DeclarationAssessment, ValueBreakdown
from tariffs.schedule import Schedule

_ROLE_ORDER = {role: n for n, role in enumerate(Role)}


class MeasureView(NamedTuple):
    """A measure in force, in words, for display and JSON."""

    id: str
    type: str
    type_name_en: str
    type_name_zh: str
    role: str
    code: str  # the code the measure is attached to (may be a level above the one asked)
    geo: str
    geo_name: str
    expression: str
    expression_zh: str
    valid_from: date
    valid_to: date | None
    conditions: tuple[str, ...]
    quota: str | None
    additional_code: str | None
    legal_base: str | None
    source: str


def measures_in_force(
    schedule: Schedule, code: str, origin: str | None, as_of: date
) -> tuple[MeasureView, ...]:
    """Every measure in force on ``as_of`` for ``code`` (and ``origin`` if given), in words."""
    measures = schedule.measures_in_force(code, origin, as_of)
    type_order = {t: n for n, t in enumerate(schedule.measure_types)}  # built-ins first
    ordered = sorted(
        measures,
        key=lambda m: (_ROLE_ORDER[schedule.measure_types[m.type].role], type_order[m.type], m.id),
    )
    return tuple(_view(schedule, m) for m in ordered)


def _view(schedule: Schedule, m: Measure) -> MeasureView:
    t = schedule.measure_types[m.type]
    group = schedule.groups.get(m.geo)
    conditions = tuple(
        f"{' or '.join(c.documents)} else {c.action.value}"
        + (f" ({c.duty_if_missing.words})" if c.duty_if_missing else "")
        for c in m.conditions
    )
    return MeasureView(
        m.id, m.type, t.name_en, t.name_zh, t.role.value, m.code, m.geo,
        group.name_en if group else m.geo,
        m.duty.words if m.duty else "", m.duty.words_zh if m.duty else "",
        m.valid_from, m.valid_to, conditions, m.quota, m.additional_code, m.legal_base, m.source,
    )  # fmt: skip


def render_measures(schedule: Schedule, code: str, origin: str | None, as_of: date) -> str:
    """Plain text for ``show``: the nomenclature path, then the measures in force."""
    out = [
        f"{e.code:<10} {e.description_zh} / {e.description_en}" for e in schedule.path(code, as_of)
    ]
    views = measures_in_force(schedule, code, origin, as_of)
    who = f"origin {origin}" if origin else "all origins"
    out.append(f"measures in force on {as_of.isoformat()} for {who} ({schedule.version.id}):")
    for v in views:
        until = v.valid_to.isoformat() if v.valid_to else "…"
        extra = "".join(
            f"; {x}"
            for x in (
                *(f"condition: {c}" for c in v.conditions),
                f"quota {v.quota}" if v.quota else "",
                f"additional code {v.additional_code}" if v.additional_code else "",
            )
            if x
        )
        out.append(
            f"  {v.type_name_en} ({v.type_name_zh}) [{v.geo}] {v.expression or '-'}"
            f"  {v.valid_from.isoformat()}–{until}  {v.id}{extra}"
        )
    return "\n".join(out)


def _value_lines(v: ValueBreakdown, cur: str, export: bool) -> list[str]:
    m = format_money
    if not export:
        return [
            f"  customs value (CIF) {cur} {m(v.customs_value)} = goods {m(v.goods)} + freight "
            f"{m(v.freight)} + insurance {m(v.insurance)} + other {m(v.other)}"
        ]
    fob = v.goods - v.freight - v.insurance + v.other
    lines = [
        f"  FOB {cur} {m(fob)} = goods {m(v.goods)} - freight {m(v.freight)} - insurance "
        f"{m(v.insurance)} + other {m(v.other)}"
    ]
    if v.customs_value != fob:
        lines.append(f"  customs value = FOB / (1 + export duty rate) = {cur} {m(v.customs_value)}")
    return lines


def render_assessment(a: DeclarationAssessment) -> str:
    """Plain text for ``quote``: value, lines, alternatives, totals."""
    cur = a.currency
    out = [f"assessment {a.regime} / {a.schedule_version} on {a.as_of.isoformat()} ({a.direction})"]
    for it in a.items:
        out.append(f"item {it.sequence} {it.code} origin {it.origin}: {it.status}")
        out.extend(f"  problem: {p}" for p in it.problems)
        if it.value is not None:
            out.extend(_value_lines(it.value, cur, a.direction == "export"))
        if it.rate is not None:
            out.append(f"  rate: {it.rate.reason}")
        for ln in it.lines:
            out.append(
                f"  {ln.tax:<16} {ln.expression:<40} on {format_money(ln.base):>14}"
                f" = {cur} {format_money(ln.amount):>12}"
            )
        if it.rebate is not None:
            r = it.rebate
            base, amount = format_money(r.base), format_money(r.amount)
            out.append(f"  export rebate {r.expression} of FOB {base} = {cur} {amount}")
        out.extend(f"  alternative: {alt.message}" for alt in it.alternatives)
        out.extend(f"  condition: {c.message} → {c.action}" for c in it.conditions)
        out.extend(f"  note: {n}" for n in it.notes)
    for t in a.totals:
        relief = f"  ({t.relief})" if t.relief else ""
        out.append(
            f"total {t.label_en} {t.label_zh}: assessed {cur} {format_money(t.assessed)}, "
            f"payable {cur} {format_money(t.payable)}{relief}"
        )
    out.append(f"total payable {cur} {format_money(a.total_payable)}")
    out.extend(f"note: {n}" for n in a.notes)
    out.extend(f"rate {r.quoted} ({r.source})" for r in a.exchange_rates)
    return "\n".join(out)
