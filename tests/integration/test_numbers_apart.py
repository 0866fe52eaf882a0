"""No hot row is held across a unit of work on PostgreSQL (issue 15, ADR 0013).

Two units of work are open at once; each draws declaration numbers, MRNs and control
references, writes events and defers its ledger locks. The second must not wait for the first:
``lock_timeout`` makes it fail instead of hanging if it did.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from clearance.ledgers.accounts import HeadSpec, Ref, apply, ensure_heads, lock_heads
from clearance.ledgers.deferral import LedgerRaceError, defer_locks
from clearance.lifecycle.events import EventKind, append_event
from clearance.lifecycle.numbering import (
    reserve_control_references,
    reserve_declaration_numbers,
    reserve_mrns,
)
from clearance.store.control_tables import LedgerEntry
from clearance.store.tables import Event
from edi.model import Direction
from rules.ledger import Allowance

pytestmark = pytest.mark.db

NOW = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)


def _postgres_only(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: its counters stay gapless rows")


def _draw(session: Session) -> list[str]:
    numbers = reserve_declaration_numbers(session, "2201", 2026, Direction.IMPORT, 3)
    numbers += reserve_mrns(session, "GB", 2026, Direction.IMPORT, 2)
    numbers += reserve_control_references(session, "edifact-out", 2)
    append_event(session, EventKind.RECEIVED, NOW, data={"n": len(numbers)})
    return numbers


def test_two_open_units_draw_numbers_without_waiting(engine: Engine) -> None:
    _postgres_only(engine)
    with Session(engine) as first, Session(engine) as second:
        first_numbers = _draw(first)  # first stays open, holding whatever it holds
        second.execute(text("SET LOCAL lock_timeout = '2s'"))
        second_numbers = _draw(second)  # would raise LockNotAvailable if it waited
        second.commit()
        first.commit()
    assert len(set(first_numbers + second_numbers)) == len(first_numbers + second_numbers)
    with Session(engine) as session:
        ids = list(session.scalars(select(Event.id).order_by(Event.id)))
    assert ids == [1, 2]  # gapless, in commit order: the second unit committed first


def test_a_rolled_back_unit_leaves_a_gap_in_numbers_not_in_events(engine: Engine) -> None:
    _postgres_only(engine)
    with Session(engine) as session:
        (lost,) = reserve_declaration_numbers(session, "2201", 2026, Direction.IMPORT, 1)
        append_event(session, EventKind.RECEIVED, NOW)
        session.rollback()
        (kept,) = reserve_declaration_numbers(session, "2201", 2026, Direction.IMPORT, 1)
        append_event(session, EventKind.RECEIVED, NOW)
        session.commit()
        assert (lost, kept) == ("220120261000000001", "220120261000000002")
        assert list(session.scalars(select(Event.id))) == [1]


def test_a_ledger_drawn_by_two_open_units_is_never_over_drawn(engine: Engine) -> None:
    _postgres_only(engine)
    spec = HeadSpec("licence:L1", "licence", "L1", Allowance(Decimal(100), "KGM"))
    with Session(engine) as first, Session(engine) as second:
        for session, number in ((first, "N1"), (second, "N2")):
            defer_locks(session)
            session.execute(text("SET LOCAL lock_timeout = '2s'"))
            ensure_heads(session, [spec], NOW)  # created apart: neither waits on the other
            (head,) = lock_heads(session, [spec.key]).values()
            refusal = apply(session, head, Ref(number, 1), "reserve", NOW, Decimal(70), 1)
            assert refusal is None  # each saw 100 available: both drew without waiting
        first.commit()
        with pytest.raises(LedgerRaceError):
            second.commit()  # 140 of 100 at the check: the later unit runs again instead
        second.rollback()
    with Session(engine) as session:
        held = session.scalars(select(LedgerEntry.quantity)).all()
    assert held == [Decimal(70)]  # the first draw only: never over-drawn
