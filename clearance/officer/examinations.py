"""Examination results: what an officer checked (documents or goods), found and concluded.

Container numbers are ISO 6346 (owner code, category, serial, check digit), checked with
python-stdnum's ``iso6346`` so that a mistyped number is refused, not recorded.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session
from stdnum import iso6346
from stdnum.exceptions import ValidationError as NumberError

from clearance.lifecycle.events import EventKind, append_event
from clearance.store.officer_tables import Examination
from clearance.store.tables import Declaration as DeclarationRow
from core.errors import CustomsError


class InvalidContainerError(CustomsError):
    """A container number is not a valid ISO 6346 number; the message names it and why."""

    code = "invalid_container"


def container_numbers(numbers: Sequence[str]) -> list[str]:
    """``numbers`` in their compact form (upper case, no spaces), each one checked."""
    checked = []
    for position, number in enumerate(numbers, start=1):
        try:
            checked.append(iso6346.validate(number))
        except NumberError as exc:
            raise InvalidContainerError(
                f"container {position} ({number!r}) is not an ISO 6346 number: {exc}"
            ) from exc
    return checked


def record_examination(
    session: Session,
    row: DeclarationRow,
    kind: str,
    outcome: str,
    findings: str,
    containers: Sequence[str],
    seals: Sequence[str],
    officer: str,
    now: datetime,
) -> int:
    """Store an examination of ``row``'s current version; its id. Containers are checked
    first, so a bad number stores nothing."""
    checked = container_numbers(containers)
    examination = Examination(
        declaration_id=row.id,
        declaration_version=row.version,
        kind=kind,
        outcome=outcome,
        findings=findings,
        containers=json.dumps(checked),
        seals=json.dumps(list(seals), ensure_ascii=False),
        officer=officer,
        recorded_at=now,
    )
    session.add(examination)
    session.flush()
    data = {
        "by": officer,
        "examination_id": examination.id,
        "version": row.version,
        "kind": kind,
        "outcome": outcome,
        "findings": findings,
        "containers": checked,
        "seals": list(seals),
    }
    append_event(
        session, EventKind.EXAMINATION_RECORDED, now, declaration_number=row.number, data=data
    )
    return examination.id
