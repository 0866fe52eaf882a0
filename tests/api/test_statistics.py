"""``/v1/statistics``: protected tables for statisticians, unprotected only with clearance,
a trader's own records and nobody else's; every answer audited."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from api.asgi import build
from api.auth import REFUSAL, NotAuthenticatedError
from api.settings import ApiSettings
from clearance.app import LOCAL_OPERATOR, Actor, Application, Role
from clearance.app import statistics as stats
from clearance.statistics import cube

pytestmark = pytest.mark.db

STATISTICIAN = Actor("stat-01", Role.STATISTICIAN)
CLEARED = Actor("stat-02", Role.STATISTICIAN, grants=frozenset({"statistics_unprotected"}))
OFFICER = Actor("officer-01", Role.OFFICER, offices=frozenset({"2201"}))
TOKENS = {"gck_stat": STATISTICIAN, "gck_cleared": CLEARED, "gck_officer": OFFICER}


def _authenticate(app: Application, token: str) -> Actor:
    if token.startswith("gck_trader_"):  # a trader whose party id is the rest of the token
        return Actor(token, Role.TRADER, party_ids=frozenset({token.removeprefix("gck_trader_")}))
    if token not in TOKENS:
        raise NotAuthenticatedError(REFUSAL)
    return TOKENS[token]


@pytest.fixture
def client(application: Application) -> Iterator[TestClient]:
    stats.generate(application, LOCAL_OPERATOR, 3000, seed=3, first_period="2025-01", months=12)
    api = build(
        application=application,
        authenticator=_authenticate,
        api_settings=ApiSettings(rate_per_second=1000, rate_burst=1000),
    )
    with TestClient(api) as test_client:
        yield test_client


def test_a_statistician_gets_protected_tables_that_passed_the_audit(client: TestClient) -> None:
    answer = client.get(
        "/v1/statistics/tables",
        params={"rows": "hs2", "columns": "flow", "from": "2025-01", "to": "2025-06"},
        headers={"Authorization": "Bearer gck_stat"},
    )
    assert answer.status_code == 200, answer.text
    table = answer.json()
    assert table["protected"] and table["audit"]["passed"]
    hidden = [c for c in table["cells"] if "confidential" in c["flags"]]
    assert hidden and all(c["value_cny"] is None for c in hidden)
    assert all("traders" not in c for c in table["cells"])


def test_unprotected_tables_need_clearance(client: TestClient) -> None:
    params = {"rows": "trade_mode", "unprotected": "true"}
    refused = client.get(
        "/v1/statistics/tables", params=params, headers={"Authorization": "Bearer gck_stat"}
    )
    assert refused.status_code == 403
    cleared = client.get(
        "/v1/statistics/tables", params=params, headers={"Authorization": "Bearer gck_cleared"}
    )
    assert cleared.status_code == 200
    assert all(c["traders"] is not None for c in cleared.json()["cells"])
    for token in ("gck_officer", "gck_trader_X"):
        answer = client.get(
            "/v1/statistics/tables",
            params={"rows": "flow"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert answer.status_code == 403
    assert client.get("/v1/statistics/tables", params={"rows": "flow"}).status_code == 401


def test_csv_sdmx_and_parquet(client: TestClient) -> None:
    auth = {"Authorization": "Bearer gck_stat"}
    base = {"rows": "partner", "filter": "partner:US,JP"}
    answer = client.get("/v1/statistics/tables", params={**base, "format": "csv"}, headers=auth)
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert answer.headers["content-type"].startswith("text/csv")
    assert {r["partner"] for r in rows} == {"US", "JP", "_T"}
    sdmx = client.get("/v1/statistics/tables", params={**base, "format": "sdmx-csv"}, headers=auth)
    assert sdmx.text.startswith("DATAFLOW,PARTNER,OBS_VALUE")
    parquet = client.get(
        "/v1/statistics/tables", params={**base, "format": "parquet"}, headers=auth
    )
    table = pq.read_table(io.BytesIO(parquet.content))
    assert table.column_names[:3] == ["partner", "column", "value_cny"]
    assert sorted(table.column("partner").to_pylist()) == ["JP", "US", "_T"]
    bad = client.get(
        "/v1/statistics/tables", params={"rows": "flow", "filter": "partner"}, headers=auth
    )
    assert bad.status_code == 422


def test_a_trader_sees_its_own_records_only(client: TestClient, application: Application) -> None:
    by_trader = stats.table(
        application, LOCAL_OPERATOR, stats.TableRequest(rows="trader", unprotected=True)
    )
    mine, items = next((c["row"], c["items"]) for c in by_trader.cells if c["row"] != "_T")
    answer = client.get(
        "/v1/statistics/records", headers={"Authorization": f"Bearer gck_trader_{mine}"}
    )
    assert answer.status_code == 200
    records = answer.json()
    other = client.get(
        "/v1/statistics/records", headers={"Authorization": "Bearer gck_trader_NOBODY"}
    )
    assert other.status_code == 200 and other.json() == []
    assert len(records) == items
    assert all(r["declaration_number"].startswith("SYN") for r in records)
    denied = client.get("/v1/statistics/records", headers={"Authorization": "Bearer gck_stat"})
    assert denied.status_code == 403


def test_a_table_over_the_cell_limit_is_a_problem_naming_its_size(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    params = {"rows": "hs2", "columns": "partner", "from": "2025-01", "to": "2025-06"}
    headers = {"Authorization": "Bearer gck_stat"}
    answered = client.get("/v1/statistics/tables", params=params, headers=headers)
    assert answered.status_code == 200, answered.text
    size = len(answered.json()["cells"])
    monkeypatch.setattr(cube, "MAX_CELLS", size - 1)
    refused = client.get("/v1/statistics/tables", params=params, headers=headers)
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert f"{size:,} cells" in refused.text and "narrow it" in refused.text
