"""What a trader or broker is told about customs' work on its declaration, over HTTP: the lane,
the status, the control findings about its documents, duties and the requests addressed to it;
never the risk rows or random-sample draws that selected the lane, nor the officers' ids.
Officers still see everything."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from clearance.app import Actor, Application, Role, case_file
from tests.api.conftest import Auth, flagged_declaration

pytestmark = pytest.mark.db

OFFICER = "officer-2201"


def _worked(auth: Auth, client: TestClient) -> str:
    """Sample 01 (yellow: a control finding and the random sample), with an officer's claim,
    request for documents, examination and decision."""
    number = flagged_declaration(auth, client)
    officer = auth("officer2201")
    assert client.post(f"/v1/declarations/{number}/claim", headers=officer).status_code == 200
    asked = client.post(
        f"/v1/declarations/{number}/document-requests",
        json={
            "documents": ["commercial invoice"],
            "reason": "value check",
            "due_on": "2026-12-10",
            "version": 1,
        },
        headers=officer,
    )
    assert asked.status_code == 201, asked.text
    examined = client.post(
        f"/v1/declarations/{number}/examinations",
        json={
            "kind": "documentary",
            "outcome": "conform",
            "findings": "internal note: compared with last month's invoices",
            "version": 1,
        },
        headers=officer,
    )
    assert examined.status_code in (200, 201), examined.text
    decided = client.post(
        f"/v1/declarations/{number}/decision",
        json={"action": "release", "reason": "invoice checked", "version": 1},
        headers=officer,
    )
    assert decided.status_code == 200, decided.text
    return number


def _internal(text: str) -> list[str]:
    """The customs-internal things ``text`` names."""
    marks = [OFFICER, "RISK-", '"draw"', "draw 0.", "internal note", '"sample"', '"risk"']
    return [m for m in marks if m in text]


def test_a_trader_is_told_the_lane_not_what_selected_it_nor_who_decided(
    auth: Auth, client: TestClient
) -> None:
    number = _worked(auth, client)

    broker = client.get(f"/v1/declarations/{number}", headers=auth("broker"))
    assert broker.status_code == 200
    assert _internal(broker.text) == []
    view: dict[str, Any] = broker.json()
    detail = view["decision_detail"]
    assert view["lane"] == "yellow" and view["status"] == "released"
    assert detail["reasons"], "the control finding about its documents is told"
    assert {r["source"] for r in detail["reasons"]} == {"control"}
    assert detail["fired_rules"] == [
        f"{r['rule_id']}@{r['rule_version']}" for r in detail["reasons"]
    ]
    assert detail["decided_by"] == "customs" and detail["note"] is None
    assert view["assessment"]["total_payable"]
    kinds = {e["kind"]: e["data"] for e in view["events"]}
    assert kinds["lane_assigned"] == {
        "lane": "yellow",
        "decision": "documents_required",
        "auto_release": False,
    }
    assert kinds["documents_requested"]["documents"] == ["commercial invoice"]
    assert kinds["officer_decided"]["reason"] == "invoice checked"

    feed = client.get("/v1/events?limit=1000", headers=auth("broker"))
    assert feed.status_code == 200
    assert {"lane_assigned", "officer_decided", "claimed"} <= {
        e["kind"] for e in feed.json()["events"]
    }
    assert _internal(feed.text) == []

    # The officer still sees all of it.
    officer = client.get(f"/v1/declarations/{number}", headers=auth("officer2201"))
    found = _internal(officer.text)
    assert OFFICER in found and "RISK-" in found and "internal note" in found
    officer_feed = client.get("/v1/events?limit=1000", headers=auth("officer2201")).text
    assert OFFICER in _internal(officer_feed)


def test_the_case_file_names_no_officer_to_a_trader(
    auth: Auth, client: TestClient, application: Application
) -> None:
    number = _worked(auth, client)
    broker = Actor("broker-01", Role.BROKER, party_ids=frozenset({"BROKER01"}))
    officer = Actor(OFFICER, Role.OFFICER, offices=frozenset({"2201"}))
    told = case_file.case_file(application, broker, number)
    assert [r.requested_by for r in told.requests] == ["customs"]
    assert told.examinations == [] and told.holder is None
    assert OFFICER not in json.dumps(told.as_json())
    shown = case_file.case_file(application, officer, number)
    assert [r.requested_by for r in shown.requests] == [OFFICER]
