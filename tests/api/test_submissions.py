"""POST /v1/submissions: 202 with where to follow it, syntax errors answered at once in the
sender's format, Idempotency-Key honoured on top of the intake's own duplicate detection."""

from __future__ import annotations

import hashlib

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from api.asgi import build
from api.settings import ApiSettings
from clearance.app import Application, idempotency, messages
from tests.api.conftest import BROKER, Auth, sample

pytestmark = pytest.mark.db

EDIFACT = {"Content-Type": "application/EDIFACT"}


def _post(
    auth: Auth, client: TestClient, body: bytes, token: str = "broker", **headers: str
) -> Response:
    answer: Response = client.post(
        "/v1/submissions", content=body, headers={**auth(token), **EDIFACT, **headers}
    )
    return answer


def test_an_interchange_is_accepted_with_where_to_follow_it(auth: Auth, client: TestClient) -> None:
    answer = _post(auth, client, sample("01-import-d96b.edi"))
    assert answer.status_code == 202
    body = answer.json()
    assert answer.headers["Location"] == f"/v1/submissions/{body['message_id']}"
    assert answer.headers["Conversation-Id"] == body["conversation_id"] == str(body["message_id"])
    assert body["status"] == "accepted"
    (declaration,) = body["outcome"]["declarations"]
    assert declaration["number"].startswith("2201")

    followed = client.get(answer.headers["Location"], headers=auth("broker"))
    assert followed.status_code == 200
    view = followed.json()
    assert view["message"]["sender"] == "BROKER01"
    assert view["message"]["channel"] == "api"
    assert view["declarations"] == [declaration["number"]]
    assert {a["message_type"] for a in view["answers"]} == {"CONTRL", "CUSRES"}

    raw = client.get(f"{answer.headers['Location']}/raw", headers=auth("broker"))
    assert raw.content == sample("01-import-d96b.edi")
    assert raw.headers["content-type"].startswith("application/EDIFACT")
    contrl = next(a for a in view["answers"] if a["message_type"] == "CONTRL")
    sent = client.get(
        f"{answer.headers['Location']}/answers/{contrl['answer_id']}", headers=auth("broker")
    )
    assert sent.text == contrl["text"]


def test_a_syntax_error_is_answered_at_once_with_a_contrl(auth: Auth, client: TestClient) -> None:
    answer = _post(auth, client, sample("08-syntax4-repeated-element-d99b.edi"), "eu_trader")
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("application/EDIFACT")
    assert "UCM+DE-2+CUSDEC:D:99B:UN+4'" in answer.text
    assert answer.headers["Location"].startswith("/v1/submissions/")


def test_an_x12_envelope_error_is_answered_with_a_ta1(auth: Auth, client: TestClient) -> None:
    raw = sample("../x12/05-unknown-version-00403.x12")
    answer = client.post(
        "/v1/submissions",
        content=raw,
        headers={**auth("carrier"), "Content-Type": "application/EDI-X12"},
    )
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("application/EDI-X12")
    assert "TA1*000000105*261128*0930*R*003~" in answer.text


def test_bytes_that_are_no_interchange_are_kept_and_refused_as_a_problem(
    auth: Auth,
    client: TestClient,
) -> None:
    answer = _post(auth, client, b"hello, customs", Content_Type="text/plain")
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["code"] == "unrecognised_interchange"
    kept = f"/v1/submissions/{problem['message_id']}/raw"
    assert client.get(kept, headers=auth("admin")).content == b"hello, customs"
    # Filed under no party (sender unknown): its submitter sees it, no other broker does.
    assert client.get(kept, headers=auth("broker")).status_code == 200
    assert client.get(kept, headers=auth("broker2")).status_code == 404


def test_an_interchange_under_another_sender_is_refused_and_kept(
    auth: Auth, client: TestClient
) -> None:
    # Sample 08's UNB names DE123456789012345: the broker holds no mandate from that trader.
    answer = _post(auth, client, sample("08-syntax4-repeated-element-d99b.edi"), "broker")
    assert answer.status_code == 403
    problem = answer.json()
    assert problem["code"] == "sender_refused"
    assert problem["errors"][0]["segment"] == "UNB"
    assert problem["errors"][0]["element"] == 2
    kept = f"/v1/submissions/{problem['message_id']}/raw"
    assert client.get(kept, headers=auth("admin")).content == sample(
        "08-syntax4-repeated-element-d99b.edi"
    )
    listed = client.get("/v1/declarations", headers=auth("admin")).json()
    assert listed["declarations"] == []  # nothing registered


def test_what_cannot_be_an_interchange_is_refused_before_storing(
    auth: Auth, client: TestClient, application: Application
) -> None:
    form = client.post(
        "/v1/submissions",
        content=b"a=1",
        headers={**auth("broker"), "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert form.status_code == 415
    assert form.json()["code"] == "unsupported_media_type"
    empty = _post(auth, client, b"")
    assert empty.status_code == 422
    assert messages.list_messages(application, BROKER) == []


def test_the_same_key_and_body_get_the_same_answer_once(
    auth: Auth, client: TestClient, application: Application
) -> None:
    first = _post(auth, client, sample("01-import-d96b.edi"), **{"Idempotency-Key": "k-1"})
    again = _post(auth, client, sample("01-import-d96b.edi"), **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 202
    assert again.content == first.content
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(messages.list_messages(application, BROKER)) == 1  # processed once


def test_the_same_key_with_another_body_is_refused(auth: Auth, client: TestClient) -> None:
    assert _post(
        auth, client, sample("01-import-d96b.edi"), **{"Idempotency-Key": "k-2"}
    ).is_success
    other = _post(auth, client, sample("06-errors-d96b.edi"), **{"Idempotency-Key": "k-2"})
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"


def test_a_key_whose_first_request_is_in_flight_is_a_conflict(
    auth: Auth, client: TestClient, application: Application
) -> None:
    raw = sample("01-import-d96b.edi")
    fingerprint = hashlib.sha256(b"POST /v1/submissions\n" + raw).hexdigest()
    assert idempotency.begin(application, BROKER, "k-3", fingerprint) is None  # first, running
    answer = _post(auth, client, raw, **{"Idempotency-Key": "k-3"})
    assert answer.status_code == 409
    assert answer.json()["code"] == "idempotency_key_in_flight"


def test_keys_belong_to_their_subject(auth: Auth, client: TestClient) -> None:
    mine = _post(auth, client, sample("01-import-d96b.edi"), **{"Idempotency-Key": "shared"})
    theirs = _post(
        auth,
        client,
        sample("03-multi-message-group-d96b.edi"),
        "broker2",
        **{"Idempotency-Key": "shared"},
    )
    assert mine.status_code == theirs.status_code == 202
    assert "Idempotent-Replayed" not in theirs.headers


def test_a_resend_without_a_key_is_the_intake_s_duplicate(auth: Auth, client: TestClient) -> None:
    first = _post(auth, client, sample("01-import-d96b.edi"))
    again = _post(auth, client, sample("01-import-d96b.edi"))
    assert again.status_code == 202
    assert again.json()["status"] == "duplicate"
    assert again.json()["message_id"] != first.json()["message_id"]


def test_a_body_over_the_limit_is_refused(auth: Auth, application: Application) -> None:
    api = build(
        application=application,
        api_settings=ApiSettings(max_body_bytes=1024),
    )
    with TestClient(api) as small:
        answer = _post(auth, small, sample("01-import-d96b.edi") + b" " * 1024)
    assert answer.status_code == 413
    assert answer.json()["code"] == "too_large"
