"""Who may download a raw interchange and its answers, over HTTP and through the use cases the
console calls (``message_files``): one rule in the application layer for both doors.

A raw interchange belongs to its sender (and the brokers acting as it): a trader only named in
one of its declarations (the consignee) sees its declaration but not the file, which carries
other traders' declarations too. An officer downloads an interchange only when at least one of
its declarations is of the officer's offices; an answer about one declaration goes with that
declaration.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.console.authentication import PasswordSignIn, SignInRefusedError
from clearance.app import Actor, Application, NotFoundError, Role, message_files
from tests.api.conftest import Auth, sample
from tests.console_support import PASSWORD, console_app, csrf_token

pytestmark = pytest.mark.db

EDIFACT = {"Content-Type": "application/EDIFACT"}
#: The consignee of the first declaration of sample 03 (sent by BROKER02).
NINGBO = Actor("trader-ningbo", Role.TRADER, party_ids=frozenset({"91330200MA2AJ6YF1B"}))
OFFICER_2201 = Actor("officer-2201", Role.OFFICER, offices=frozenset({"2201"}))
OFFICER_5300 = Actor("officer-5300", Role.OFFICER, offices=frozenset({"5300"}))
BROKER_02 = Actor("broker-02", Role.BROKER, party_ids=frozenset({"BROKER02"}))


def _multi(reference: str, offices: tuple[str, str, str]) -> bytes:
    """Sample 03 (three declarations of three consignees) under interchange ``reference``,
    its declarations at ``offices``."""
    text = sample("03-multi-message-group-d96b.edi").decode()
    text = text.replace("IC0000057", reference)
    head, *rest = text.split("LOC+22+2201")
    assert len(rest) == 3
    return (
        head + "".join(f"LOC+22+{o}{part}" for o, part in zip(offices, rest, strict=True))
    ).encode()


def _submit(auth: Auth, client: TestClient, body: bytes) -> dict[str, Any]:
    answer = client.post("/v1/submissions", content=body, headers={**auth("broker2"), **EDIFACT})
    assert answer.status_code == 202, answer.text
    view = client.get(answer.headers["Location"], headers=auth("broker2"))
    assert view.status_code == 200
    result: dict[str, Any] = view.json()
    return result


def _answers(view: dict[str, Any], kind: str) -> dict[str | None, int]:
    return {
        a["declaration_number"]: a["answer_id"]
        for a in view["answers"]
        if a["message_type"] == kind
    }


def test_a_consignee_sees_its_declaration_but_not_the_interchange_that_carried_it(
    auth: Auth, client: TestClient, application: Application
) -> None:
    view = _submit(auth, client, sample("03-multi-message-group-d96b.edi"))
    message = view["message"]["message_id"]
    own, *others = view["declarations"]
    assert len(others) == 2
    (contrl,) = _answers(view, "CONTRL").values()
    cusres = _answers(view, "CUSRES")
    subjects = {"trader-ningbo": ("trader", ["uscc:91330200MA2AJ6YF1B"])}
    consignee = _key_of(client, auth, subjects)

    assert client.get(f"/v1/declarations/{own}", headers=consignee).status_code == 200
    for url in [
        f"/v1/declarations/{own}/versions/1/message",
        f"/v1/submissions/{message}",
        f"/v1/submissions/{message}/raw",
        f"/v1/submissions/{message}/answers/{contrl}",
        f"/v1/declarations/{others[0]}",
    ]:
        assert client.get(url, headers=consignee).status_code == 404, url
    # Its own declaration's response goes with the declaration.
    got = client.get(f"/v1/declarations/{own}/responses/{cusres[own]}", headers=consignee)
    assert got.status_code == 200
    # The sender still downloads everything.
    sender = auth("broker2")
    assert client.get(f"/v1/declarations/{own}/versions/1/message", headers=sender).content == (
        sample("03-multi-message-group-d96b.edi")
    )

    # The console's downloads (the same use cases' rule).
    with pytest.raises(NotFoundError):
        message_files.raw(application, NINGBO, message)
    with pytest.raises(NotFoundError):
        message_files.show(application, NINGBO, message)
    for answer in [contrl, cusres[others[0]], cusres[others[1]]]:
        with pytest.raises(NotFoundError):
            message_files.answer(application, NINGBO, answer)
    assert message_files.answer(application, NINGBO, cusres[own]).content.startswith(b"UNA")
    assert message_files.raw(application, BROKER_02, message).content == sample(
        "03-multi-message-group-d96b.edi"
    )


def test_an_officer_downloads_an_interchange_only_with_a_declaration_of_its_offices(
    auth: Auth, client: TestClient, application: Application
) -> None:
    mixed = _submit(auth, client, _multi("IC0000901", ("2201", "5300", "5300")))
    elsewhere = _submit(auth, client, _multi("IC0000902", ("5300", "5300", "5300")))
    ours, theirs, _ = mixed["declarations"]
    assert ours.startswith("2201") and theirs.startswith("5300")
    mixed_id, elsewhere_id = mixed["message"]["message_id"], elsewhere["message"]["message_id"]
    (mixed_contrl,) = _answers(mixed, "CONTRL").values()
    (elsewhere_contrl,) = _answers(elsewhere, "CONTRL").values()
    cusres = _answers(mixed, "CUSRES")

    # An interchange with one declaration of its offices: the file and its CONTRL.
    assert message_files.raw(application, OFFICER_2201, mixed_id).content.startswith(b"UNB")
    assert message_files.answer(application, OFFICER_2201, mixed_contrl).content
    assert message_files.answer(application, OFFICER_2201, cusres[ours]).content
    # Not the response about another office's declaration in it.
    with pytest.raises(NotFoundError):
        message_files.answer(application, OFFICER_2201, cusres[theirs])
    # Nothing of an interchange of other offices' declarations only.
    with pytest.raises(NotFoundError):
        message_files.raw(application, OFFICER_2201, elsewhere_id)
    with pytest.raises(NotFoundError):
        message_files.show(application, OFFICER_2201, elsewhere_id)
    with pytest.raises(NotFoundError):
        message_files.answer(application, OFFICER_2201, elsewhere_contrl)
    # Their office's officer may.
    assert message_files.raw(application, OFFICER_5300, elsewhere_id).content.startswith(b"UNB")
    assert message_files.answer(application, OFFICER_5300, elsewhere_contrl).content

    officer = auth("officer2201")
    version = client.get(f"/v1/declarations/{ours}/versions/1/message", headers=officer)
    assert version.status_code == 200
    got = client.get(f"/v1/declarations/{ours}/responses/{cusres[ours]}", headers=officer)
    assert got.status_code == 200
    assert client.get(f"/v1/declarations/{theirs}", headers=officer).status_code == 404


def _key_of(
    client: TestClient, auth: Auth, wanted: dict[str, tuple[str, list[str]]]
) -> dict[str, str]:
    """Add one subject through the admin API and return its Authorization header."""
    ((subject, (role, parties)),) = wanted.items()
    admin = auth("admin")
    added = client.post(
        "/v1/admin/subjects",
        json={"id": subject, "name": subject, "role": role, "party_ids": parties},
        headers=admin,
    )
    assert added.status_code == 201, added.text
    issued = client.post(f"/v1/admin/subjects/{subject}/keys", json={}, headers=admin)
    assert issued.status_code == 201, issued.text
    return {"Authorization": f"Bearer {issued.json()['key']}"}


def test_the_carrier_s_answer_about_a_declaration_is_the_carrier_s(
    auth: Auth, client: TestClient, application: Application
) -> None:
    manifest = client.post(
        "/v1/submissions",
        content=sample("../x12/01-manifest-v123e-4010.x12"),
        headers={**auth("carrier"), "Content-Type": "application/EDI-X12"},
    )
    assert manifest.status_code == 202, manifest.text
    declared = client.post(
        "/v1/submissions",
        content=sample("01-import-d96b.edi"),
        headers={**auth("broker"), **EDIFACT},
    )
    (declaration,) = declared.json()["outcome"]["declarations"]
    number = declaration["number"]
    carrier_view = client.get(manifest.headers["Location"], headers=auth("carrier")).json()
    (told,) = [a for a in carrier_view["answers"] if a["message_type"] == "350"]
    assert told["declaration_number"] == number

    carrier = Actor("carrier-cosu", Role.TRADER, party_ids=frozenset({"COSU"}))
    assert message_files.answer(application, carrier, told["answer_id"]).content.startswith(b"ISA")
    # The declarant sees its declaration's answers, not the carrier's.
    broker = auth("broker")
    view = client.get(f"/v1/declarations/{number}", headers=broker).json()
    assert [r["message_type"] for r in view["responses"]] == ["CUSRES"]
    url = f"/v1/declarations/{number}/responses/{told['answer_id']}"
    assert client.get(url, headers=broker).status_code == 404
    assert client.get(url, headers=auth("officer2201")).status_code == 200


def _console(application: Application, *officers: Actor) -> TestClient:
    """The console over ``application``, where each of ``officers`` signs in by its subject."""
    people = {o.subject: o for o in officers}

    def check(name: str, password: str) -> Actor:
        if name not in people or password != PASSWORD:
            raise SignInRefusedError
        return people[name]

    def current(subject: str, signed_in_at: datetime) -> Actor:
        del signed_in_at
        return people[subject]

    return TestClient(console_app(application, sign_in=PasswordSignIn(check, current)))


def _console_sign_in(console: TestClient, officer: Actor) -> None:
    console.cookies.clear()
    token = csrf_token(console.get("/console/sign-in").text)
    signed = console.post(
        "/console/sign-in",
        data={"csrf_token": token, "name": officer.subject, "password": PASSWORD},
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text


def test_every_route_to_an_interchange_gives_an_officer_the_same_answer(
    auth: Auth, client: TestClient, application: Application
) -> None:
    # One rule (access.raw_messages_visible): an officer downloads an interchange that carries
    # a declaration of its offices, over the API's submission and version routes and in the
    # console alike, and reads its record on both; another office's is unknown on all five.
    bodies = {
        "2201": _multi("IC0000911", ("2201", "2201", "2201")),
        "5300": _multi("IC0000912", ("5300", "5300", "5300")),
    }
    sent = {office: _submit(auth, client, body) for office, body in bodies.items()}
    console = _console(application, OFFICER_2201, OFFICER_5300)
    for officer, key in ((OFFICER_2201, "officer2201"), (OFFICER_5300, "officer5300")):
        _console_sign_in(console, officer)
        for office, view in sent.items():
            message = view["message"]["message_id"]
            number = view["declarations"][0]
            (contrl,) = _answers(view, "CONTRL").values()
            routes = {
                "api raw": client.get(f"/v1/submissions/{message}/raw", headers=auth(key)),
                "api version": client.get(
                    f"/v1/declarations/{number}/versions/1/message", headers=auth(key)
                ),
                "console raw": console.get(f"/console/messages/{message}/raw"),
            }
            own = office in officer.offices
            # The records without the bytes answer alike (GET /v1/submissions/{id} and the
            # console's message page).
            pages = {
                "api record": client.get(f"/v1/submissions/{message}", headers=auth(key)),
                "console page": console.get(f"/console/messages/{message}"),
            }
            for route, got in pages.items():
                where = (officer.subject, office, route)
                assert got.status_code == (200 if own else 404), where
            for route, got in routes.items():
                where = (officer.subject, office, route)
                assert got.status_code == (200 if own else 404), where
                if own:
                    assert got.content == bodies[office], where
            answer = client.get(f"/v1/submissions/{message}/answers/{contrl}", headers=auth(key))
            assert answer.status_code == (200 if own else 404)


def test_the_record_of_an_interchange_follows_who_may_download_it(
    auth: Auth, client: TestClient
) -> None:
    # GET /v1/submissions/{id} answers whoever may download the file (raw_messages_visible):
    # an officer of one of its declarations' offices reads the record, listing only its own
    # offices' declarations and the answers it may read; another office's officer and a
    # trader merely named in it get 404, as for the bytes.
    mixed = _submit(auth, client, _multi("IC0000921", ("2201", "5300", "5300")))
    elsewhere = _submit(auth, client, _multi("IC0000922", ("5300", "5300", "5300")))
    ours, *theirs = mixed["declarations"]
    mixed_id, elsewhere_id = mixed["message"]["message_id"], elsewhere["message"]["message_id"]
    (contrl,) = _answers(mixed, "CONTRL").values()
    cusres = _answers(mixed, "CUSRES")
    officer = auth("officer2201")

    got = client.get(f"/v1/submissions/{mixed_id}", headers=officer)
    assert got.status_code == 200, got.text
    record = got.json()
    assert record["message"]["message_id"] == mixed_id
    assert record["message"]["sender"] == mixed["message"]["sender"]
    assert record["declarations"] == [ours]
    listed = {a["answer_id"] for a in record["answers"]}
    assert listed == {contrl, cusres[ours]}
    assert record["message"]["answers"] == 2
    # Each answer it lists it may download, and the bytes of the file too.
    for answer in listed:
        url = f"/v1/submissions/{mixed_id}/answers/{answer}"
        assert client.get(url, headers=officer).status_code == 200, url
    assert client.get(f"/v1/submissions/{mixed_id}/raw", headers=officer).status_code == 200

    # Another office's interchange is unknown to it, record and bytes alike.
    for url in [f"/v1/submissions/{elsewhere_id}", f"/v1/submissions/{elsewhere_id}/raw"]:
        assert client.get(url, headers=officer).status_code == 404, url
    # That office's officer reads the record of both, each time only its own declarations.
    other = auth("officer5300")
    assert client.get(f"/v1/submissions/{mixed_id}", headers=other).json()["declarations"] == (
        theirs
    )
    seen = client.get(f"/v1/submissions/{elsewhere_id}", headers=other).json()
    assert seen["declarations"] == elsewhere["declarations"]

    # A trader named in the interchange (a consignee) but not its sender: 404.
    subjects = {"trader-ningbo-2": ("trader", ["uscc:91330200MA2AJ6YF1B"])}
    consignee = _key_of(client, auth, subjects)
    assert client.get(f"/v1/submissions/{mixed_id}", headers=consignee).status_code == 404
    # The sender still reads every declaration and answer of its own interchange.
    sender = client.get(f"/v1/submissions/{mixed_id}", headers=auth("broker2")).json()
    assert sender["declarations"] == mixed["declarations"]
    assert len(sender["answers"]) == len(mixed["answers"]) == 4
