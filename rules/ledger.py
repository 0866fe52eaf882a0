"""The pure ledger arithmetic behind licences, certificate lines and quotas.

A ledger is an :class:`Allowance` (quantity, tolerance, maximum uses) and an append-only tuple of
immutable :class:`Entry` objects, each tied to a declaration reference. Four entry kinds keep the
balance a plain signed sum, so a database can compute it with ``SUM`` under a row lock:

- ``reserve``  +reserved (on acceptance)
- ``consume``  reserved → consumed (on release; an unconsumed rest is released in the same step)
- ``release``  −reserved (give-back on rejection or invalidation before release)
- ``return``   −consumed (give-back of a consumed amount, e.g. invalidation in a listed case)

``held = reserved + consumed`` never exceeds ``quantity × (1 + tolerance)`` and the uses held never
exceed ``max_uses``: every operation returns a new :class:`LedgerState` or a :class:`Refusal`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

ZERO = Decimal(0)


class EntryKind(StrEnum):
    """What an entry does to the balance."""

    RESERVE = "reserve"
    CONSUME = "consume"
    RELEASE = "release"
    RETURN = "return"


@dataclass(frozen=True, slots=True)
class Allowance:
    """What a ledger may hand out: ``quantity`` (None: unlimited) plus tolerance, and uses."""

    quantity: Decimal | None
    unit: str | None = None
    tolerance: Decimal = ZERO
    max_uses: int | None = None

    @property
    def limit(self) -> Decimal | None:
        """The most that may be held at once: quantity × (1 + tolerance)."""
        return None if self.quantity is None else self.quantity * (1 + self.tolerance)


@dataclass(frozen=True, slots=True)
class Entry:
    """One immutable movement on a ledger, for one declaration reference."""

    kind: EntryKind
    ref: str
    quantity: Decimal
    uses: int = 0


@dataclass(frozen=True, slots=True)
class Holding:
    """What one reference (or the whole ledger) holds: reserved and consumed amounts and uses."""

    reserved: Decimal = ZERO
    consumed: Decimal = ZERO
    reserved_uses: int = 0
    consumed_uses: int = 0

    @property
    def held(self) -> Decimal:
        """Reserved plus consumed quantity."""
        return self.reserved + self.consumed

    @property
    def held_uses(self) -> int:
        """Reserved plus consumed uses."""
        return self.reserved_uses + self.consumed_uses

    @property
    def empty(self) -> bool:
        """Nothing held at all."""
        return self.held == 0 and self.held_uses == 0

    def apply(self, entry: Entry) -> Holding:
        """The holding after ``entry``."""
        q, u = entry.quantity, entry.uses
        if entry.kind is EntryKind.RESERVE:
            return Holding(
                self.reserved + q, self.consumed, self.reserved_uses + u, self.consumed_uses
            )
        if entry.kind is EntryKind.CONSUME:
            return Holding(
                self.reserved - q, self.consumed + q, self.reserved_uses - u, self.consumed_uses + u
            )
        if entry.kind is EntryKind.RELEASE:
            return Holding(
                self.reserved - q, self.consumed, self.reserved_uses - u, self.consumed_uses
            )
        return Holding(self.reserved, self.consumed - q, self.reserved_uses, self.consumed_uses - u)


@dataclass(frozen=True, slots=True)
class Balance:
    """A ledger's totals against its allowance."""

    allowance: Allowance
    totals: Holding = field(default_factory=Holding)

    @property
    def available(self) -> Decimal | None:
        """Quantity that may still be drawn, tolerance included (None: unlimited)."""
        limit = self.allowance.limit
        return None if limit is None else limit - self.totals.held

    @property
    def nominal_available(self) -> Decimal | None:
        """Quantity that may still be drawn without using the tolerance."""
        quantity = self.allowance.quantity
        return None if quantity is None else quantity - self.totals.held

    @property
    def uses_available(self) -> int | None:
        """Uses left (None: unlimited)."""
        max_uses = self.allowance.max_uses
        return None if max_uses is None else max_uses - self.totals.held_uses

    def can_draw(self, quantity: Decimal, uses: int = 0) -> bool:
        """Whether ``quantity`` and ``uses`` fit into what is left."""
        available, uses_left = self.available, self.uses_available
        fits_quantity = available is None or quantity <= available
        return fits_quantity and (uses_left is None or uses <= uses_left)


class RefusalCode(StrEnum):
    """Why a ledger operation was refused."""

    INVALID_AMOUNT = "invalid_amount"
    ALREADY_HELD = "already_held"
    QUANTITY_EXCEEDED = "quantity_exceeded"
    USES_EXHAUSTED = "uses_exhausted"
    NOTHING_RESERVED = "nothing_reserved"
    NOTHING_HELD = "nothing_held"
    OVER_CONSUMPTION = "over_consumption"


