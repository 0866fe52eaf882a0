"""The officers' console without a browser: the queue, claims, requests, examinations and the
decision, with their form errors and what the application layer refuses."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine

from clearance.app import LOCAL_OPERATOR, Application, case_file, declarations, messages
from core.clock import FixedClock
from core.settings import Settings
from tests.console_support import (
    COLLEAGUE,
    OCEAN,
    OFFICER,
    OTHER_OFFICER,
    SUPERVISOR,
    console_app,
    csrf_token,
    interchange,
    sign_in,
)

pytestmark = pytest.mark.db


@pytest.fixture
def application(engine: Engine, clock: FixedClock) -> Application:
    app = Application(engine, Settings(), clock)
    messages.submit(app, LOCAL_OPERATOR, messages.Interchange(interchange("BROKER01", "Q1")))
    return app


@pytest.fixture
def number(application: Application) -> str:
    (row,) = declarations.list_declarations(application, LOCAL_OPERATOR)
    return row.number


@pytest.fixture
def client(application: Application) -> TestClient:
    return TestClient(console_app(application))


def post(client: TestClient, number: str, path: str, **form: str) -> Response:
    page = client.get(f"/console/declarations/{number}")
    data = {"csrf_token": csrf_token(page.text), **form}
    answer: Response = client.post(f"/console/declarations/{number}/{path}", data=data)
    return answer


def banner(page: Response) -> str:
    found = re.search(r'<div class="banner banner--\w+" role="alert".*?</div>', page.text, re.S)
    return "" if found is None else re.sub(r"<[^>]+>|\s+", " ", found.group(0))


def status_of(application: Application, number: str) -> str:
    return declarations.show(application, LOCAL_OPERATOR, number).status


def test_the_queue_lists_what_waits_in_the_officers_offices_with_counts(
    client: TestClient, number: str
) -> None:
    sign_in(client, OFFICER)
    page = client.get("/console/queue")
    assert number in page.text
    assert re.search(r"<strong>1</strong> waiting", page.text)
    post(client, number, "claim")
    mine = client.get("/console/queue", params={"claimed": "mine"})
    assert number in mine.text
    nobodys = client.get("/console/queue", params={"claimed": "unclaimed"})
    assert number not in nobodys.text
    assert number not in client.get("/console/queue", params={"lane": "red"}).text
    sign_in(client, OTHER_OFFICER)
    assert number not in client.get("/console/queue").text
    sign_in(client, OCEAN)
    assert client.get("/console/queue").status_code == 403


def test_the_second_officer_to_claim_is_told_who_holds_it(
    client: TestClient, application: Application, number: str
) -> None:
    sign_in(client, OFFICER)
    assert "You hold this declaration now." in banner(post(client, number, "claim"))
    sign_in(client, COLLEAGUE)
    refused = post(client, number, "claim")
    assert "Someone else got there first" in banner(refused)
    assert OFFICER.name in banner(refused)
    assert case_file.case_file(application, LOCAL_OPERATOR, number).holder == OFFICER.name
    assert "Send decision" not in refused.text  # no actions for an officer who does not hold it


def test_an_officer_claims_and_releases_with_a_reason_and_the_trader_sees_it(
    client: TestClient, application: Application, number: str
) -> None:
    sign_in(client, OFFICER)
    post(client, number, "claim")
    answer = post(client, number, "decision", action="release", reason="Docs checked", version="1")
    assert "Your decision was recorded and the trader was answered." in banner(answer)
    assert "Officer actions" not in answer.text  # it no longer waits
    assert status_of(application, number) == "released"
    again = client.get(f"/console/declarations/{number}")
    assert banner(again) == ""  # shown once
    sign_in(client, OCEAN)
    page = client.get(f"/console/declarations/{number}")
    assert "Released" in page.text
    assert "Docs checked" in page.text  # the reason, in the history and the CUSRES
    assert page.text.count("<details") == 2  # the first CUSRES and the one after the decision


def test_a_decision_without_choice_or_reason_names_both_and_changes_nothing(
    client: TestClient, application: Application, number: str
) -> None:
    sign_in(client, OFFICER)
    post(client, number, "claim")
    answer = post(client, number, "decision", action="", reason=" ", version="1")
    assert answer.status_code == 400
    summary = re.findall(r'<li><a href="#(\w+)">([^<]+)</a></li>', answer.text)
    assert summary == [
        ("action", "Choose a decision"),
        ("reason", "Give the reason for the decision"),
    ]
    assert 'id="action"' in answer.text
    assert 'id="reason"' in answer.text
    assert status_of(application, number) == "documents_required"


def test_a_decision_on_a_stale_version_is_refused(
    client: TestClient, application: Application, number: str
) -> None:
    sign_in(client, OFFICER)
    post(client, number, "claim")
    answer = post(client, number, "decision", action="reject", reason="Wrong goods", version="2")
    assert "Someone else got there first: nothing was changed." in banner(answer)
    assert "version 1" in banner(answer)
    assert status_of(application, number) == "documents_required"


def test_a_request_for_documents_reaches_the_trader_who_answers_it(
    client: TestClient, application: Application, number: str
) -> None:
    sign_in(client, OFFICER)
    post(client, number, "claim")
    due = (date(2026, 11, 28) + timedelta(days=7)).isoformat()
    errors = post(client, number, "request-documents", documents="", request_reason="", due_on="x")
    assert errors.status_code == 400
    assert re.findall(r'<li><a href="#(\w+)">', errors.text) == [
        "documents",
        "request_reason",
        "due_on",
    ]
    asked = post(
        client,
        number,
        "request-documents",
        documents="Health certificate\nPacking list",
        request_reason="RISK-COM-002: aquatic products",
        due_on=due,
        version="1",
    )
    assert "The trader was asked for the documents." in banner(asked)
    sign_in(client, OCEAN)
    page = client.get(f"/console/declarations/{number}")
    assert "Health certificate, Packing list" in page.text
    (form,) = re.findall(r'action="(/console/declarations/\d+/requests/\d+/answer)"', page.text)
    empty = client.post(form, data={"csrf_token": csrf_token(page.text)})
    assert empty.status_code == 400
    assert "Choose a file to upload" in empty.text
    too_many = client.post(
        form,
        data={"csrf_token": csrf_token(page.text)},
        files=[("files", (f"doc{i}.pdf", b"%PDF-1.4", "application/pdf")) for i in range(6)],
    )
    assert too_many.status_code == 400
    assert "Choose at most 5 files at once" in too_many.text
    answered = client.post(
        form,
        data={"csrf_token": csrf_token(page.text)},
        files=[
            ("files", ("health.pdf", b"%PDF-1.4 health", "application/pdf")),
            ("files", ("packing.pdf", b"%PDF-1.4 packing", "application/pdf")),
        ],
    )
    assert "Your documents were presented to customs." in banner(answered)
    (request,) = case_file.case_file(application, LOCAL_OPERATOR, number).requests
    assert request.status == "answered"
    assert [f.filename for f in request.files] == ["health.pdf", "packing.pdf"]
    sign_in(client, OFFICER)
    page = client.get(f"/console/declarations/{number}")
    (link, _) = re.findall(r'href="(/console/declarations/\d+/presented/\d+)"', page.text)
    assert client.get(link).content == b"%PDF-1.4 health"
    sign_in(client, OTHER_OFFICER)
    assert client.get(link).status_code == 404


def test_an_examination_with_a_wrong_container_number_is_refused_by_name(
    client: TestClient, application: Application, number: str
) -> None:
    sign_in(client, OFFICER)
    post(client, number, "claim")
    missing = post(client, number, "examination", kind="", outcome="", findings="")
    assert re.findall(r'<li><a href="#(\w+)">', missing.text) == ["kind", "outcome", "findings"]
    wrong = post(
        client,
        number,
        "examination",
        kind="physical",
        outcome="conform",
        findings="40 cartons opened",
        containers="CSQU3054384",
        version="1",
    )
    assert "CSQU3054384" in banner(wrong)
    assert case_file.case_file(application, LOCAL_OPERATOR, number).examinations == []
    right = post(
        client,
        number,
        "examination",
        kind="physical",
        outcome="conform",
        findings="40 cartons opened",
        containers="CSQU3054383",
        seals="SL-1",
        version="1",
    )
    assert "The examination was recorded." in banner(right)
    assert "40 cartons opened" in right.text


def test_a_supervisor_reassigns_a_claim(
    client: TestClient, application: Application, number: str
) -> None:
    sign_in(client, OFFICER)
    post(client, number, "claim")
    sign_in(client, SUPERVISOR)
    answer = post(client, number, "reassign", to=COLLEAGUE.name, reassign_reason="Leave")
    assert "The declaration was given to another officer." in banner(answer)
    assert case_file.case_file(application, LOCAL_OPERATOR, number).holder == COLLEAGUE.name
    sign_in(client, OFFICER)
    assert (
        client.post(
            f"/console/declarations/{number}/reassign",
            data={
                "csrf_token": csrf_token(client.get("/console/queue").text),
                "to": OFFICER.name,
                "reassign_reason": "mine",
            },
        ).status_code
        == 403
    )  # only a supervisor reassigns
    assert case_file.case_file(application, LOCAL_OPERATOR, number).holder == COLLEAGUE.name


def test_an_officer_of_another_office_cannot_act(
    client: TestClient, application: Application, number: str
) -> None:
    sign_in(client, OTHER_OFFICER)
    token = csrf_token(client.get("/console/queue").text)
    for action in ["claim", "decision"]:
        answer = client.post(
            f"/console/declarations/{number}/{action}",
            data={"csrf_token": token, "action": "release", "reason": "x", "version": "1"},
        )
        assert answer.status_code == 404
    assert status_of(application, number) == "documents_required"
    assert case_file.case_file(application, LOCAL_OPERATOR, number).holder is None


def test_a_trader_cannot_act_as_an_officer(
    client: TestClient, application: Application, number: str
) -> None:
    sign_in(client, OCEAN)
    token = csrf_token(client.get("/console/portal").text)
    for action in ["claim", "decision"]:
        answer = client.post(
            f"/console/declarations/{number}/{action}",
            data={"csrf_token": token, "action": "release", "reason": "mine", "version": "1"},
        )
        assert answer.status_code == 403
    assert status_of(application, number) == "documents_required"


def test_instants_are_shown_to_the_second_in_utc_not_as_raw_iso_text(
    client: TestClient, application: Application, number: str
) -> None:
    sign_in(client, OFFICER)
    post(client, number, "claim")
    page = post(
        client,
        number,
        "request-documents",
        documents="Packing list",
        request_reason="check",
        due_on=(date(2026, 11, 28) + timedelta(days=7)).isoformat(),
        version="1",
    )
    held = re.search(r"You hold this declaration since ([^<]+)\.</p>", page.text)
    assert held is not None
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC", held.group(1)), held.group(1)
    main = page.text[page.text.index('<main id="main"') :]
    # No instant as the application layer writes it (2026-11-28T02:00:00+00:00) anywhere.
    assert re.findall(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[^<\s]*", main) == []


def test_a_form_sent_back_with_errors_switches_language_back_to_its_page(
    client: TestClient, number: str
) -> None:
    sign_in(client, OFFICER)
    post(client, number, "claim")
    page_address = f"http://testserver/console/declarations/{number}"
    token = csrf_token(client.get(page_address).text)
    for referer, expected in [
        ({"Referer": page_address}, f"/console/declarations/{number}"),
        ({}, "/console/"),  # no referer: the start, never the form's POST-only address
        ({"Referer": "http://elsewhere.example/console/queue"}, "/console/"),
    ]:
        errors = client.post(
            f"/console/declarations/{number}/request-documents",
            data={"csrf_token": token, "documents": "", "request_reason": "", "due_on": ""},
            headers=referer,
        )
        assert errors.status_code == 400
        (back,) = re.findall(r'<input type="hidden" name="next" value="([^"]*)">', errors.text)
        assert back == expected
        assert client.get(back).status_code == 200


def test_a_request_reads_with_chinese_punctuation_in_chinese(
    client: TestClient, application: Application, number: str
) -> None:
    sign_in(client, OFFICER)
    post(client, number, "claim")
    post(
        client,
        number,
        "request-documents",
        documents="Packing list",
        request_reason="check the weight",
        due_on=(date(2026, 11, 28) + timedelta(days=7)).isoformat(),
        version="1",
    )
    chinese = TestClient(client.app, headers={"Accept-Language": "zh-CN"})
    sign_in(chinese, OCEAN)
    page = chinese.get(f"/console/declarations/{number}").text
    assert "单证：Packing list" in page
    assert "理由：check the weight" in page
    assert "理由: " not in page
