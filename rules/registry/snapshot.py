"""An in-memory, read-only snapshot of the registries, indexed for the controls.

The pipeline builds one snapshot (from the database or from registry files) and passes it to the
controls; the controls never look anything up elsewhere. ``digest`` identifies the content, so a
decision can record exactly which registry state it saw.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar, cast

from rules.registry.types import (
    AgreementMembership,
    CertificateOfOrigin,
    Licence,
    PriceRange,
    RegistryRecord,
    TraderProfile,
)

_T = TypeVar("_T")
_NOT_ASKED = object()
#: Price-range look-ups remembered per snapshot at most (then all forgotten at once).
RANGES_REMEMBERED = 16_384


class DuplicateRecordError(ValueError):
    """Two records claim the same key (licence or certificate number, trader period)."""


@dataclass(frozen=True)
class Registries:
    """Licences, certificates, memberships, trader profiles and price ranges, by key."""

    licences: dict[str, Licence] = field(default_factory=dict)
    certificates: dict[str, CertificateOfOrigin] = field(default_factory=dict)
    memberships: dict[str, tuple[AgreementMembership, ...]] = field(default_factory=dict)
    traders: dict[str, tuple[TraderProfile, ...]] = field(default_factory=dict)
    price_ranges: dict[str, tuple[PriceRange, ...]] = field(default_factory=dict)
    digest: str = ""
    # The range found per (code, origin, unit, date): the price control asks for every item,
    # and a snapshot serves every declaration until the next load (bounded: see price_range).
    _ranges_found: dict[tuple[str, str | None, str, date], PriceRange | None] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def from_records(
        cls, records: Iterable[RegistryRecord], digest: str | None = None
    ) -> Registries:
        """Index ``records``; raise :class:`DuplicateRecordError` on a repeated key.

        ``digest``: :func:`records_digest` of ``records`` when the caller has it already (a
        stored load's content hash over the very lines the records were read from); else it
        is worked out here.
        """
        records = tuple(records)
        licences: dict[str, Licence] = {}
        certificates: dict[str, CertificateOfOrigin] = {}
        memberships: defaultdict[str, list[AgreementMembership]] = defaultdict(list)
        traders: defaultdict[str, list[TraderProfile]] = defaultdict(list)
        prices: defaultdict[str, list[PriceRange]] = defaultdict(list)
        for record in records:
            if isinstance(record, Licence):
                _put(licences, record.number, record, "licence")
            elif isinstance(record, CertificateOfOrigin):
                _put(certificates, record.number, record, "certificate")
            elif isinstance(record, AgreementMembership):
                memberships[record.agreement].append(record)
            elif isinstance(record, TraderProfile):
                _add_period(traders[record.uscc], record)
            else:
                prices[record.commodity_code].append(record)
        return cls(
            licences=licences,
            certificates=certificates,
            memberships={k: tuple(v) for k, v in memberships.items()},
            traders={k: tuple(sorted(v, key=lambda t: t.valid_from)) for k, v in traders.items()},
            price_ranges={k: tuple(v) for k, v in prices.items()},
            digest=records_digest(records) if digest is None else digest,
        )

    def licence(self, number: str) -> Licence | None:
        """The licence with ``number``, if registered."""
        return self.licences.get(number)

    def certificate(self, number: str) -> CertificateOfOrigin | None:
        """The certificate of origin with ``number``, if registered."""
        return self.certificates.get(number)

    def is_member(self, agreement: str, country: str, on: date) -> bool:
        """Whether ``country`` belongs to ``agreement`` on ``on``."""
        periods = self.memberships.get(agreement, ())
        return any(m.country == country and m.valid_on(on) for m in periods)

    def member_periods(self, agreement: str, country: str) -> tuple[AgreementMembership, ...]:
        """All membership periods of ``country`` in ``agreement`` (for evidence)."""
        return tuple(m for m in self.memberships.get(agreement, ()) if m.country == country)

    def trader(self, uscc: str, on: date) -> TraderProfile | None:
        """The trader's profile in force on ``on``."""
        return next((t for t in self.traders.get(uscc, ()) if t.valid_on(on)), None)

    def price_range(self, code: str, origin: str | None, unit: str, on: date) -> PriceRange | None:
        """The most specific range in force: longest code prefix, then origin-specific first."""
        key = (code, origin, unit, on)
        remembered = self._ranges_found
        known = remembered.get(key, _NOT_ASKED)  # one look-up: another thread may clear it
        if known is not _NOT_ASKED:
            return cast(PriceRange | None, known)
        found = self._find_price_range(code, origin, unit, on)
        if len(remembered) >= RANGES_REMEMBERED:
            remembered.clear()
        remembered[key] = found
        return found

    def _find_price_range(
        self, code: str, origin: str | None, unit: str, on: date
    ) -> PriceRange | None:
        for length in range(len(code), 1, -1):
            ranges = self.price_ranges.get(code[:length])
            if not ranges:
                continue
            candidates = [
                p
                for p in ranges
                if p.unit == unit and p.valid_on(on) and p.origin in (origin, None)
            ]
            if candidates:
                return min(candidates, key=lambda p: p.origin is None)
        return None


def _put(index: dict[str, _T], key: str, record: _T, kind: str) -> None:
    if key in index:
        raise DuplicateRecordError(f"{kind} {key} is registered twice")
    index[key] = record


def _add_period(periods: list[TraderProfile], record: TraderProfile) -> None:
    for other in periods:
        ends_before = other.valid_to is not None and other.valid_to < record.valid_from
        starts_after = record.valid_to is not None and record.valid_to < other.valid_from
        if not (ends_before or starts_after):
            raise DuplicateRecordError(f"trader {record.uscc} has overlapping profile periods")
    periods.append(record)


def records_digest(records: Iterable[RegistryRecord]) -> str:
    """A sha256 over the canonical JSON of ``records``, independent of their order."""
    lines = sorted(
        json.dumps(r.model_dump(mode="json"), sort_keys=True, ensure_ascii=False) for r in records
    )
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()