@dataclass(frozen=True, slots=True)
class Refusal:
    """A refused operation: stable code, message and the values compared."""

    code: RefusalCode
    message: str
    evidence: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LedgerState:
    """An allowance and its entries; totals and per-reference holdings are derived."""

    allowance: Allowance
    entries: tuple[Entry, ...] = ()
    totals: Holding = field(default_factory=Holding)
    holdings: dict[str, Holding] = field(default_factory=dict)

    @classmethod
    def from_entries(cls, allowance: Allowance, entries: tuple[Entry, ...] = ()) -> LedgerState:
        """Fold ``entries`` (as stored) into a state."""
        state = cls(allowance)
        return state._append(entries) if entries else state

    @property
    def balance(self) -> Balance:
        """Totals against the allowance."""
        return Balance(self.allowance, self.totals)

    def holding(self, ref: str) -> Holding:
        """What ``ref`` holds now."""
        return self.holdings.get(ref, _EMPTY)

    def can_reserve(self, ref: str, quantity: Decimal, uses: int = 1) -> bool:
        """Whether :meth:`reserve` would succeed."""
        return not isinstance(self.reserve(ref, quantity, uses), Refusal)

    def reserve(self, ref: str, quantity: Decimal, uses: int = 1) -> LedgerState | Refusal:
        """Reserve ``quantity`` and ``uses`` for ``ref`` (one reservation per reference)."""
        if quantity < 0 or uses < 0 or (quantity == 0 and uses == 0):
            return _refuse(RefusalCode.INVALID_AMOUNT, "nothing to reserve", quantity, uses)
        if not self.holding(ref).empty:
            return _refuse(RefusalCode.ALREADY_HELD, f"{ref} already holds an amount", quantity)
        balance = self.balance
        if not balance.can_draw(quantity):
            available = balance.available
            message = f"{quantity} exceeds the {available} still available"
            return _refuse(RefusalCode.QUANTITY_EXCEEDED, message, quantity, available=available)
        if not balance.can_draw(ZERO, uses):
            left = balance.uses_available
            return _refuse(RefusalCode.USES_EXHAUSTED, f"{left} use(s) left", quantity, uses, left)
        return self._append((Entry(EntryKind.RESERVE, ref, quantity, uses),))

    def consume(self, ref: str, quantity: Decimal | None = None) -> LedgerState | Refusal:
        """Consume (part of) ``ref``'s reservation; an unconsumed rest is released."""
        held = self.holding(ref)
        if held.reserved == 0 and held.reserved_uses == 0:
            return _refuse(RefusalCode.NOTHING_RESERVED, f"{ref} holds no reservation")
        amount = held.reserved if quantity is None else quantity
        if amount < 0:
            return _refuse(RefusalCode.INVALID_AMOUNT, "negative quantity", amount)
        if amount > held.reserved:
            message = f"{amount} is more than the {held.reserved} reserved"
            return _refuse(RefusalCode.OVER_CONSUMPTION, message, amount)
        moves = [Entry(EntryKind.CONSUME, ref, amount, held.reserved_uses)]
        if amount < held.reserved:
            moves.append(Entry(EntryKind.RELEASE, ref, held.reserved - amount, 0))
        return self._append(tuple(moves))

    def release(self, ref: str) -> LedgerState | Refusal:
        """Give back ``ref``'s open reservation (rejection, invalidation before release)."""
        held = self.holding(ref)
        if held.reserved == 0 and held.reserved_uses == 0:
            return _refuse(RefusalCode.NOTHING_RESERVED, f"{ref} holds no reservation")
        return self._append((Entry(EntryKind.RELEASE, ref, held.reserved, held.reserved_uses),))

    def give_back(self, ref: str) -> LedgerState | Refusal:
        """Give back everything ``ref`` holds, reserved and consumed."""
        held = self.holding(ref)
        if held.empty:
            return _refuse(RefusalCode.NOTHING_HELD, f"{ref} holds nothing")
        moves = []
        if held.reserved or held.reserved_uses:
            moves.append(Entry(EntryKind.RELEASE, ref, held.reserved, held.reserved_uses))
        if held.consumed or held.consumed_uses:
            moves.append(Entry(EntryKind.RETURN, ref, held.consumed, held.consumed_uses))
        return self._append(tuple(moves))

    def _append(self, moves: tuple[Entry, ...]) -> LedgerState:
        totals, holdings = self.totals, dict(self.holdings)
        for entry in moves:
            totals = totals.apply(entry)
            holdings[entry.ref] = holdings.get(entry.ref, _EMPTY).apply(entry)
        return LedgerState(self.allowance, self.entries + moves, totals, holdings)


_EMPTY = Holding()


def _refuse(
    code: RefusalCode,
    message: str,
    quantity: Decimal | None = None,
    uses: int | None = None,
    uses_left: int | None = None,
    *,
    available: Decimal | None = None,
) -> Refusal:
    values = {"quantity": quantity, "uses": uses, "uses_left": uses_left, "available": available}
    return Refusal(code, message, {k: str(v) for k, v in values.items() if v is not None})
