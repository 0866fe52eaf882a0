"""The immutable, indexed, in-memory tariff schedule: one loaded version.

Lookups are by code prefix and date. A measure attached to a heading applies to every line under
it; when measures of the same type, geography and additional code sit at several levels, the one on
the longest (most specific) code wins. Nothing here reads the clock: every lookup takes ``as_of``.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from tariffs.measures import (
    BUILTIN_MEASURE_TYPES,
    ERGA_OMNES,
    DocumentType,
    GeoGroup,
    Measure,
    MeasureType,
    Membership,
    Quota,
    in_force,
)
from tariffs.nomenclature import NomenclatureEntry, ancestors
from tariffs.rates import ExchangeRate, ExchangeRateTable


@dataclass(frozen=True, slots=True)
class ScheduleVersion:
    """Identity of a loaded schedule: a new load is a new version; old ones stay answerable."""

    id: str
    name: str
    published: date
    currency: str
    content_hash: str
    regime: str | None = None
    source: str = ""


class Schedule:
    """A tariff schedule version with indexes for fast lookups. Treat as immutable."""

    def __init__(
        self,
        version: ScheduleVersion,
        *,
        nomenclature: Iterable[NomenclatureEntry] = (),
        measures: Iterable[Measure] = (),
        groups: Iterable[GeoGroup] = (),
        quotas: Iterable[Quota] = (),
        rates: Iterable[ExchangeRate] = (),
        measure_types: Iterable[MeasureType] = (),
        documents: Iterable[DocumentType] = (),
    ) -> None:
        self.version = version
        self.rates = ExchangeRateTable(version.currency, rates)
        self.measure_types: Mapping[str, MeasureType] = {
            **BUILTIN_MEASURE_TYPES,
            **{t.id: t for t in measure_types},
        }
        self.document_types: Mapping[str, DocumentType] = {d.code: d for d in documents}
        #: Document code → English name (used in reasons: "needs proof of origin (Y)").
        self.documents: Mapping[str, str] = {d.code: d.name_en for d in documents}
        self.groups: Mapping[str, GeoGroup] = {g.id: g for g in groups}
        self.quotas: Mapping[str, Quota] = {q.order_number: q for q in quotas}
        self.measures: tuple[Measure, ...] = tuple(measures)
        entries: dict[str, list[NomenclatureEntry]] = {}
        for e in nomenclature:
            entries.setdefault(e.code, []).append(e)
        self._entries = {c: tuple(es) for c, es in entries.items()}
        self._children: dict[str, tuple[str, ...]] = _children(self._entries)
        self._members: dict[str, dict[str, tuple[Membership, ...]]] = _members(self.groups)
        by_code: dict[str, list[Measure]] = {}
        for m in self.measures:
            by_code.setdefault(m.code, []).append(m)
        self._by_code = {c: tuple(ms) for c, ms in by_code.items()}
        self._for_code: dict[str, tuple[Measure, ...]] = {}
        self._boundaries = _boundaries(self)
        #: Assessment plans memoised per (regime, code, origin, date, documents …); see
        #: tariffs.selection. Safe because the schedule never changes.
        self.plan_cache: dict[Any, Any] = {}

    @property
    def currency(self) -> str:
        """The assessment (domestic) currency of this schedule."""
        return self.version.currency

    def epoch(self, as_of: date) -> int:
        """Index of the period containing ``as_of`` between consecutive validity boundaries.

        Nothing in the schedule changes inside a period (no measure, membership, nomenclature
        entry, quota or rate starts or ends), so whatever depends only on the schedule and a
        date is the same for every date of a period; assessment plans are keyed on it.
        """
        return bisect.bisect_right(self._boundaries, as_of)

    # -- nomenclature ---------------------------------------------------------------------
    def entry(self, code: str, as_of: date) -> NomenclatureEntry | None:
        """The nomenclature entry for exactly ``code`` on ``as_of``, if any."""
        for e in self._entries.get(code, ()):
            if e.in_force(as_of):
                return e
        return None

    def path(self, code: str, as_of: date) -> tuple[NomenclatureEntry, ...]:
        """Entries from the chapter down to ``code`` that exist on ``as_of``."""
        found = (self.entry(c, as_of) for c in ancestors(code))
        return tuple(e for e in found if e is not None)

    def children(self, code: str, as_of: date) -> tuple[str, ...]:
        """Codes one level below ``code`` in force on ``as_of``."""
        return tuple(c for c in self._children.get(code, ()) if self.entry(c, as_of))

    def codes(self) -> tuple[str, ...]:
        """Every code of the nomenclature (any date), sorted."""
        return tuple(sorted(self._entries))

    def declarable_problem(self, code: str, as_of: date) -> str | None:
        """None if ``code`` can be declared on ``as_of``; otherwise why not.

        A code is declarable when it is in force and has no subdivisions in force. A 10-digit
        code ending in ``00`` is also accepted for an 8-digit line without statistical suffixes.
        """
        entry = self.entry(code, as_of)
        if entry is None and len(code) == 10 and code.endswith("00"):
            line = self.entry(code[:8], as_of)
            suffixes = self.children(code[:8], as_of)
            if line is not None and not suffixes:
                return None
            if suffixes:
                return f"commodity code {code} is subdivided; declare one of {', '.join(suffixes)}"
        if entry is None:
            return f"commodity code {code} is not in the nomenclature in force"
        subdivisions = self.children(code, as_of)
        if subdivisions:
            return f"commodity code {code} is subdivided; declare one of {', '.join(subdivisions)}"
        return None

    # -- geography ------------------------------------------------------------------------
    def is_member(self, group: str, country: str, as_of: date) -> bool:
        """True if ``country`` belongs to ``group`` on ``as_of``."""
        for m in self._members.get(group, {}).get(country, ()):
            if in_force(m.valid_from, m.valid_to, as_of):
                return True
        return False

    def covers(self, geo: str, country: str, as_of: date) -> bool:
        """True if geography ``geo`` (country, group or ERGA_OMNES) includes ``country``."""
        if geo in (ERGA_OMNES, country):
            return True
        return geo in self.groups and self.is_member(geo, country, as_of)

    def applies_to(self, measure: Measure, country: str, as_of: date) -> bool:
        """True if ``measure``'s geography covers ``country`` and does not exclude it."""
        if not self.covers(measure.geo, country, as_of):
            return False
        return not any(self.covers(x, country, as_of) for x in measure.excluded)

    # -- measures -------------------------------------------------------------------------
    def measures_for_code(self, code: str) -> tuple[Measure, ...]:
        """Every measure attached to ``code`` or a level above it (any date, any origin)."""
        cached = self._for_code.get(code)
        if cached is None:
            cached = tuple(m for c in ancestors(code) for m in self._by_code.get(c, ()))
            if len(self._for_code) > 200_000:  # bound memory on adversarial input
                self._for_code.clear()
            self._for_code[code] = cached
        return cached

    def measures_in_force(self, code: str, origin: str | None, as_of: date) -> tuple[Measure, ...]:
        """Measures valid on ``as_of`` for ``code`` and, if given, applying to ``origin``.

        Of measures with the same type, geography and additional code at several levels, only
        the one on the most specific code is kept.
        """
        best: dict[tuple[str, str, str | None], Measure] = {}
        for m in self.measures_for_code(code):
            if not m.in_force(as_of):
                continue
            if origin is not None and not self.applies_to(m, origin, as_of):
                continue
            key = (m.type, m.geo, m.additional_code)
            held = best.get(key)
            if held is None or len(m.code) > len(held.code):
                best[key] = m
        return tuple(best.values())


