"""Registering declarations: numbers, versions, items, lifecycle events.

Originals get a new number; amendments and cancellations cite the number they change and must
come from the sender who registered it. A released declaration cannot be amended; it can be
invalidated only in a listed case of its regime (:mod:`clearance.lifecycle.invalidation`). A
whole interchange is written with a few multi-row INSERTs (one per table), not row by row: that
is where end-to-end throughput is won. Nothing here commits: the caller's unit of work does,
once per interchange.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from clearance.lifecycle.events import EventBatch, EventKind
from clearance.lifecycle.invalidation import NotListed, after_release
from clearance.lifecycle.numbering import reserve_declaration_numbers, reserve_mrns
from clearance.lifecycle.ownership import trader_of
from clearance.lifecycle.regime_choice import regime_of
from clearance.store.bulk import insert_rows, insert_rows_returning_ids
from clearance.store.tables import Declaration as DeclarationRow
from clearance.store.tables import DeclarationItem, DeclarationVersion
from edi.model import Declaration, DeclarationFunction, Direction


class DeclarationStatus:
    """Status values of a stored declaration."""

    # Final: class constants, which is what mypyc needs to compile this module (it reads
    # an unannotated class attribute as an instance attribute).
    REGISTERED: Final = "registered"
    RELEASED: Final = "released"
    INVALIDATED: Final = "invalidated"


@dataclass(frozen=True, slots=True)
class Submission:
    """One mapped declaration waiting to be registered."""

    declaration: Declaration
    message_reference: str


@dataclass(frozen=True, slots=True)
class Registered:
    """A stored declaration after registration, amendment or cancellation."""

    id: int
    number: str
    status: str
    direction: str
    office: str
    version: int
    accepted_on: date
    declaration: Declaration  # the current content
    function: DeclarationFunction  # what this message asked for
    # ``declaration.model_dump_json()`` when registration wrote it (the stored canonical form):
    # the decision's inputs digest hashes the same text, which is not produced twice.
    canonical: str | None = None


@dataclass(frozen=True, slots=True)
class Refused:
    """An amendment or cancellation that cannot be applied, with the reason."""

    submission: Submission
    reason: str


@dataclass(frozen=True, slots=True)
class Batch:
    """What one interchange registers: who sent it, from which message, when."""

    sender: str
    inbound_message_id: int
    default_office: str
    accepted_on: date
    now: datetime  # from the injected clock: also the "today" of invalidation after release
    regime: str | None = None  # CUSTOMS_REGIME (unset: chosen by office, as for assessment)
    timezone: str = "Asia/Shanghai"  # CUSTOMS_TIMEZONE: days since release are local days
    submitted_by: str | None = None  # the subject that sent the interchange (issue 12)
    #: The sender's other identifier (a DecMessage declarant's customs code beside its USCC).
    sender_alias: str | None = None


def register_all(
    session: Session, submissions: list[Submission], batch: Batch, events: EventBatch
) -> list[Registered | Refused]:
    """Register one interchange's declarations; one result per submission, in order."""
    results: list[Registered | Refused | None] = [None] * len(submissions)
    originals = [
        (n, s)
        for n, s in enumerate(submissions)
        if s.declaration.function is DeclarationFunction.ORIGINAL
    ]
    for (n, _), registered in zip(
        originals, _register_originals(session, originals, batch, events), strict=True
    ):
        results[n] = registered
    for n, submission in enumerate(submissions):
        if results[n] is None:
            results[n] = _change(session, submission, batch, events)
    return [r for r in results if r is not None]


def office_of(declaration: Declaration, default_office: str) -> str:
    """The 4-digit office the number is drawn for: the declaration's own, else the default."""
    office = declaration.declaration_office
    return (
        office if office is not None and len(office) == 4 and office.isdigit() else default_office
    )


#: How a number is drawn: ("cn18", office) or ("mrn", country), and the office recorded.
NumberKey = tuple[str, str]


