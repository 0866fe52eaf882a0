"""Stateful property tests: random ledger operations never over-allocate; give-backs restore.

A simple model (a dict of what each reference holds) runs beside the ledger; after every step the
ledger's derived balance must equal the model, stay within quantity × (1 + tolerance) and the
maximum uses, and every refusal must be justified by the model.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from rules.ledger import Allowance, LedgerState, Refusal, RefusalCode

REFS = st.sampled_from([f"D{i}" for i in range(8)])
AMOUNTS = st.decimals(min_value=Decimal(0), max_value=Decimal(400), places=3)


class LedgerMachine(RuleBasedStateMachine):
    """Reserve, consume, release and give back at random against a reference model."""

    def __init__(self) -> None:
        super().__init__()
        self.state = LedgerState(Allowance(Decimal(1)))
        # ref -> [reserved, consumed, reserved_uses, consumed_uses]
        self.model: dict[str, list[Decimal]] = {}

    @initialize(
        quantity=st.decimals(min_value=Decimal(1), max_value=Decimal(1000), places=2),
        tolerance=st.sampled_from([Decimal(0), Decimal("0.05"), Decimal("0.1")]),
        max_uses=st.one_of(st.none(), st.integers(min_value=1, max_value=12)),
    )
    def open_ledger(self, quantity: Decimal, tolerance: Decimal, max_uses: int | None) -> None:
        self.state = LedgerState(Allowance(quantity, "KGM", tolerance, max_uses))

    def _held(self) -> tuple[Decimal, Decimal]:
        quantity = sum((h[0] + h[1] for h in self.model.values()), Decimal(0))
        uses = sum((h[2] + h[3] for h in self.model.values()), Decimal(0))
        return quantity, uses

    @rule(ref=REFS, quantity=AMOUNTS)
    def reserve(self, ref: str, quantity: Decimal) -> None:
        result = self.state.reserve(ref, quantity)
        held, uses = self._held()
        allowance = self.state.allowance
        limit = allowance.limit
        if isinstance(result, Refusal):
            justified = {
                RefusalCode.ALREADY_HELD: ref in self.model,
                RefusalCode.QUANTITY_EXCEEDED: limit is not None and held + quantity > limit,
                RefusalCode.USES_EXHAUSTED: allowance.max_uses is not None
                and uses + 1 > allowance.max_uses,
            }
            assert justified.get(result.code, False), result
            return
        assert ref not in self.model
        self.model[ref] = [quantity, Decimal(0), Decimal(1), Decimal(0)]
        self.state = result

    @rule(ref=REFS, part=st.sampled_from([None, Decimal(0), Decimal("0.5"), Decimal(1)]))
    def consume(self, ref: str, part: Decimal | None) -> None:
        held = self.model.get(ref)
        amount = (
            None if part is None or held is None else (held[0] * part).quantize(Decimal("0.001"))
        )
        result = self.state.consume(ref, amount)
        if held is None or (held[0] == 0 and held[2] == 0):
            assert isinstance(result, Refusal)
            return
        assert isinstance(result, LedgerState), result
        used = held[0] if amount is None else amount
        self.model[ref] = [Decimal(0), held[1] + used, Decimal(0), held[3] + held[2]]
        self.state = result

    @rule(ref=REFS)
    def give_back(self, ref: str) -> None:
        result = self.state.give_back(ref)
        if ref not in self.model:
            assert isinstance(result, Refusal)
            return
        assert isinstance(result, LedgerState), result
        del self.model[ref]
        self.state = result

    @precondition(lambda self: self.state.allowance.quantity is not None)
    @rule(ref=st.just("PROBE"), quantity=AMOUNTS)
    def reserve_then_give_back_restores(self, ref: str, quantity: Decimal) -> None:
        before = self.state.balance
        reserved = self.state.reserve(ref, quantity)
        if isinstance(reserved, Refusal):
            return
        restored = reserved.give_back(ref)
        assert isinstance(restored, LedgerState)
        assert restored.balance == before

    @invariant()
    def never_over_allocates(self) -> None:
        totals, allowance = self.state.totals, self.state.allowance
        limit = allowance.limit
        assert limit is None or totals.held <= limit
        assert allowance.max_uses is None or totals.held_uses <= allowance.max_uses
        assert totals.reserved >= 0 and totals.consumed >= 0

    @invariant()
    def balance_matches_model(self) -> None:
        held, uses = self._held()
        assert self.state.totals.held == held
        assert self.state.totals.held_uses == uses
        for ref, (reserved, consumed, _, _) in self.model.items():
            holding = self.state.holding(ref)
            assert (holding.reserved, holding.consumed) == (reserved, consumed)

    @invariant()
    def stored_entries_fold_to_the_same_balance(self) -> None:
        folded = LedgerState.from_entries(self.state.allowance, self.state.entries)
        assert folded.totals == self.state.totals


LedgerMachine.TestCase.settings = settings(max_examples=100, stateful_step_count=50, deadline=None)
TestLedgerMachine = LedgerMachine.TestCase
