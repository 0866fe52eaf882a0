"""GET /v1/declarations (filters, cursor pages), one declaration, downloads, amend and
invalidate; another tenant's declaration is 404 and never listed."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from clearance.app import Application, messages
from tests.api.conftest import BROKER, Auth, sample

pytestmark = pytest.mark.db


def _submit(auth: Auth, client: TestClient, name: str, token: str = "broker") -> list[str]:
    answer = client.post(
        "/v1/submissions",
        content=sample(name),
        headers={**auth(token), "Content-Type": "application/EDIFACT"},
    )
    assert answer.status_code == 202, answer.text
    return [d["number"] for d in answer.json()["outcome"]["declarations"] if d["number"]]


def test_one_declaration_with_its_assessment_decision_and_responses(
    auth: Auth, client: TestClient
) -> None:
    (number,) = _submit(auth, client, "01-import-d96b.edi")
    answer = client.get(f"/v1/declarations/{number}", headers=auth("broker"))
    assert answer.status_code == 200
    detail = answer.json()
    assert detail["number"] == number
    assert detail["lane"] == "yellow"
    assert [v["version"] for v in detail["versions"]] == [1]
    assert detail["declaration"]["items"]
    assert detail["assessment"] is not None
    decision = detail["decision_detail"]
    assert decision["lane"] == "yellow"
    assert decision["ruleset"]["version"]
    assert decision["fired_rules"]
    cusres = next(r for r in detail["responses"] if r["message_type"] == "CUSRES")
    assert "CUSRES" in cusres["text"]

    message = client.get(f"/v1/declarations/{number}/versions/1/message", headers=auth("broker"))
    assert message.content == sample("01-import-d96b.edi")
    officer = client.get(
        f"/v1/declarations/{number}/versions/1/message", headers=auth("officer2201")
    )
    assert officer.status_code == 200
    assert (
        client.get(
            f"/v1/declarations/{number}/versions/2/message", headers=auth("broker")
        ).status_code
        == 404
    )


def test_pages_follow_the_cursor_without_repeats(auth: Auth, client: TestClient) -> None:
    numbers = _submit(auth, client, "03-multi-message-group-d96b.edi", "broker2")
    assert len(numbers) == 3
    seen: list[str] = []
    url = "/v1/declarations?limit=2"
    while url:
        page = client.get(url, headers=auth("broker2"))
        assert page.status_code == 200
        seen += [d["number"] for d in page.json()["declarations"]]
        cursor = page.json()["next_cursor"]
        url = f"/v1/declarations?limit=2&cursor={cursor}" if cursor else ""
        if cursor:
            assert f"cursor={cursor}" in page.headers["Link"]
    assert seen == sorted(numbers, reverse=True)


def test_filters_narrow_the_list(auth: Auth, client: TestClient) -> None:
    (number,) = _submit(auth, client, "01-import-d96b.edi")
    headers = auth("broker")

    def numbers(query: str) -> list[str]:
        page = client.get(f"/v1/declarations?{query}", headers=headers)
        assert page.status_code == 200, page.text
        return [d["number"] for d in page.json()["declarations"]]

    assert numbers("lane=yellow&office=2201&direction=import") == [number]
    assert numbers("lane=green") == []
    assert numbers("trader=BROKER01") == [number]
    assert numbers("accepted_from=2026-11-28&accepted_to=2026-11-28") == [number]
    assert numbers("accepted_from=2026-11-29") == []
    commodity = client.get(f"/v1/declarations/{number}", headers=headers).json()
    code = commodity["declaration"]["items"][0]["commodity_code"]
    assert numbers(f"commodity={code[:6]}") == [number]
    assert numbers("commodity=999999") == []
    reversed_range = "accepted_from=2026-12-01&accepted_to=2026-11-01"
    bad = client.get(f"/v1/declarations?{reversed_range}", headers=headers)
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    zero = client.get("/v1/declarations?limit=0", headers=headers)
    assert zero.json()["code"] == "invalid_request"


def test_another_tenant_s_declaration_is_not_found_and_not_listed(
    auth: Auth, client: TestClient
) -> None:
    (number,) = _submit(auth, client, "01-import-d96b.edi")
    for token in ("broker2", "officer5300"):
        answer = client.get(f"/v1/declarations/{number}", headers=auth(token))
        assert answer.status_code == 404
        assert answer.json()["detail"] == f"no declaration {number}"
        unknown = client.get("/v1/declarations/220120269999999999", headers=auth(token))
        assert unknown.json()["detail"] == "no declaration 220120269999999999"
        listed = client.get("/v1/declarations", headers=auth(token)).json()
        assert listed["declarations"] == []
        download = client.get(f"/v1/declarations/{number}/versions/1/message", headers=auth(token))
        assert download.status_code == 404
    assert client.get(f"/v1/declarations/{number}", headers=auth("officer2201")).is_success


def test_a_role_that_may_not_read_is_refused_and_an_agency_sees_no_declaration(
    auth: Auth,
    client: TestClient,
) -> None:
    (number,) = _submit(auth, client, "01-import-d96b.edi")
    assert client.get("/v1/declarations", headers=auth("agency")).status_code == 403
    answer = client.get(f"/v1/declarations/{number}", headers=auth("agency"))
    assert answer.status_code == 403
    assert answer.json()["code"] == "not_permitted"


def test_invalidate_then_the_declaration_says_so(auth: Auth, client: TestClient) -> None:
    (number,) = _submit(auth, client, "01-import-d96b.edi")
    answer = client.post(
        f"/v1/declarations/{number}/invalidation",
        json={"reason": "goods not shipped"},
        headers={**auth("broker"), "Idempotency-Key": "cancel-1"},
    )
    assert answer.status_code == 202, answer.text
    assert answer.json()["outcome"]["declarations"][0]["status"] == "invalidated"
    detail = client.get(f"/v1/declarations/{number}", headers=auth("broker")).json()
    assert detail["status"] == "invalidated"
    other = client.post(
        f"/v1/declarations/{number}/invalidation",
        json={"reason": "mine now"},
        headers=auth("broker2"),
    )
    assert other.status_code == 404


def test_amend_with_a_new_content(auth: Auth, client: TestClient) -> None:
    (number,) = _submit(auth, client, "01-import-d96b.edi")
    detail = client.get(f"/v1/declarations/{number}", headers=auth("broker")).json()
    content = detail["declaration"]
    content["items"][0]["description"] = "FROZEN SHRIMP, AMENDED"
    answer = client.post(
        f"/v1/declarations/{number}/amendments", json=content, headers=auth("broker")
    )
    assert answer.status_code == 202, answer.text
    after = client.get(f"/v1/declarations/{number}", headers=auth("broker")).json()
    assert [v["version"] for v in after["versions"]] == [1, 2]
    broken = client.post(
        f"/v1/declarations/{number}/amendments", content=b"{", headers=auth("broker")
    )
    assert broken.status_code == 422
    assert "not JSON" in broken.json()["detail"]


def test_an_amendments_idempotency_key_answers_alike_or_refuses_another_body(
    auth: Auth, client: TestClient, application: Application
) -> None:
    (number,) = _submit(auth, client, "01-import-d96b.edi")
    content = client.get(f"/v1/declarations/{number}", headers=auth("broker")).json()
    content = content["declaration"]
    content["items"][0]["description"] = "FROZEN SHRIMP, AMENDED"
    keyed = {**auth("broker"), "Idempotency-Key": "amend-1"}
    url = f"/v1/declarations/{number}/amendments"
    first = client.post(url, json=content, headers=keyed)
    again = client.post(url, json=content, headers=keyed)
    assert first.status_code == again.status_code == 202, first.text
    assert again.content == first.content
    assert again.headers["Idempotent-Replayed"] == "true"
    # Another body under the same key: refused as for a submission, and nothing is received
    # (before: 202 with a rejection, and one more stored message each time).
    content["items"][0]["description"] = "FROZEN SHRIMP, AMENDED AGAIN"
    other = client.post(url, json=content, headers=keyed)
    assert other.status_code == 422, other.text
    assert other.json()["code"] == "idempotency_key_reused"
    after = client.get(f"/v1/declarations/{number}", headers=auth("broker")).json()
    assert [v["version"] for v in after["versions"]] == [1, 2]
    assert len(messages.list_messages(application, BROKER)) == 2  # the file, one amendment


def test_an_invalidations_idempotency_key_replays_its_answer(
    auth: Auth, client: TestClient
) -> None:
    (number,) = _submit(auth, client, "01-import-d96b.edi")
    url = f"/v1/declarations/{number}/invalidation"
    keyed = {**auth("broker"), "Idempotency-Key": "cancel-2"}
    first = client.post(url, json={"reason": "goods not shipped"}, headers=keyed)
    again = client.post(url, json={"reason": "goods not shipped"}, headers=keyed)
    assert first.status_code == again.status_code == 202, first.text
    assert again.content == first.content and again.headers["Idempotent-Replayed"] == "true"
    other = client.post(url, json={"reason": "another reason"}, headers=keyed)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