def _children(entries: Mapping[str, tuple[NomenclatureEntry, ...]]) -> dict[str, tuple[str, ...]]:
    children: dict[str, list[str]] = {}
    for code in sorted(entries):
        for n in (8, 6, 4, 2):  # the nearest existing ancestor is the parent
            if n < len(code) and code[:n] in entries:
                children.setdefault(code[:n], []).append(code)
                break
    return {p: tuple(cs) for p, cs in children.items()}


def _members(groups: Mapping[str, GeoGroup]) -> dict[str, dict[str, tuple[Membership, ...]]]:
    out: dict[str, dict[str, tuple[Membership, ...]]] = {}
    for g in groups.values():
        per: dict[str, list[Membership]] = {}
        for m in g.memberships:
            per.setdefault(m.country, []).append(m)
        out[g.id] = {c: tuple(ms) for c, ms in per.items()}
    return out


def _boundaries(s: Schedule) -> list[date]:
    """Every date on which something in ``s`` starts or stops applying, sorted."""
    spans: list[tuple[date, date | None]] = [(m.valid_from, m.valid_to) for m in s.measures]
    spans += [(e.valid_from, e.valid_to) for es in s._entries.values() for e in es]
    spans += [(m.valid_from, m.valid_to) for g in s.groups.values() for m in g.memberships]
    spans += [(q.period_from, q.period_to) for q in s.quotas.values()]
    rates = s.rates.all()
    spans += [(r.valid_from, r.valid_to) for r in rates]
    out: set[date] = set()
    for start, end in spans:
        out.add(start)
        if end is not None and end < date.max:
            out.add(end + timedelta(days=1))
    if rates:  # month starts: the "third Wednesday of the previous month" rule moves on them
        first = min(r.valid_from for r in rates).replace(day=1)
        last = max(r.valid_to or r.valid_from for r in rates)
        month = first
        while month <= last + timedelta(days=62):
            out.add(month)
            month = (month + timedelta(days=32)).replace(day=1)
    return sorted(out)