def number_key(declaration: Declaration, batch: Batch) -> tuple[NumberKey, str]:
    """The numbering of ``declaration``'s regime and the office its row records.

    One regime all the way through: the regime chosen for the declaration (as the assessment
    and the controls choose it) decides the number too. An EU/UK-style regime gives an MRN for
    the country of the declaring office (else of the regime's ``mrn_country``), never a Chinese
    number from the configured office.
    """
    cn_office = office_of(declaration, batch.default_office)
    regime = regime_of(declaration, cn_office, batch.regime)
    if regime.procedure.numbering != "mrn":
        return ("cn18", cn_office), cn_office
    office = declaration.declaration_office or declaration.port_office or cn_office
    country = office[:2] if office[:2].isalpha() and office[:2].isupper() else None
    return ("mrn", country or regime.procedure.mrn_country or "XX"), office


def _register_originals(
    session: Session, originals: list[tuple[int, Submission]], batch: Batch, events: EventBatch
) -> list[Registered]:
    if not originals:
        return []
    # One regime choice per declaration (number_key chooses it): the reservation counts by
    # the same keys the rows then draw from.
    keys = [number_key(s.declaration, batch) for _, s in originals]
    numbers = _reserve_numbers(session, [s for _, s in originals], [k for k, _ in keys], batch)
    rows: list[dict[str, Any]] = []
    for (_, submission), (key, office) in zip(originals, keys, strict=True):
        declaration = submission.declaration
        rows.append(
            {
                "number": numbers[(key, declaration.direction)].pop(0),
                "sender": batch.sender,
                "sender_alias": batch.sender_alias,
                "sender_reference": declaration.sender_reference,
                "message_reference": submission.message_reference,
                "inbound_message_id": batch.inbound_message_id,
                "direction": declaration.direction.value,
                "office": office,
                "status": DeclarationStatus.REGISTERED,
                "accepted_on": batch.accepted_on,
                "version": 1,
                "canonical": declaration.model_dump_json(),
                "registered_at": batch.now,
                "updated_at": batch.now,
                "trader_id": trader_of(declaration),
                "submitted_by": batch.submitted_by,
            }
        )
    ids = insert_rows_returning_ids(session, DeclarationRow, rows)
    registered = []
    for declaration_id, row, (_, submission) in zip(ids, rows, originals, strict=True):
        registered.append(
            Registered(
                id=declaration_id,
                number=row["number"],
                status=row["status"],
                direction=row["direction"],
                office=row["office"],
                version=1,
                accepted_on=batch.accepted_on,
                declaration=submission.declaration,
                function=DeclarationFunction.ORIGINAL,
                canonical=row["canonical"],
            )
        )
        events.add(
            EventKind.REGISTERED,
            declaration_number=row["number"],
            data={
                "sender_reference": row["sender_reference"],
                "items": len(submission.declaration.items),
            },
        )
    _insert_versions(
        session,
        [(r, r.declaration, row["canonical"]) for r, row in zip(registered, rows, strict=True)],
        batch,
    )
    _insert_items(session, registered)
    return registered


def _reserve_numbers(
    session: Session, submissions: list[Submission], keys: list[NumberKey], batch: Batch
) -> dict[tuple[NumberKey, Direction], list[str]]:
    counts: dict[tuple[NumberKey, Direction], int] = defaultdict(int)
    for submission, key in zip(submissions, keys, strict=True):
        counts[(key, submission.declaration.direction)] += 1
    year = batch.accepted_on.year
    return {
        key: (
            reserve_mrns(session, key[0][1], year, key[1], count)
            if key[0][0] == "mrn"
            else reserve_declaration_numbers(session, key[0][1], year, key[1], count)
        )
        for key, count in sorted(counts.items())
    }


