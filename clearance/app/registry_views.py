"""What the registry use cases return: documents in force, their ledgers and their changes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from clearance.app.views import View
from clearance.decisions.registry_ledgers import LedgerLine


class DocumentChanged(View):
    """A licence or certificate registered or revoked: the load now in force."""

    kind: str
    number: str
    status: str
    load_id: int
    based_on: int | None
    content_hash: str
    record_count: int
    created: bool  # a new load was stored (False: an earlier load with this content is back)
    changed: bool  # False: the registry already said so; nothing was stored


class LedgerView(View):
    """One ledger of a document: allowance, what is reserved and used, what remains."""

    key: str
    line: int | None  # the certificate line; None for a licence
    unit: str | None
    allowance: str | None  # the quantity (None: unlimited)
    tolerance: str
    limit: str | None  # allowance × (1 + tolerance)
    reserved: str
    used: str  # consumed on release
    remaining: str | None  # limit − reserved − used
    uses: int  # declarations holding or having used it
    max_uses: int | None
    uses_remaining: int | None


class DocumentSummary(View):
    """A licence or certificate in force, with its ledgers."""

    kind: str
    number: str
    status: str
    valid_from: str
    valid_to: str | None
    holder: str | None  # licence holder / certificate importer (USCC)
    issuer: str | None  # licence issuer / certificate issuing country
    ledgers: list[LedgerView]
    #: ``valid_to`` is before today (the administration's time zone): no declaration may draw
    #: on it any more, whatever its status at the issuer.
    expired: bool = False


class ChangeView(View):
    """One registration or revocation of a document."""

    action: str
    load_id: int
    based_on: int | None
    reason: str | None
    actor: str | None
    changed_at: str


class DocumentDetail(DocumentSummary):
    """Everything about one document: the record as registered, the load, its changes."""

    load_id: int | None
    record: dict[str, Any]
    changes: list[ChangeView]


def ledger_view(line: LedgerLine) -> LedgerView:
    """A ledger as reads show it: amounts as plain decimal text."""
    balance, allowance = line.balance, line.balance.allowance
    totals = balance.totals
    return LedgerView(
        key=line.key,
        line=line.line,
        unit=allowance.unit,
        allowance=text_of(allowance.quantity),
        tolerance=text_of(allowance.tolerance) or "0",
        limit=text_of(allowance.limit),
        reserved=text_of(totals.reserved) or "0",
        used=text_of(totals.consumed) or "0",
        remaining=text_of(balance.available),
        uses=totals.held_uses,
        max_uses=allowance.max_uses,
        uses_remaining=balance.uses_available,
    )


def text_of(value: Decimal | None) -> str | None:
    """A decimal as plain text without trailing zeros (``1050``, ``0.05``)."""
    if value is None:
        return None
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
