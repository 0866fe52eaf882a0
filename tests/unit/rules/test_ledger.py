"""Unit tests of the pure ledger arithmetic."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rules.ledger import Allowance, EntryKind, LedgerState, Refusal, RefusalCode

D = Decimal
LICENCE = Allowance(D(100), "KGM", D("0.05"), 12)


def ok(result: LedgerState | Refusal) -> LedgerState:
    assert isinstance(result, LedgerState), result
    return result


def refused(result: LedgerState | Refusal) -> Refusal:
    assert isinstance(result, Refusal), result
    return result


def test_reserve_draws_quantity_and_a_use() -> None:
    state = ok(LedgerState(LICENCE).reserve("D1", D(40)))
    assert state.balance.totals.reserved == 40
    assert state.balance.available == D(65)  # 105 limit − 40
    assert state.balance.nominal_available == D(60)
    assert state.balance.uses_available == 11


def test_tolerance_allows_overshipment_up_to_the_limit() -> None:
    state = ok(LedgerState(LICENCE).reserve("D1", D(105)))
    assert state.balance.available == 0
    refusal = refused(LedgerState(LICENCE).reserve("D1", D("105.01")))
    assert refusal.code is RefusalCode.QUANTITY_EXCEEDED
    assert refusal.evidence == {"quantity": "105.01", "available": "105.00"}


def test_uses_run_out_after_max_uses() -> None:
    state = LedgerState(Allowance(D(100), "KGM", max_uses=2))
    state = ok(ok(state.reserve("D1", D(1))).reserve("D2", D(1)))
    assert refused(state.reserve("D3", D(1))).code is RefusalCode.USES_EXHAUSTED


def test_one_reservation_per_reference() -> None:
    state = ok(LedgerState(LICENCE).reserve("D1", D(1)))
    assert refused(state.reserve("D1", D(1))).code is RefusalCode.ALREADY_HELD
    assert not state.can_reserve("D1", D(1))
    assert state.can_reserve("D2", D(1))


@pytest.mark.parametrize(("quantity", "uses"), [(D(-1), 1), (D(0), 0), (D(1), -1)])
def test_invalid_amounts_are_refused(quantity: Decimal, uses: int) -> None:
    assert refused(LedgerState(LICENCE).reserve("D1", quantity, uses)).code is (
        RefusalCode.INVALID_AMOUNT
    )


def test_partial_consumption_releases_the_rest() -> None:
    state = ok(ok(LedgerState(LICENCE).reserve("D1", D(40))).consume("D1", D(30)))
    assert [e.kind for e in state.entries] == [
        EntryKind.RESERVE,
        EntryKind.CONSUME,
        EntryKind.RELEASE,
    ]
    holding = state.holding("D1")
    assert (holding.reserved, holding.consumed, holding.consumed_uses) == (D(0), D(30), 1)
    assert state.balance.available == D(75)


def test_consume_more_than_reserved_is_refused() -> None:
    state = ok(LedgerState(LICENCE).reserve("D1", D(40)))
    assert refused(state.consume("D1", D(41))).code is RefusalCode.OVER_CONSUMPTION
    assert refused(state.consume("D2")).code is RefusalCode.NOTHING_RESERVED


def test_release_gives_back_the_reservation() -> None:
    start = LedgerState(LICENCE)
    state = ok(ok(start.reserve("D1", D(40))).release("D1"))
    assert state.balance == start.balance
    assert refused(state.release("D1")).code is RefusalCode.NOTHING_RESERVED


def test_give_back_after_consumption_restores_the_balance() -> None:
    start = ok(LedgerState(LICENCE).reserve("D0", D(10)))
    state = ok(ok(start.reserve("D1", D(40))).consume("D1"))
    state = ok(state.give_back("D1"))
    assert state.balance == start.balance
    assert state.entries[-1].kind is EntryKind.RETURN
    assert refused(state.give_back("D1")).code is RefusalCode.NOTHING_HELD


def test_folding_stored_entries_gives_the_same_state() -> None:
    state = ok(ok(LedgerState(LICENCE).reserve("D1", D(40))).consume("D1", D(35)))
    state = ok(state.reserve("D2", D(20)))
    folded = LedgerState.from_entries(LICENCE, state.entries)
    assert folded.totals == state.totals
    assert folded.holdings == state.holdings


def test_unlimited_allowance_counts_without_limit() -> None:
    state = ok(LedgerState(Allowance(None)).reserve("D1", D(10**9), 0))
    assert state.balance.available is None
    assert state.balance.uses_available is None
