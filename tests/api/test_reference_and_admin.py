"""Reference data and identity over HTTP: tariff lookups and quotes, an agency's licences
(only those it issues: others are 404), and the admin's subjects, keys and mandates."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Auth, bearer

pytestmark = pytest.mark.db


def test_a_quote_and_a_lookup_need_no_declaration(auth: Auth, client: TestClient) -> None:
    lookup = client.get("/v1/tariff/1511100000?origin=ID&date=2026-11-28", headers=auth("broker"))
    assert lookup.status_code == 200, lookup.text
    assert lookup.json()["schedule_version"] == "cn-extract-2026.1"
    quote = client.post(
        "/v1/quotes",
        json={
            "code": "1511100000",
            "origin": "ID",
            "on": "2026-11-28",
            "value": "1000",
            "currency": "CNY",
            "quantities": [["1000", "KGM"]],
        },
        headers=auth("broker"),
    )
    assert quote.status_code == 200, quote.text
    assert quote.json()["items"][0]["code"] == "1511100000"
    assert quote.json()["total_payable"]


def test_an_origin_that_names_no_country_is_refused_not_priced(
    auth: Auth, client: TestClient
) -> None:
    # ZZ has the form of a country code but names none: it used to be priced at the rates
    # for every other origin (the general rate), as if it were a country without MFN status.
    lookup = client.get("/v1/tariff/1511100000?origin=ZZ&date=2026-11-28", headers=auth("broker"))
    assert lookup.status_code == 422, lookup.text
    assert "ISO 3166-1" in lookup.text
    body = {"code": "1511100000", "origin": "ZZ", "on": "2026-11-28", "value": "1000"}
    quote = client.post("/v1/quotes", json={**body, "currency": "CNY"}, headers=auth("broker"))
    assert quote.status_code == 422, quote.text
    assert "ISO 3166-1" in quote.text


def test_an_agency_sees_and_revokes_only_the_licences_it_issues(
    auth: Auth, client: TestClient
) -> None:
    listed = client.get("/v1/registry/licences", headers=auth("agency"))
    assert listed.status_code == 200
    assert [d["number"] for d in listed.json()] == ["26-XK-440309"]
    own = client.get("/v1/registry/licences/26-XK-440309", headers=auth("agency"))
    assert own.status_code == 200
    assert "ledgers" in own.json()
    other = client.get("/v1/registry/licences/26-AA-310045", headers=auth("agency"))
    assert other.status_code == 404
    assert other.json()["detail"] == client.get(
        "/v1/registry/licences/NO-SUCH", headers=auth("agency")
    ).json()["detail"].replace("NO-SUCH", "26-AA-310045")
    refused = client.post(
        "/v1/registry/licences/26-AA-310045/revocation",
        json={"reason": "not mine"},
        headers=auth("agency"),
    )
    assert refused.status_code == 404
    revoked = client.post(
        "/v1/registry/licences/26-XK-440309/revocation",
        json={"reason": "holder closed"},
        headers=auth("agency"),
    )
    assert revoked.status_code == 200, revoked.text
    assert client.get("/v1/registry/licences", headers=auth("broker")).status_code == 403


def test_an_agency_pushes_and_amends_its_own_licence(auth: Auth, client: TestClient) -> None:
    record = {
        "record": "licence",
        "number": "26-XK-440399",
        "type_code": "3",
        "holder_uscc": "91310000MA1FL0XQ8W",
        "holder_name": "SHANGHAI OCEAN FOODS TRADING CO LTD",
        "direction": "import",
        "commodity_codes": ["1511100000"],
        "quantity": "1000",
        "unit": "KGM",
        "max_uses": 12,
        "tolerance": "0",
        "valid_from": "2026-01-01",
        "valid_to": "2026-12-31",
        "status": "active",
        "issuer": "MOFCOM",
    }
    pushed = client.post("/v1/registry/records", json=record, headers=auth("agency"))
    assert pushed.status_code == 200, pushed.text
    amended = client.post(
        "/v1/registry/records", json={**record, "quantity": "2000"}, headers=auth("agency")
    )
    assert amended.status_code == 200, amended.text
    detail = client.get("/v1/registry/licences/26-XK-440399", headers=auth("agency")).json()
    assert detail["number"] == "26-XK-440399"
    foreign = client.post(
        "/v1/registry/records",
        json={**record, "number": "26-XK-440398", "issuer": "MOFCOM Jiangsu"},
        headers=auth("agency"),
    )
    assert foreign.status_code == 403


def test_the_admin_adds_a_subject_issues_a_key_and_revokes_it(
    auth: Auth, client: TestClient
) -> None:
    added = client.post(
        "/v1/admin/subjects",
        json={"id": "trader-09", "name": "Trader 9", "role": "trader", "party_ids": ["edi:T09"]},
        headers=auth("admin"),
    )
    assert added.status_code == 201, added.text
    issued = client.post("/v1/admin/subjects/trader-09/keys", json={}, headers=auth("admin"))
    assert issued.status_code == 201
    key = issued.json()["key"]
    me = client.get("/v1/me", headers=bearer(key))
    assert me.status_code == 200
    assert me.json()["subject"] == "trader-09"
    assert me.json()["party_ids"] == ["T09"]
    listed = client.get("/v1/admin/keys?subject=trader-09", headers=auth("admin")).json()
    assert key not in str(listed)  # never the secret again
    key_id = issued.json()["details"]["key_id"]
    revoked = client.post(f"/v1/admin/keys/{key_id}/revocation", headers=auth("admin"))
    assert revoked.status_code == 200
    assert client.get("/v1/me", headers=bearer(key)).status_code == 401


def test_only_the_admin_manages_subjects(auth: Auth, client: TestClient) -> None:
    for name in ("broker", "officer2201", "agency"):
        answer = client.get("/v1/admin/subjects", headers=auth(name))
        assert answer.status_code == 403, name
        assert answer.json()["code"] == "not_permitted"


def test_a_mandate_lets_a_broker_act_for_the_trader_until_revoked(
    auth: Auth, client: TestClient
) -> None:
    granted = client.post(
        "/v1/mandates",
        json={"broker": "broker-02", "trader_party_id": "edi:BROKER01"},
        headers=auth("admin"),
    )
    assert granted.status_code == 201, granted.text
    me = client.get("/v1/me", headers=auth("broker2")).json()
    assert "BROKER01" in me["party_ids"]
    mandate = granted.json()["id"]
    assert client.post(f"/v1/mandates/{mandate}/revocation", headers=auth("admin")).is_success
    assert "BROKER01" not in client.get("/v1/me", headers=auth("broker2")).json()["party_ids"]
