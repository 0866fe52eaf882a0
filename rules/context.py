"""What the controls get: the declaration, the date, registries, balances and requirements.

Everything a control needs is passed in here, so that a decision can be recomputed exactly: no
clock, no database. The pipeline supplies the required documents per item (from the tariff measures
in force, as :class:`RequiredDocument`) and the CNY value per item (from the assessment).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from typing import TypeVar, cast

from edi.model import Declaration, Direction, DocumentReference, GoodsItem, IdentifierScheme
from edi.model import PartyRole as Role
from rules.ledger import Balance
from rules.registry import Registries, TraderProfile

_T = TypeVar("_T")


class MissingAction(StrEnum):
    """What happens when none of a required document's codes is presented."""

    OTHER_RATE = "other_rate"  # the measure (e.g. an agreement rate) does not apply
    DOCUMENTS_REQUIRED = "documents_required"  # held until the document is presented
    REJECT = "reject"  # the item cannot be accepted without it


@dataclass(frozen=True, slots=True)
class RequiredDocument:
    """A measure condition: one of ``codes`` must be presented, else ``action``."""

    codes: tuple[str, ...]
    action: MissingAction
    measure: str = ""  # what asks for it, for the message (e.g. "automatic import licence")


@dataclass(frozen=True, slots=True)
class ControlPolicy:
    """Tunables of the data-sanity rules *(policy)*."""

    commodity_code_digits: int | None = 10  # China: 8-digit line + 2 statistical digits
    mass_tolerance: Decimal = Decimal("0.01")  # relative, header vs. sum of items
    value_tolerance: Decimal = Decimal("0.01")  # absolute, in the invoice currency
    relative_value_tolerance: Decimal = Decimal("0.001")  # quantity × unit price vs. total
    # The regime's own weight for a rule: (rule id, severity or "off"), e.g. a container-number
    # check that an EU/UK-style regime records without holding the declaration.
    rule_severity: tuple[tuple[str, str], ...] = ()
    regime: str = "cn"


@dataclass(frozen=True)
class ControlContext:
    """One declaration and everything the controls may consult about it."""

    declaration: Declaration
    declaration_number: str
    as_of: date
    registries: Registries
    balances: Mapping[str, Balance] = field(default_factory=dict)
    required_documents: Mapping[int, tuple[RequiredDocument, ...]] = field(default_factory=dict)
    values_cny: Mapping[int, Decimal] = field(default_factory=dict)
    policy: ControlPolicy = field(default_factory=ControlPolicy)
    _memo: dict[str, object] = field(default_factory=dict, init=False, repr=False, compare=False)

    def memo(self, key: str, compute: Callable[[], _T]) -> _T:
        """``compute()`` once per context (claims shared by several rules).

        ``compute`` reads the declaration, the date, the registries, the required documents
        and the CNY values only, never the balances: :meth:`with_balances` keeps what was
        memoised (a context with other fields, by ``dataclasses.replace``, starts afresh).
        """
        if key not in self._memo:
            self._memo[key] = compute()
        return cast(_T, self._memo[key])

    def with_balances(self, balances: Mapping[str, Balance]) -> ControlContext:
        """This context with ``balances``, keeping what was memoised (the claims)."""
        # Built field by field rather than through dataclasses.replace (a few µs per
        # declaration): the same fields, balances replaced, a memo of its own holding what was
        # remembered, and the cached properties (trader, parties: they read the declaration,
        # the date and the registries only) kept.
        other = object.__new__(ControlContext)
        state = other.__dict__
        state.update(self.__dict__)
        state["balances"] = dict(balances)
        state["_memo"] = dict(self._memo)
        return other

    @cached_property
    def trader_uscc(self) -> str | None:
        """USCC of the domestic party: consignee (imports) or consignor (exports)."""
        return self._trader_identifier(IdentifierScheme.USCC)

    @cached_property
    def trader_eori(self) -> str | None:
        """EORI of the domestic party, for declarations lodged under an EU/UK-style regime."""
        return self._trader_identifier(IdentifierScheme.EORI)

    def _trader_identifier(self, scheme: IdentifierScheme) -> str | None:
        roles = (
            (Role.CONSIGNEE, Role.IMPORTER)
            if self.declaration.direction is Direction.IMPORT
            else (Role.CONSIGNOR, Role.EXPORTER)
        )
        for role in roles:
            party = self.declaration.party(role)
            if party is not None and (value := party.identifier(scheme)):
                return value
        return None

    @cached_property
    def trader(self) -> TraderProfile | None:
        """The domestic trader's registered profile on ``as_of``."""
        uscc = self.trader_uscc
        return None if uscc is None else self.registries.trader(uscc, self.as_of)

    @cached_property
    def overseas_party_name(self) -> str | None:
        """Name of the overseas consignor (imports) or consignee (exports)."""
        role = (
            Role.OVERSEAS_CONSIGNOR
            if self.declaration.direction is Direction.IMPORT
            else Role.OVERSEAS_CONSIGNEE
        )
        party = self.declaration.party(role)
        return None if party is None else party.name

    def documents_for(self, item: GoodsItem) -> tuple[DocumentReference, ...]:
        """The item's own documents followed by the header documents."""
        return item.documents + self.declaration.documents

    def balance(self, key: str, fresh: Balance) -> Balance:
        """The supplied balance of ledger ``key``, else ``fresh`` (nothing drawn yet)."""
        return self.balances.get(key, fresh)