def _change(
    session: Session, submission: Submission, batch: Batch, events: EventBatch
) -> Registered | Refused:
    declaration = submission.declaration
    number = declaration.registered_number
    row = session.execute(
        select(DeclarationRow).where(DeclarationRow.number == number).with_for_update()
    ).scalar_one_or_none()
    # Another sender's declaration is reported exactly like an unknown one: no information leaks.
    # The sender is the party: a change sent as its other identifier (the firm's customs code
    # for a declaration filed under its USCC) is the sender's own.
    if row is None or batch.sender not in (row.sender, row.sender_alias):
        return Refused(submission, f"declaration {number} is not known for sender {batch.sender}")
    if row.status == DeclarationStatus.INVALIDATED:
        reason = f"declaration {number} is already invalidated"
        return _refused(submission, row, reason, events)
    cancellation = declaration.function is DeclarationFunction.CANCELLATION
    if row.status == DeclarationStatus.RELEASED and not cancellation:
        return _refused(submission, row, f"declaration {number} is already released", events)
    if row.direction != declaration.direction.value:
        reason = f"declaration {number} is an {row.direction}, not an {declaration.direction.value}"
        return _refused(submission, row, reason, events)
    values: dict[str, Any] = {"version": row.version + 1, "updated_at": batch.now}
    event_data: dict[str, Any] = {}
    if cancellation:
        current = Declaration.model_validate_json(row.canonical)
        invalidation = _invalidation(session, row, current, batch)
        if isinstance(invalidation, str):
            return _refused(submission, row, invalidation, events)
        event_data = invalidation
        values["status"] = DeclarationStatus.INVALIDATED
        kind = EventKind.INVALIDATED
    else:
        values["canonical"] = declaration.model_dump_json()
        values["sender_reference"] = declaration.sender_reference
        values["trader_id"] = trader_of(declaration)
        kind, current = EventKind.AMENDED, declaration
    session.execute(update(DeclarationRow).where(DeclarationRow.id == row.id).values(**values))
    registered = Registered(
        id=row.id,
        number=row.number,
        status=values.get("status", row.status),
        direction=row.direction,
        office=row.office,
        version=values["version"],
        accepted_on=row.accepted_on,
        declaration=current,
        function=declaration.function,
    )
    _insert_versions(session, [(registered, declaration, declaration.model_dump_json())], batch)
    if kind is EventKind.AMENDED:
        session.execute(delete(DeclarationItem).where(DeclarationItem.declaration_id == row.id))
        _insert_items(session, [registered])
    data = {"version": registered.version, **event_data}
    events.add(kind, declaration_number=row.number, data=data)
    return registered


def _refused(
    submission: Submission, row: DeclarationRow, reason: str, events: EventBatch
) -> Refused:
    """A change of the sender's own declaration that cannot be applied: refused, and said so
    on the declaration itself (``change_refused``), so its history shows the attempt and why.
    (A number unknown to the sender is refused without an event: it may be someone else's.)"""
    events.add(
        EventKind.CHANGE_REFUSED,
        declaration_number=row.number,
        data={
            "function": submission.declaration.function.value,
            "sender_reference": submission.declaration.sender_reference,
            "status": row.status,
            "version": row.version,
            "reason": reason,
        },
    )
    return Refused(submission, reason)


def _invalidation(
    session: Session, row: DeclarationRow, current: Declaration, batch: Batch
) -> dict[str, Any] | str:
    """The ``invalidated`` event's data, or why the declaration cannot be invalidated.

    Before release a cancellation is always accepted; after release only when a listed case
    of the declaration's regime applies (:mod:`clearance.lifecycle.invalidation`).
    """
    if row.status != DeclarationStatus.RELEASED:
        return {"after_release": False}
    # The row is locked (FOR UPDATE in _change) and confirm-exit locks it too, so an exit
    # confirmation cannot slip in between this verdict and the status change.
    verdict = after_release(
        session, row.number, current, row.office, batch.regime, batch.now, batch.timezone
    )
    if isinstance(verdict, NotListed):
        return verdict.reason(row.number)
    released_on = verdict.released_on
    return {
        "after_release": True,
        "listed_case": verdict.case.id,
        "regime": verdict.regime,
        "released_on": None if released_on is None else released_on.isoformat(),
        "days_since_release": verdict.days_since_release,
    }


def _insert_versions(
    session: Session, entries: list[tuple[Registered, Declaration, str]], batch: Batch
) -> None:
    insert_rows(
        session,
        DeclarationVersion,
        [
            {
                "declaration_id": registered.id,
                "version": registered.version,
                "function": sent.function.value,
                "canonical": canonical,
                "inbound_message_id": batch.inbound_message_id,
                "created_at": batch.now,
            }
            for registered, sent, canonical in entries
        ],
    )


def _insert_items(session: Session, registered: list[Registered]) -> None:
    rows = [
        {
            "declaration_id": r.id,
            "sequence": item.sequence,
            "commodity_code": item.commodity_code,
            "origin_country": item.origin_country,
            "destination_country": item.destination_country,
            "value": None if item.value is None else item.value.value,
            "currency": None if item.value is None else item.value.currency,
        }
        for r in registered
        for item in r.declaration.items
    ]
    if rows:
        insert_rows(session, DeclarationItem, rows)
