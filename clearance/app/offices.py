"""The customs-offices registry (issue 12): load it from JSON lines, list it, show one office.

Offices are public reference data: any authenticated subject reads them. Loading is the
registry managers' work: the admin (issue 12: it manages "subjects, keys, mandates, offices")
and the operator, through :attr:`Permission.IDENTITY`; an agency, which may load licence
registries, may not rewrite the offices. Declarations' and officers' offices are checked
against the registry (docs/offices.md: :mod:`clearance.intake.offices`,
:mod:`clearance.app.subjects`).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select

from clearance.app.access import Permission, require
from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.documents import Document
from clearance.app.errors import NotFoundError, RefusedError
from clearance.app.views import View
from clearance.store.office_tables import CustomsOffice
from edi.model.values import CountryCode

#: 关区代码 (4 digits), an EU/UK office reference (``GB000051``), or a shorter national code
#: (the SARS sample's ``JSA``): capitals and digits, at most the column's 8 characters.
OfficeCode = Annotated[str, Field(pattern=r"^[0-9A-Z]{2,8}$")]


class OfficeLine(BaseModel):
    """One line of an offices file (docs/cli.md, ``customs offices load``)."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=False)

    code: OfficeCode
    name: str = Field(min_length=1, max_length=200)
    name_zh: str | None = Field(default=None, min_length=1, max_length=200)
    country: CountryCode
    valid_from: date
    valid_to: date | None = None


class OfficeView(View):
    """One customs office as reads show it."""

    code: str
    name: str
    name_zh: str | None
    country: str
    valid_from: str
    valid_to: str | None


class OfficesLoaded(View):
    """An offices load: how many lines, and what each did to the registry."""

    offices: int
    added: int
    changed: int
    unchanged: int


def read_offices(documents: list[Document]) -> list[OfficeLine]:
    """Every office of ``documents``, or ``RefusedError`` naming each bad line as file:line.

    A code named twice (in one file or across files) is refused too: which line would win
    is not something a loader should guess.
    """
    problems: list[str] = []
    offices: list[OfficeLine] = []
    seen: dict[str, str] = {}
    for document in documents:
        try:
            text = document.content.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(f"{document.name}: not UTF-8 text")
            continue
        for number, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip():
                continue
            place = f"{document.name}:{number}"
            try:
                office = OfficeLine.model_validate(json.loads(raw))
            except json.JSONDecodeError as exc:
                problems.append(f"{place}: not a JSON object ({exc.msg})")
                continue
            except ValidationError as exc:
                problems.append(f"{place}: {_first_problem(exc)}")
                continue
            if office.valid_to is not None and office.valid_to < office.valid_from:
                problems.append(f"{place}: valid_to {office.valid_to} is before valid_from")
                continue
            if office.code in seen:
                problems.append(f"{place}: office {office.code} is already at {seen[office.code]}")
                continue
            seen[office.code] = place
            offices.append(office)
    if problems:
        raise RefusedError("; ".join(problems))
    return offices


def _first_problem(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}" if where else str(error["msg"])


def load(app: Application, actor: Actor, documents: list[Document]) -> OfficesLoaded:
    """Upsert every office of ``documents`` by code, in one transaction.

    All or nothing: a bad line is refused with its file and line and nothing is written.
    Loading the same files again changes nothing; a changed line replaces the stored office.
    Offices the files do not name are kept.
    """
    require(actor, Permission.IDENTITY)
    offices = read_offices(documents)
    added = changed = 0
    with app.unit() as session:
        for office in offices:
            fields = office.model_dump()
            row = session.get(CustomsOffice, office.code)
            if row is None:
                session.add(CustomsOffice(**fields))
                added += 1
            elif {name: getattr(row, name) for name in fields} != fields:
                for name, value in fields.items():
                    setattr(row, name, value)
                changed += 1
    return OfficesLoaded(
        offices=len(offices), added=added, changed=changed, unchanged=len(offices) - added - changed
    )


def list_offices(app: Application, actor: Actor) -> list[OfficeView]:
    """Every office of the registry, by code (public reference data: any subject)."""
    require(actor, Permission.REFERENCE)
    with app.read() as session:
        rows = session.scalars(select(CustomsOffice).order_by(CustomsOffice.code))
        return [_view(row) for row in rows]


def show_office(app: Application, actor: Actor, code: str) -> OfficeView:
    """The office ``code`` (``NotFoundError`` if the registry has none)."""
    require(actor, Permission.REFERENCE)
    with app.read() as session:
        row = session.get(CustomsOffice, code)
        if row is None:
            raise NotFoundError(f"no customs office {code}")
        return _view(row)


def _view(row: CustomsOffice) -> OfficeView:
    return OfficeView(
        code=row.code,
        name=row.name,
        name_zh=row.name_zh,
        country=row.country,
        valid_from=row.valid_from.isoformat(),
        valid_to=None if row.valid_to is None else row.valid_to.isoformat(),
    )
