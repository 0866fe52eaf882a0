"""Running ledger balances (clearance/ledgers/balances.py) are always the sums of the entries.

Random sequences of reservations, consumptions, releases, amendments (give back and reserve
anew), invalidations (give back everything) and expiries (release what is reserved), several
to a transaction, on both backends and, on PostgreSQL, with the locks deferred to commit: after
every commit each head's stored balance is the sum of its entries, and what the transaction
saw before committing is what was stored. A balance is read from the head, never summed over
the head's entries, and a planted drift is found and repaired.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session

from clearance.ledgers.accounts import (
    HeadSpec,
    Ref,
    apply,
    balances,
    ensure_heads,
    lock_heads,
    settle,
    state,
)
from clearance.ledgers.deferral import defer_locks
from clearance.ledgers.recompute import Drift, agree, drifts, repair
from clearance.store.control_tables import LedgerHead
from rules.ledger import Allowance, Balance, Holding

pytestmark = pytest.mark.db

NOW = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)
_EXAMPLE = itertools.count()


@dataclass(frozen=True)
class Step:
    """One movement for one declaration: what, which declaration, how much."""

    operation: str
    declaration: int
    quantity: Decimal


def _quantities() -> st.SearchStrategy[Decimal]:
    # Whole, 2, 4 and 5 decimals: the last is rounded by the store (half up on PostgreSQL,
    # through a float on SQLite), the path where the balance must round as the entries do.
    return st.builds(
        lambda units, places: Decimal(units).scaleb(-places),
        st.integers(min_value=1, max_value=4_000_000),
        st.sampled_from([0, 2, 4, 5]),
    ).filter(lambda q: q <= 60)


STEPS = st.builds(
    Step,
    st.sampled_from(["reserve", "consume", "consume_part", "release", "amend", "invalidate"]),
    st.integers(min_value=0, max_value=4),
    _quantities(),
) | st.builds(Step, st.just("expire"), st.integers(min_value=0, max_value=4), st.just(Decimal(0)))
#: Transactions of one to four steps each.
UNITS = st.lists(st.lists(STEPS, min_size=1, max_size=4), min_size=1, max_size=6)


def _heads(example: int) -> list[HeadSpec]:
    return [
        HeadSpec(f"licence:P{example}", "licence", f"P{example}", _licence()),
        HeadSpec(f"quota:P{example}", "quota", f"P{example}", Allowance(Decimal(150), "KGM")),
    ]


def _licence() -> Allowance:
    return Allowance(Decimal(100), "KGM", Decimal("0.05"), 6)


def _run(session: Session, specs: list[HeadSpec], step: Step) -> None:
    ref = Ref(f"P{step.declaration:017d}", 1)
    heads = lock_heads(session, [s.key for s in specs])
    if step.operation == "expire":
        settle(session, ref, "release", NOW)
        return
    for spec in specs:
        head = heads[spec.key]
        uses = 1 if spec.kind == "licence" else 0
        if step.operation == "reserve":
            _reserve(session, head, ref, step.quantity, uses)
        elif step.operation == "consume":
            apply(session, head, ref, "consume", NOW)
        elif step.operation == "consume_part":
            apply(session, head, ref, "consume", NOW, step.quantity)
        elif step.operation == "release":
            apply(session, head, ref, "release", NOW)
        elif step.operation == "amend":  # the earlier reservation given back, a new one booked
            apply(session, head, ref, "release", NOW)
            _reserve(session, head, ref, step.quantity, uses)
        else:
            apply(session, head, ref, "give_back", NOW)


def _reserve(session: Session, head: LedgerHead, ref: Ref, quantity: Decimal, uses: int) -> None:
    # Checked first, as the controls and the quota draw do: a unit deferring its locks treats
    # a refused reservation as a lost race (LedgerRaceError), not as an answer.
    if state(session, head, ref.number).can_reserve(ref.number, quantity, uses):
        assert apply(session, head, ref, "reserve", NOW, quantity, uses) is None


def _seen(session: Session, specs: list[HeadSpec]) -> dict[str, Balance]:
    return balances(session, lock_heads(session, [s.key for s in specs]))


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(units=UNITS, deferred=st.booleans())
def test_every_balance_is_the_sum_of_its_entries_after_random_movements(
    engine: Engine, units: list[list[Step]], deferred: bool
) -> None:
    specs = _heads(next(_EXAMPLE))  # new heads for each example: the database is shared
    with Session(engine) as session, session.begin():
        ensure_heads(session, specs, NOW)
    for steps in units:
        with Session(engine) as session:
            with session.begin():
                if deferred:
                    defer_locks(session)  # PostgreSQL only: checked and written at commit
                for step in steps:
                    _run(session, specs, step)
                seen = _seen(session, specs)
            with session.begin():
                stored = _seen(session, specs)
                assert drifts(session) == []  # stored == SUM(entries), every head
        # What the transaction decided on is what was stored (SQLite: to its float noise at
        # a fifth decimal's 5, see clearance/ledgers/recompute.py).
        exact = engine.dialect.name != "sqlite"
        assert all(agree(stored[k].totals, seen[k].totals, exact) for k in stored), (stored, seen)
        for balance in stored.values():  # and never over-drawn
            assert balance.can_draw(Decimal(0), 0)


def test_quantities_the_store_rounds_are_added_as_it_rounds_them(engine: Engine) -> None:
    specs = _heads(next(_EXAMPLE))[:1]
    with Session(engine) as session, session.begin():
        ensure_heads(session, specs, NOW)
    for n in range(3):  # a transaction each: the balance is read back from the head each time
        with Session(engine) as session, session.begin():
            head = lock_heads(session, [specs[0].key])[specs[0].key]
            for m in range(2):  # two 5-decimal entries in one transaction
                quantity = Decimal("3.33335")
                assert apply(session, head, Ref(f"R{n}{m}", 1), "reserve", NOW, quantity) is None
    with Session(engine) as session, session.begin():
        assert drifts(session) == []
        held = _seen(session, specs)[specs[0].key].totals
    assert held.reserved_uses == 6
    expected = Decimal("3.3334") * 6 if engine.dialect.name == "postgresql" else Decimal("20.0001")
    assert held.reserved == expected


def test_a_balance_is_read_from_its_head_not_summed_over_its_entries(engine: Engine) -> None:
    specs = _heads(next(_EXAMPLE))
    with Session(engine) as session, session.begin():
        ensure_heads(session, specs, NOW)
        heads = lock_heads(session, [s.key for s in specs])
        for n in range(5):
            apply(session, heads[specs[1].key], Ref(f"S{n}", 1), "reserve", NOW, Decimal(7), 0)
    statements: list[str] = []

    def seen(conn: object, cursor: object, statement: str, *rest: object) -> None:
        statements.append(statement)

    with Session(engine) as session, session.begin():
        heads = lock_heads(session, [s.key for s in specs])
        event.listen(engine, "before_cursor_execute", seen)
        try:
            held = balances(session, heads)
        finally:
            event.remove(engine, "before_cursor_execute", seen)
    assert held[specs[1].key].totals == Holding(Decimal(35), Decimal(0), 0, 0)
    assert held[specs[0].key].totals == Holding()
    assert len(statements) == 2  # one row per head
    assert not [s for s in statements if "ledger_entries" in s]


def test_a_planted_drift_is_found_and_repaired(engine: Engine) -> None:
    specs = _heads(next(_EXAMPLE))
    licence, quota = (s.key for s in specs)
    with Session(engine) as session, session.begin():
        ensure_heads(session, specs, NOW)
        heads = lock_heads(session, [licence, quota])
        apply(session, heads[licence], Ref("D1", 1), "reserve", NOW, Decimal("12.5"), 1)
        apply(session, heads[licence], Ref("D1", 1), "consume", NOW, Decimal(10))
        apply(session, heads[quota], Ref("D1", 1), "reserve", NOW, Decimal(20), 0)
    with Session(engine) as session, session.begin():
        assert drifts(session) == []
        # A balance changed behind the ledger's back (a write outside it, a bad restore).
        session.execute(
            text("UPDATE ledger_heads SET consumed = consumed + 1 WHERE key = :key"),
            {"key": licence},
        )
    truth = Holding(Decimal(0), Decimal(10), 0, 1)  # 2.5 kg of the 12.5 released on consume
    with Session(engine) as session, session.begin():
        found = drifts(session)
        assert found == [Drift(licence, Holding(Decimal(0), Decimal(11), 0, 1), truth)]
        # A check before its balance was read back: the ledger decides on what is stored.
        assert _seen(session, specs)[licence].totals.consumed == Decimal(11)
    with Session(engine) as session, session.begin():
        assert repair(session, [licence, quota]) == found  # the quota did not drift: untouched
    with Session(engine) as session, session.begin():
        assert drifts(session) == []
        assert _seen(session, specs)[licence].totals == truth
