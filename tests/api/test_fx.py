"""/v1/fx: the FX authority imports feeds, classifies and sends the goods feed; a trader sees
only its own class (another's is 404, as an unknown one); others are refused (403)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.asgi import build
from api.auth import REFUSAL, NotAuthenticatedError
from api.settings import ApiSettings
from clearance.app import Actor, Application, Role
from tests.integration.fx_support import EXPORTER, OTHER, add_declaration, application

pytestmark = pytest.mark.db

TOKENS = {
    "gck_fx": Actor("safe-1", Role.FX_AUTHORITY),
    "gck_exporter": Actor("exporter", Role.TRADER, party_ids=frozenset({EXPORTER})),
    "gck_other": Actor("other", Role.TRADER, party_ids=frozenset({OTHER})),
    "gck_officer": Actor("officer", Role.OFFICER, offices=frozenset({"2201"})),
}
FEED = (
    "bank,reference,trader,kind,value_date,currency,amount\n"
    f"BKCHCNBJ,R1,{EXPORTER},receipt,2026-06-25,USD,200000\n"
)


def authenticate(app: Application, token: str) -> Actor:
    actor = TOKENS.get(token)
    if actor is None:
        raise NotAuthenticatedError(REFUSAL)
    return actor


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    app = application(engine)
    add_declaration(engine, "220120260000000001", EXPORTER, date(2026, 6, 3), [("1000000", "USD")])
    api = build(
        application=app,
        authenticator=authenticate,
        api_settings=ApiSettings(rate_per_second=1000, rate_burst=1000),
    )
    with TestClient(api, raise_server_exceptions=False) as test_client:
        yield test_client


def test_authority_imports_classifies_and_sends_the_goods_feed(client: TestClient) -> None:
    csv = {"Content-Type": "text/csv"}
    answer = client.post("/v1/fx/bank-feeds", content=FEED, headers={**auth("gck_fx"), **csv})
    assert answer.status_code == 201, answer.text
    assert answer.json()["created"] == 1
    bad = client.post(
        "/v1/fx/bank-feeds",
        content=FEED.replace("receipt,", "refund,"),
        headers={**auth("gck_fx"), **csv},
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert "line 2, column 4 (kind)" in bad.json()["detail"]

    run = client.post("/v1/fx/classifications?month=2026-06", headers=auth("gck_fx"))
    assert run.status_code == 201 and run.json()["counts"]["C"] == 1
    (row,) = client.get("/v1/fx/indicators?month=2026-06", headers=auth("gck_fx")).json()
    assert row["indicators"]["gap_ratio"] == "-0.6667"

    feed = client.post("/v1/fx/goods-feeds", headers=auth("gck_fx"))
    assert feed.status_code == 201 and feed.json()["records"] == 1
    again = client.get(f"/v1/fx/goods-feeds/{feed.json()['reference']}", headers=auth("gck_fx"))
    assert again.json()["files"] == feed.json()["files"]


def test_a_trader_sees_only_its_own_class(client: TestClient) -> None:
    client.post("/v1/fx/classifications?month=2026-06", headers=auth("gck_fx"))
    mine = client.get(f"/v1/fx/traders/{EXPORTER}?month=2026-06", headers=auth("gck_exporter"))
    assert mine.status_code == 200 and mine.json()["current"]["grade"] == "C"
    hidden = client.get(f"/v1/fx/traders/{EXPORTER}", headers=auth("gck_other"))
    unknown = client.get("/v1/fx/traders/91330200MA2AJ6YF1B", headers=auth("gck_other"))
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json()["detail"].replace(EXPORTER, "X") == unknown.json()["detail"].replace(
        "91330200MA2AJ6YF1B", "X"
    )
    officer = client.get(f"/v1/fx/traders/{EXPORTER}", headers=auth("gck_officer"))
    assert officer.status_code == 200
    for path in ("/v1/fx/indicators", "/v1/fx/goods-feeds/FX1"):
        assert client.get(path, headers=auth("gck_exporter")).status_code == 403
    assert client.post("/v1/fx/classifications", headers=auth("gck_officer")).status_code == 403
    assert client.get(f"/v1/fx/traders/{EXPORTER}").status_code == 401


def test_a_trader_objects_and_the_authority_grants(client: TestClient) -> None:
    client.post("/v1/fx/classifications?month=2026-06", headers=auth("gck_fx"))  # EXPORTER: C
    path = f"/v1/fx/traders/{EXPORTER}/objections"
    body = {"grounds": "receipts through our affiliate"}
    assert client.post(path, json=body, headers=auth("gck_other")).status_code == 404
    assert client.post(path, json=body, headers=auth("gck_officer")).status_code == 403
    assert client.post(path, json=body).status_code == 401
    assert client.post(path, json={"grounds": ""}, headers=auth("gck_exporter")).status_code == 422
    filed = client.post(path, json=body, headers=auth("gck_exporter"))
    assert filed.status_code == 201, filed.text
    objection = filed.json()
    assert objection["status"] == "pending" and objection["notice"]["grade"] == "C"
    again = client.post(path, json=body, headers=auth("gck_exporter"))
    assert again.status_code == 409 and "already has objection" in again.json()["detail"]

    mine = client.get("/v1/fx/objections", headers=auth("gck_exporter")).json()
    assert [o["id"] for o in mine] == [objection["id"]]
    assert client.get("/v1/fx/objections", headers=auth("gck_other")).json() == []
    one = f"/v1/fx/objections/{objection['id']}"
    assert client.get(one, headers=auth("gck_other")).status_code == 404
    assert client.get("/v1/fx/objections", headers=auth("gck_officer")).status_code == 403

    ruling = {"outcome": "granted", "grade": "B", "note": "affiliate receipts proven"}
    decide = f"{one}/decision"
    assert client.post(decide, json=ruling, headers=auth("gck_exporter")).status_code == 403
    decided = client.post(decide, json=ruling, headers=auth("gck_fx"))
    assert decided.status_code == 200, decided.text
    assert decided.json()["result"]["grade"] == "B"
    assert decided.json()["result"]["reasons"][0]["code"] == "FX-OBJ"
    assert client.post(decide, json=ruling, headers=auth("gck_fx")).status_code == 409
    shown = client.get(f"/v1/fx/traders/{EXPORTER}", headers=auth("gck_exporter")).json()
    assert [c["grade"] for c in shown["history"]] == ["B", "C"]
    assert client.get(one, headers=auth("gck_exporter")).json()["status"] == "granted"
