"""The incremental refresh: follow the event log and keep ``stat_facts`` up to date.

Events are read after the cursor (``stat_state`` "event-cursor"), whose gapless ids in
commit order mean no event is skipped or counted twice. A ``released`` event counts the
declaration's items; an ``amended`` or ``invalidated`` event of a counted declaration derives
its facts again: a fact that changes gets the next revision and a ``stat_revisions`` row, and
an invalidated declaration's facts are withdrawn (kept, no longer counted), so figures
already published can be flagged as revised rather than silently change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from clearance.assessment import tariff_store
from clearance.lifecycle.events import EventKind
from clearance.statistics import state
from clearance.statistics.facts import FactValues, facts_of
from clearance.store.statistics_tables import StatFact, StatRevision
from clearance.store.tables import Declaration as DeclarationRow
from clearance.store.tables import Event
from core.clock import as_utc
from edi.model import Declaration
from tariffs import Schedule, TariffError
from tariffs.rates import RateRule
from tariffs.regimes import load_regime

#: Events that change what a declaration counts.
TRIGGERS = (EventKind.RELEASED.value, EventKind.AMENDED.value, EventKind.INVALIDATED.value)
_COMPARED = [f.name for f in fields(FactValues)]


@dataclass(frozen=True, slots=True)
class Refreshed:
    """What one refresh did."""

    cursor_before: int
    cursor: int
    declarations: int  # declarations whose facts were derived again
    counted: int  # facts counted for the first time
    revised: int  # counted facts that changed (revision rows written)
    withdrawn: int  # facts no longer counted (invalidation after release)
    without_usd: int  # new or changed facts with no official USD rate on their day


def refresh(session: Session, now: datetime, zone: ZoneInfo, limit: int = 50_000) -> Refreshed:
    """Bring the facts up to the newest event (at most ``limit`` events per call)."""
    before = state.lock(session, state.EVENT_CURSOR)
    upto = session.scalar(
        select(func.max(Event.id)).where(Event.id > before, Event.id <= before + limit)
    )
    if upto is None:
        return Refreshed(before, before, 0, 0, 0, 0, 0)
    rows = session.execute(
        select(Event.id, Event.kind, Event.declaration_number)
        .where(Event.id > before, Event.id <= upto, Event.kind.in_(TRIGGERS))
        .order_by(Event.id)
    ).all()
    latest: dict[str, tuple[int, str]] = {}
    for event_id, kind, number in rows:
        if number is not None:
            latest[number] = (event_id, kind)
    work = _Work(session, now, zone)
    for number, (event_id, kind) in latest.items():
        work.derive(number, event_id, kind)
    state.write(session, state.EVENT_CURSOR, upto)
    return Refreshed(
        before, upto, len(latest), work.counted, work.revised, work.withdrawn, work.without_usd
    )


class _Work:
    def __init__(self, session: Session, now: datetime, zone: ZoneInfo) -> None:
        self.session, self.now, self.zone = session, now, zone
        self.counted = self.revised = self.withdrawn = self.without_usd = 0
        self._schedule: Schedule | None = tariff_store.latest(session, "cn")

    def derive(self, number: str, event_id: int, kind: str) -> None:
        row = self.session.scalars(
            select(DeclarationRow).where(DeclarationRow.number == number)
        ).one_or_none()
        if row is None:
            return
        held = {
            f.item_sequence: f
            for f in self.session.scalars(
                select(StatFact).where(StatFact.declaration_number == number)
            )
        }
        if row.status != "released":
            # Not (or no longer) released: whatever was counted is withdrawn.
            for fact in held.values():
                if fact.counted:
                    self._withdraw(fact, event_id, kind)
            return
        facts = self._facts(row, number)
        for values in facts:
            existing = held.pop(values.item_sequence, None)
            if existing is None:
                self._insert(number, values, event_id)
            else:
                self._change(existing, values, event_id, kind)
        for fact in held.values():  # items the declaration no longer has
            if fact.counted:
                self._withdraw(fact, event_id, kind)

    def _facts(self, row: DeclarationRow, number: str) -> list[FactValues]:
        released = self.session.scalar(
            select(func.min(Event.occurred_at)).where(
                Event.declaration_number == number, Event.kind == EventKind.RELEASED.value
            )
        )
        stat_day = as_utc(released or row.updated_at).astimezone(self.zone).date()
        declaration = Declaration.model_validate_json(row.canonical)
        return facts_of(
            declaration,
            sender=row.sender,
            office=row.office,
            accepted_on=row.accepted_on,
            stat_date=stat_day,
            rate=self._rate,
        )

    def _rate(self, currency: str, day: date) -> Decimal | None:
        if currency == "CNY":
            return Decimal(1)
        if self._schedule is None:
            return None
        try:
            return self._schedule.rates.lookup(currency, day, _cn_rule()).rate
        except TariffError:
            return None

    def _insert(self, number: str, values: FactValues, event_id: int) -> None:
        seq = state.take(self.session, state.FACT_SEQ, 1)
        self.session.execute(
            insert(StatFact),
            [
                {
                    **_columns(values),
                    "declaration_number": number,
                    "counted": True,
                    "revision": 0,
                    "source_event_id": event_id,
                    "seq": seq,
                    "updated_at": self.now,
                }
            ],
        )
        self.counted += 1
        self.without_usd += values.value_usd is None

    def _change(self, fact: StatFact, values: FactValues, event_id: int, kind: str) -> None:
        new = _columns(values)
        if fact.counted and all(getattr(fact, k) == v for k, v in new.items()):
            return
        self._revise(fact, new, True, event_id, kind)
        self.without_usd += values.value_usd is None

    def _withdraw(self, fact: StatFact, event_id: int, kind: str) -> None:
        self._revise(fact, {}, False, event_id, kind)
        self.withdrawn += 1

    def _revise(
        self, fact: StatFact, new: dict[str, object], counted: bool, event_id: int, kind: str
    ) -> None:
        seq = state.take(self.session, state.FACT_SEQ, 1)
        before = fact.value_cny if fact.counted else Decimal(0)
        after = new.get("value_cny", Decimal(0)) if counted else Decimal(0)
        assert isinstance(after, Decimal)
        self.session.add(
            StatRevision(
                fact_id=fact.id,
                declaration_number=fact.declaration_number,
                item_sequence=fact.item_sequence,
                period=int(new.get("period", fact.period)),  # type: ignore[call-overload]
                revision=fact.revision + 1,
                reason=kind,
                event_id=event_id,
                seq=seq,
                value_cny_before=before,
                value_cny_after=after,
                recorded_at=self.now,
            )
        )
        self.session.execute(
            update(StatFact)
            .where(StatFact.id == fact.id)
            .values(
                **new,
                counted=counted,
                revision=fact.revision + 1,
                source_event_id=event_id,
                seq=seq,
                updated_at=self.now,
            )
        )
        if counted:
            self.revised += 1


def _columns(values: FactValues) -> dict[str, object]:
    return {name: getattr(values, name) for name in _COMPARED}


@lru_cache(maxsize=1)
def _cn_rule() -> RateRule:
    """The China regime's rule for the official rate of a day."""
    return load_regime("cn").exchange_rate.rule


def counted_numbers(session: Session, numbers: Iterable[str]) -> set[str]:
    """Which of ``numbers`` have counted facts (for tests and reports)."""
    return set(
        session.scalars(
            select(StatFact.declaration_number)
            .where(StatFact.declaration_number.in_(list(numbers)), StatFact.counted)
            .distinct()
        )
    )
