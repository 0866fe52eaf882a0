"""Checks shared by the assembler, and the assembly of ``measure`` records.

Measures are checked against the rest of the file: their type, code, geography, quota and the
currencies of their specific amounts; and the shape of their duty for the role they play.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from tariffs.expressions import DutyComponent, DutyExpression, Op
from tariffs.load_problems import Line, Problems
from tariffs.measures import (
    ERGA_OMNES,
    GeoGroup,
    Measure,
    MeasureCondition,
    MeasureType,
    Quota,
    Role,
)
from tariffs.records import ComponentRecord, MeasureRecord

COUNTRY = re.compile(r"^[A-Z]{2}$")
Span = tuple[date, date | None]


def _overlap(a: Span, b: Span) -> bool:
    return (a[1] is None or b[0] <= a[1]) and (b[1] is None or a[0] <= b[1])


class Spans:
    """Detects overlapping validity per key and reports the later line."""

    def __init__(self, problems: Problems, what: str) -> None:
        self.seen: dict[object, list[tuple[Span, int]]] = {}
        self.problems = problems
        self.what = what

    def add(self, key: object, span: Span, line: Line) -> None:
        """Record ``span`` under ``key``; report an overlap with an earlier one."""
        for other, number in self.seen.get(key, []):
            if _overlap(span, other):
                msg = f"{self.what} overlaps the one on line {number}"
                self.problems.at(line, ("valid_from",), msg)
                return
        self.seen.setdefault(key, []).append((span, line.number))


def unique(
    problems: Problems, seen: dict[str, int], key: str, line: Line, field: str, what: str
) -> bool:
    """Record ``key``; report it (and return False) if it was already defined."""
    if key in seen:
        problems.at(line, (field,), f"{what} {key!r} already defined on line {seen[key]}")
        return False
    seen[key] = line.number
    return True


class MeasureAssembler:
    """Turns ``measure`` records into :class:`Measure` objects, reporting problems."""

    def __init__(self, problems: Problems, source: str) -> None:
        self.p = problems
        self.source = source

    def expression(
        self,
        comps: tuple[ComponentRecord, ...],
        ln: Line,
        path: tuple[str | int, ...],
        currencies: set[str],
    ) -> DutyExpression | None:
        """Components → a duty expression, or None after reporting why not."""
        try:
            parts = []
            for n, c in enumerate(comps):
                if c.currency is not None and c.currency not in currencies:
                    self.p.at(ln, (*path, n, "currency"), f"no exchange rate for {c.currency}")
                    return None
                equivalents = tuple(sorted(c.equivalents.items()))
                parts.append(
                    DutyComponent(Op(c.op), c.percent, c.amount, c.currency, c.per, equivalents)
                )
            return DutyExpression(tuple(parts))
        except ValueError as exc:
            self.p.at(ln, path, f"invalid duty expression: {exc}")
            return None

    def measures(
        self,
        lines: Iterable[Line],
        types: dict[str, MeasureType],
        groups: dict[str, GeoGroup],
        quotas: dict[str, Quota],
        codes: set[str],
        currencies: set[str],
    ) -> list[Measure]:
        """Every valid measure of ``lines`` (unique ids, no overlapping keys)."""
        seen: dict[str, int] = {}
        spans = Spans(self.p, "measure with the same code, type, geography and additional code")
        out = []
        for ln in lines:
            r = ln.record
            assert isinstance(r, MeasureRecord)
            if not unique(self.p, seen, r.id, ln, "id", "measure"):
                continue
            m = self.measure(r, ln, types, groups, quotas, codes, currencies)
            if m is not None:
                spans.add(
                    (r.code, r.type, r.geo, r.additional_code), (r.valid_from, r.valid_to), ln
                )
                out.append(m)
        return out

    def measure(
        self,
        r: MeasureRecord,
        ln: Line,
        types: dict[str, MeasureType],
        groups: dict[str, GeoGroup],
        quotas: dict[str, Quota],
        codes: set[str],
        currencies: set[str],
    ) -> Measure | None:
        """One measure, or None after reporting its problems."""
        ok = True
        if r.type not in types:
            self.p.at(ln, ("type",), f"unknown measure type {r.type!r}")
            return None
        if r.code not in codes:
            self.p.at(ln, ("code",), f"code {r.code} is not in the nomenclature")
            ok = False
        for path, geo in [
            (("geo",), r.geo),
            *((("exclude", n), g) for n, g in enumerate(r.exclude)),
        ]:
            if geo != ERGA_OMNES and geo not in groups and not COUNTRY.match(geo):
                self.p.at(
                    ln, path, f"unknown geography {geo!r} (a country, a group or {ERGA_OMNES})"
                )
                ok = False
        if r.quota is not None and r.quota not in quotas:
            self.p.at(ln, ("quota",), f"unknown quota {r.quota!r}")
            ok = False
        duty = self.expression(r.duty, ln, ("duty",), currencies) if r.duty else None
        ok = ok and self.shape(r, ln, types[r.type].role, duty)
        conditions = []
        for n, c in enumerate(r.conditions):
            alt = None
            if c.duty_if_missing is not None:
                alt = self.expression(
                    c.duty_if_missing, ln, ("conditions", n, "duty_if_missing"), currencies
                )
                ok = ok and alt is not None
            conditions.append(MeasureCondition(c.documents, c.action, alt))
        if not ok or (r.duty is not None and duty is None):
            return None
        return Measure(
            r.id, r.type, r.code, r.geo, r.valid_from, r.valid_to, duty, r.exclude,
            tuple(conditions), r.quota, r.additional_code, r.legal_base,
            f"{self.source}:{ln.number}",
        )  # fmt: skip

    def shape(self, r: MeasureRecord, ln: Line, role: Role, duty: DutyExpression | None) -> bool:
        """Is the duty the right shape for the role of the measure type?"""
        if role is Role.CONTROL:
            if r.duty is not None:
                self.p.at(ln, ("duty",), "a control measure carries no duty")
                return False
            return True
        if r.duty is None:
            self.p.at(ln, ("type",), f"a {r.type} measure needs a duty")
            return False
        if duty is None:
            return True  # already reported
        if role in (Role.VAT, Role.EXPORT_REBATE) and duty.ad_valorem_fraction is None:
            self.p.at(ln, ("duty",), f"a {r.type} measure is a single percentage")
            return False
        if role is Role.CONSUMPTION_TAX and duty.has_limits:
            self.p.at(ln, ("duty",), "a consumption tax has no maximum or minimum")
            return False
        return True
