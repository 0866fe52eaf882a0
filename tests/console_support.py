"""Shared by the console's page tests and browser journeys: people, their sign-in, sample files.

The page tests sign people in through :class:`api.console.PasswordSignIn` with a table of their
own (a test double of the identity port: argon2 hashing in every test would cost seconds, and
what they test is the console's handling of the actor it returns). The identity use cases
themselves sign people in in ``test_console_identity.py`` and the browser journeys
(:func:`add_people`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import console
from api.console.authentication import PasswordSignIn, SignInRefusedError
from clearance.app import LOCAL_OPERATOR, Actor, Application, Role, subjects

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "edifact" / "01-import-d96b.edi"
PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Person:
    """Someone who signs in: name and the actor the identity use cases would give."""

    name: str
    actor: Actor


OCEAN = Person("ocean", Actor("ocean", Role.TRADER, party_ids=frozenset({"BROKER01"})))
NINGBO = Person("ningbo", Actor("ningbo", Role.TRADER, party_ids=frozenset({"BROKER02"})))
OFFICER = Person("li.officer", Actor("li.officer", Role.OFFICER, offices=frozenset({"2201"})))
OTHER_OFFICER = Person(
    "wang.officer", Actor("wang.officer", Role.OFFICER, offices=frozenset({"5100"}))
)
COLLEAGUE = Person("zhao.officer", Actor("zhao.officer", Role.OFFICER, offices=frozenset({"2201"})))
SUPERVISOR = Person(
    "chen.supervisor", Actor("chen.supervisor", Role.SUPERVISOR, offices=frozenset({"2201"}))
)
#: The service's operator over HTTP and in the console: sees and retries any sender's files.
ADMIN = Person("root.admin", Actor("root.admin", Role.ADMIN))
PEOPLE = {p.name: p for p in (OCEAN, NINGBO, OFFICER, OTHER_OFFICER, COLLEAGUE, SUPERVISOR, ADMIN)}


def table_sign_in(actors: Iterable[Actor]) -> PasswordSignIn:
    """The sign-in port over a table of people: each of ``actors`` signs in with its subject as
    name and :data:`PASSWORD`; anyone else, or another password, is refused."""
    table = {actor.subject: actor for actor in actors}

    def check(name: str, password: str) -> Actor:
        if name not in table or password != PASSWORD:
            raise SignInRefusedError
        return table[name]

    def current(subject: str, signed_in_at: datetime) -> Actor:
        del signed_in_at  # these people's sessions never end early
        if subject not in table:
            raise SignInRefusedError
        return table[subject]

    return PasswordSignIn(check, current)


def console_app(
    application: Application,
    *,
    real_identity: bool = False,
    sign_in: PasswordSignIn | None = None,
) -> FastAPI:
    """A service with only the console mounted, signing people in from :data:`PEOPLE` (or
    ``sign_in``'s table, or with ``real_identity`` through the identity use cases: see
    :func:`add_people`)."""
    app = FastAPI()
    if sign_in is None and not real_identity:
        sign_in = table_sign_in(p.actor for p in PEOPLE.values())
    console.mount(app, application, secret="test-secret", password_sign_in=sign_in)
    return app


def add_people(application: Application) -> None:
    """:data:`PEOPLE` as subjects of the identity use cases, each with :data:`PASSWORD`."""
    for person in PEOPLE.values():
        actor = person.actor
        subjects.add_subject(
            application,
            LOCAL_OPERATOR,
            subjects.NewSubject(
                id=person.name,
                name=person.name.title(),
                role=actor.role,
                party_ids=[f"edi:{p}" for p in sorted(actor.party_ids)],
                offices=sorted(actor.offices),
                password=PASSWORD,
            ),
        )


def interchange(sender: str = "BROKER01", reference: str = "IC0000001") -> bytes:
    """Sample 01 (an import that waits for documents) as sent by ``sender``."""
    text = SAMPLE.read_text(encoding="utf-8")
    return text.replace("BROKER01", sender).replace("IC0000001", reference).encode()


def csrf_token(html: str) -> str:
    """The CSRF token of the first form of a page."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client: TestClient, person: Person) -> None:
    """Sign ``person`` in on ``client`` (its cookies cleared first) with :data:`PASSWORD`."""
    client.cookies.clear()
    token = csrf_token(client.get("/console/sign-in").text)
    client.post(
        "/console/sign-in",
        data={"csrf_token": token, "name": person.name, "password": PASSWORD},
    )
