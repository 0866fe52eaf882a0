"""Officer work over HTTP: a flagged declaration is claimed, documents are asked for and
presented, the officer decides; the second officer is told who holds it; another office's
officer gets 404."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Auth, flagged_declaration

pytestmark = pytest.mark.db


def test_claim_request_present_decide_and_the_history(auth: Auth, client: TestClient) -> None:
    number = flagged_declaration(auth, client)
    queue = client.get("/v1/officer/queue?lane=yellow", headers=auth("officer2201")).json()
    assert [e["number"] for e in queue["entries"]] == [number]
    assert queue["counts"]["unclaimed"] == 1
    assert client.get("/v1/officer/queue", headers=auth("officer5300")).json()["entries"] == []

    claimed = client.post(f"/v1/declarations/{number}/claim", headers=auth("officer2201"))
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["holder"] == "officer-2201"
    second = client.post(f"/v1/declarations/{number}/claim", headers=auth("officer2201b"))
    assert second.status_code == 409
    assert "officer-2201" in second.json()["detail"]
    elsewhere = client.post(f"/v1/declarations/{number}/claim", headers=auth("officer5300"))
    assert elsewhere.status_code == 404

    asked = client.post(
        f"/v1/declarations/{number}/document-requests",
        json={
            "documents": ["commercial invoice"],
            "reason": "value check",
            "due_on": "2026-12-10",
            "version": 1,
        },
        headers=auth("officer2201"),
    )
    assert asked.status_code == 201, asked.text
    request_id = asked.json()["request_id"]
    presented = client.post(
        f"/v1/declarations/{number}/document-requests/{request_id}/documents?filename=invoice.pdf",
        content=b"%PDF-1.4 invoice",
        headers={**auth("broker"), "Content-Type": "application/octet-stream"},
    )
    assert presented.status_code == 201, presented.text
    assert presented.json()["files"][0]["size"] == len(b"%PDF-1.4 invoice")
    stranger = client.post(
        f"/v1/declarations/{number}/document-requests/{request_id}/documents?filename=x.pdf",
        content=b"x",
        headers={**auth("broker2"), "Content-Type": "application/octet-stream"},
    )
    assert stranger.status_code == 404

    decided = client.post(
        f"/v1/declarations/{number}/decision",
        json={"action": "release", "reason": "invoice checked", "version": 1},
        headers=auth("officer2201"),
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "released"
    kinds = [
        e["kind"]
        for e in client.get(
            f"/v1/declarations/{number}/history", headers=auth("officer2201")
        ).json()
    ]
    assert "claimed" in kinds, kinds
    assert "documents_requested" in kinds
    assert "documents_presented" in kinds
    detail = client.get(f"/v1/declarations/{number}", headers=auth("broker")).json()
    assert detail["status"] == "released"


def test_a_trader_may_not_act_as_an_officer(auth: Auth, client: TestClient) -> None:
    number = flagged_declaration(auth, client)
    answer = client.post(f"/v1/declarations/{number}/claim", headers=auth("broker"))
    assert answer.status_code == 403
    assert client.get("/v1/officer/queue", headers=auth("broker")).status_code == 403
