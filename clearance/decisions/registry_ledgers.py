"""The ledgers of a licence or certificate when it is registered again, and as reads show them.

A ledger (``licence:N``, ``certificate:N:LINE``) keeps its allowance on its head row, created at
the first draw. A record registered again updates the heads it has, under their row locks (the
locks decisions take), and is refused when its allowance would fall below what is already
drawn, change the unit of what is drawn, or drop a certificate line drawn on.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from clearance.ledgers.accounts import allowance_of, balances
from clearance.store.control_tables import LedgerHead
from core.errors import CustomsError
from rules.claims import (
    certificate_line_allowance,
    certificate_line_key,
    licence_allowance,
    licence_key,
)
from rules.ledger import Allowance, Balance
from rules.registry import CertificateOfOrigin, Licence

#: A record registered, replaced or revoked on its own.
RegistryDocument = Licence | CertificateOfOrigin


class RegistryChangeError(CustomsError):
    """The change would leave a ledger inconsistent; ``path`` names the record's field."""

    code = "registry_change"

    def __init__(self, record: RegistryDocument, path: tuple[str | int, ...], message: str) -> None:
        where = ".".join(str(p) for p in path)
        super().__init__(f"{record.record} {record.number}: {where}: {message}")
        self.path = path


@dataclass(frozen=True, slots=True)
class LedgerLine:
    """A ledger of a document as decisions see it: its key, certificate line, balance."""

    key: str
    line: int | None
    balance: Balance
    drawn: bool  # the ledger exists (something was drawn on it once)


def ledgers(session: Session, record: RegistryDocument) -> list[LedgerLine]:
    """The ledgers of ``record`` (read, not locked): from their heads when they exist."""
    wanted: dict[str, tuple[int | None, Allowance]] = (
        {licence_key(record.number): (None, licence_allowance(record))}
        if isinstance(record, Licence)
        else {
            certificate_line_key(record.number, x.line): (x.line, certificate_line_allowance(x))
            for x in record.lines
        }
    )
    heads = {
        head.key: head
        for head in session.scalars(select(LedgerHead).where(LedgerHead.key.in_(wanted)))
    }
    drawn = balances(session, heads)
    return [
        LedgerLine(key, line, drawn.get(key, Balance(allowance)), key in heads)
        for key, (line, allowance) in wanted.items()
    ]


def check_ledgers(session: Session, record: RegistryDocument) -> dict[str, LedgerHead]:
    """Lock the heads of ``record``'s ledgers; refuse an allowance below what they hold."""
    heads = {
        head.key: head
        for head in session.scalars(
            select(LedgerHead)
            .where(LedgerHead.kind == record.record, LedgerHead.document == record.number)
            .order_by(LedgerHead.key)
            .with_for_update()
        )
    }
    for key, balance in balances(session, heads).items():
        held, uses = balance.totals.held, balance.totals.held_uses
        if held == 0 and uses == 0:
            continue
        if isinstance(record, Licence):
            _check(record, (), licence_allowance(record), balance.allowance.unit, held, uses)
            continue
        line_no = int(key.rsplit(":", 1)[1])
        index = next((n for n, x in enumerate(record.lines) if x.line == line_no), None)
        if index is None:
            message = f"line {line_no} has {held} {balance.allowance.unit} drawn on it"
            raise RegistryChangeError(record, ("lines",), message + " and cannot be removed")
        allowance = certificate_line_allowance(record.lines[index])
        _check(record, ("lines", index), allowance, balance.allowance.unit, held, uses)
    return heads


def _check(
    record: RegistryDocument,
    at: tuple[str | int, ...],
    allowance: Allowance,
    unit: str | None,
    held: Decimal,
    uses: int,
) -> None:
    if allowance.unit != unit:
        message = f"{allowance.unit} cannot replace {unit} while {held} {unit} is drawn"
        raise RegistryChangeError(record, (*at, "unit"), message)
    if allowance.limit is not None and allowance.limit < held:
        message = f"allows {allowance.limit} {unit}, below the {held} {unit} already drawn"
        raise RegistryChangeError(record, (*at, "quantity"), message)
    if allowance.max_uses is not None and allowance.max_uses < uses:
        message = f"{allowance.max_uses} is below the {uses} uses already taken"
        raise RegistryChangeError(record, (*at, "max_uses"), message)


def update_heads(record: RegistryDocument, heads: dict[str, LedgerHead]) -> None:
    """Give the (locked) heads of ``record`` its new allowance."""
    allowances = (
        {licence_key(record.number): licence_allowance(record)}
        if isinstance(record, Licence)
        else {
            certificate_line_key(record.number, x.line): certificate_line_allowance(x)
            for x in record.lines
        }
    )
    for key, head in heads.items():
        allowance = allowances.get(key)
        if allowance is None or allowance == allowance_of(head):
            continue
        head.quantity, head.unit = allowance.quantity, allowance.unit
        head.tolerance, head.max_uses = allowance.tolerance, allowance.max_uses
