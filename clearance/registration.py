"""Registering declarations: numbers, versions, items, lifecycle events.

Originals get a new number; amendments and cancellations cite the number they change and
must come from the sender who registered it. Nothing here commits: the caller's unit of work
does, once per interchange.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from clearance.events import EventKind, append_event
from clearance.numbering import reserve_declaration_numbers
from clearance.store.tables import Declaration as DeclarationRow
from clearance.store.tables import DeclarationItem, DeclarationVersion
from edi.model import Declaration, DeclarationFunction, Direction


class DeclarationStatus:
    """Status values of a stored declaration."""

    REGISTERED = "registered"
    INVALIDATED = "invalidated"


@dataclass(frozen=True, slots=True)
class Submission:
    """One mapped declaration waiting to be registered."""

    declaration: Declaration
    message_reference: str


@dataclass(frozen=True, slots=True)
class Registered:
    """The stored declaration row after registration, amendment or cancellation."""

    row: DeclarationRow
    declaration: Declaration
    function: DeclarationFunction


@dataclass(frozen=True, slots=True)
class Refused:
    """An amendment or cancellation that cannot be applied, with the reason."""

    submission: Submission
    reason: str


def register_all(
    session: Session,
    submissions: list[Submission],
    *,
    sender: str,
    inbound_message_id: int,
    default_office: str,
    accepted_on: date,
    now: datetime,
) -> list[Registered | Refused]:
    """Register a batch (one interchange) and return one result per submission, in order."""
    originals = [s for s in submissions if s.declaration.function is DeclarationFunction.ORIGINAL]
    numbers = _reserve_numbers(session, originals, default_office, accepted_on.year)
    results: list[Registered | Refused] = []
    for submission in submissions:
        declaration = submission.declaration
        if declaration.function is DeclarationFunction.ORIGINAL:
            office = _office(declaration, default_office)
            number = numbers[(office, declaration.direction)].pop(0)
            results.append(
                _register(
                    session,
                    submission,
                    number,
                    office,
                    sender,
                    inbound_message_id,
                    accepted_on,
                    now,
                )
            )
        else:
            results.append(_change(session, submission, sender, inbound_message_id, now))
    return results


def _office(declaration: Declaration, default_office: str) -> str:
    office = declaration.declaration_office
    return (
        office if office is not None and len(office) == 4 and office.isdigit() else default_office
    )


def _reserve_numbers(
    session: Session, originals: list[Submission], default_office: str, year: int
) -> dict[tuple[str, Direction], list[str]]:
    counts: dict[tuple[str, Direction], int] = defaultdict(int)
    for submission in originals:
        declaration = submission.declaration
        counts[(_office(declaration, default_office), declaration.direction)] += 1
    return {
        key: reserve_declaration_numbers(session, key[0], year, key[1], count)
        for key, count in sorted(counts.items())
    }


def _register(
    session: Session,
    submission: Submission,
    number: str,
    office: str,
    sender: str,
    inbound_message_id: int,
    accepted_on: date,
    now: datetime,
) -> Registered:
    declaration = submission.declaration
    canonical = declaration.model_dump_json()
    row = DeclarationRow(
        number=number,
        sender=sender,
        sender_reference=declaration.sender_reference,
        message_reference=submission.message_reference,
        inbound_message_id=inbound_message_id,
        direction=declaration.direction.value,
        office=office,
        status=DeclarationStatus.REGISTERED,
        accepted_on=accepted_on,
        version=1,
        canonical=canonical,
        registered_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    _add_version(session, row, declaration, inbound_message_id, now)
    _replace_items(session, row, declaration)
    append_event(
        session,
        EventKind.REGISTERED,
        now,
        inbound_message_id=inbound_message_id,
        declaration_number=number,
        data={"sender_reference": declaration.sender_reference, "items": len(declaration.items)},
    )
    return Registered(row, declaration, DeclarationFunction.ORIGINAL)


def _change(
    session: Session, submission: Submission, sender: str, inbound_message_id: int, now: datetime
) -> Registered | Refused:
    declaration = submission.declaration
    number = declaration.registered_number
    row = session.execute(
        select(DeclarationRow).where(DeclarationRow.number == number).with_for_update()
    ).scalar_one_or_none()
    # Another sender's declaration is reported exactly like an unknown one: no information leaks.
    if row is None or row.sender != sender:
        return Refused(submission, f"declaration {number} is not known for sender {sender}")
    if row.status == DeclarationStatus.INVALIDATED:
        return Refused(submission, f"declaration {number} is already invalidated")
    if row.direction != declaration.direction.value:
        return Refused(
            submission,
            f"declaration {number} is an {row.direction}, not an {declaration.direction.value}",
        )
    row.version += 1
    row.updated_at = now
    if declaration.function is DeclarationFunction.CANCELLATION:
        row.status = DeclarationStatus.INVALIDATED
        kind = EventKind.INVALIDATED
        current = Declaration.model_validate_json(row.canonical)
    else:
        row.canonical = declaration.model_dump_json()
        row.sender_reference = declaration.sender_reference
        _replace_items(session, row, declaration)
        kind = EventKind.AMENDED
        current = declaration
    _add_version(session, row, declaration, inbound_message_id, now)
    append_event(
        session,
        kind,
        now,
        inbound_message_id=inbound_message_id,
        declaration_number=row.number,
        data={"version": row.version},
    )
    return Registered(row, current, declaration.function)


def _add_version(
    session: Session,
    row: DeclarationRow,
    declaration: Declaration,
    inbound_message_id: int,
    now: datetime,
) -> None:
    session.add(
        DeclarationVersion(
            declaration_id=row.id,
            version=row.version,
            function=declaration.function.value,
            canonical=declaration.model_dump_json(),
            inbound_message_id=inbound_message_id,
            created_at=now,
        )
    )


def _replace_items(session: Session, row: DeclarationRow, declaration: Declaration) -> None:
    if row.version > 1:
        session.execute(delete(DeclarationItem).where(DeclarationItem.declaration_id == row.id))
    session.add_all(
        DeclarationItem(
            declaration_id=row.id,
            sequence=item.sequence,
            commodity_code=item.commodity_code,
            origin_country=item.origin_country,
            destination_country=item.destination_country,
            value=None if item.value is None else item.value.value,
            currency=None if item.value is None else item.value.currency,
        )
        for item in declaration.items
    )
