"""``/v1/statistics/confidentiality-requests``: a trader files for its own party and sees only
its own; a statistics manager reviews; an accepted request makes the trader's cells
confidential in every protected table (and the audit still passes)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.asgi import build
from api.auth import REFUSAL, NotAuthenticatedError
from api.settings import ApiSettings
from clearance.app import LOCAL_OPERATOR, Actor, Application, Role
from clearance.app import statistics as stats

pytestmark = pytest.mark.db

STATISTICIAN = Actor("stat-01", Role.STATISTICIAN)
MANAGER = Actor(
    "stat-mgr",
    Role.STATISTICIAN,
    grants=frozenset({"statistics_manage", "statistics_unprotected"}),
)
TOKENS = {"gck_stat": STATISTICIAN, "gck_manager": MANAGER}


def _authenticate(app: Application, token: str) -> Actor:
    if token.startswith("gck_trader_"):  # a trader whose party id is the rest of the token
        return Actor(token, Role.TRADER, party_ids=frozenset({token.removeprefix("gck_trader_")}))
    if token.startswith("gck_broker_"):
        return Actor(token, Role.BROKER, party_ids=frozenset({token.removeprefix("gck_broker_")}))
    if token not in TOKENS:
        raise NotAuthenticatedError(REFUSAL)
    return TOKENS[token]


def _as(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


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


def _traders(application: Application) -> list[str]:
    """Synthetic traders, the most active first."""
    with application.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT trader FROM stat_facts GROUP BY trader ORDER BY COUNT(*) DESC, trader")
        )
        return [r[0] for r in rows]


URL = "/v1/statistics/confidentiality-requests"


def test_a_trader_files_for_itself_only_and_sees_only_its_own(
    client: TestClient, application: Application
) -> None:
    a, b = _traders(application)[:2]
    filed = client.post(
        URL, json={"party": a, "reason": "one buyer"}, headers=_as(f"gck_trader_{a}")
    )
    assert filed.status_code == 201, filed.text
    mine = filed.json()
    assert mine["status"] == "pending" and mine["party"] == a
    # For another party: refused, for a trader and for a broker holding that party's mandate.
    other = client.post(URL, json={"party": b, "reason": "x"}, headers=_as(f"gck_trader_{a}"))
    assert other.status_code == 403
    broker = client.post(URL, json={"party": a, "reason": "x"}, headers=_as(f"gck_broker_{a}"))
    assert broker.status_code == 403
    # B sees nothing of A's: not in its list, "not found" by id.
    assert client.get(URL, headers=_as(f"gck_trader_{b}")).json() == []
    assert client.get(f"{URL}/{mine['id']}", headers=_as(f"gck_trader_{b}")).status_code == 404
    assert [r["id"] for r in client.get(URL, headers=_as(f"gck_trader_{a}")).json()] == [mine["id"]]
    # A statistician without the manager's permission sees none and cannot review.
    assert client.get(URL, headers=_as("gck_stat")).json() == []
    review = {"accept": True, "note": "ok"}
    denied = client.post(f"{URL}/{mine['id']}/review", json=review, headers=_as("gck_stat"))
    assert denied.status_code == 403
    trader_review = client.post(
        f"{URL}/{mine['id']}/review", json=review, headers=_as(f"gck_trader_{a}")
    )
    assert trader_review.status_code == 403
    assert (
        client.get(URL, params={"status": "pending"}, headers=_as("gck_manager")).json()[0]["party"]
        == a
    )


def test_an_accepted_request_makes_the_traders_cells_confidential(
    client: TestClient, application: Application
) -> None:
    params = {"rows": "hs2", "columns": "flow", "unprotected": "true"}

    def cells() -> dict[tuple[str, str], dict[str, Any]]:
        answer = client.get("/v1/statistics/tables", params=params, headers=_as("gck_manager"))
        assert answer.status_code == 200, answer.text
        assert answer.json()["audit"]["passed"]
        return {(c["row"], c["column"]): c for c in answer.json()["cells"]}

    before = cells()
    # A large trader with cells that the ordinary rules leave open.
    for giant in _traders(application)[:10]:
        own = client.get("/v1/statistics/records", headers=_as(f"gck_trader_{giant}")).json()
        where = {(r["hs"][:2], r["flow"]) for r in own}
        open_before = [k for k in where if "confidential" not in before[k]["flags"]]
        if open_before:
            break
    assert open_before
    filed = client.post(
        URL, json={"party": giant, "reason": "sole exporter"}, headers=_as(f"gck_trader_{giant}")
    ).json()
    # Filing alone changes nothing: only an accepted request counts.
    assert all("confidential" not in cells()[k]["flags"] for k in open_before)
    done = client.post(
        f"{URL}/{filed['id']}/review", json={"accept": True}, headers=_as("gck_manager")
    )
    assert done.status_code == 200 and done.json()["status"] == "accepted"
    again = client.post(
        f"{URL}/{filed['id']}/review", json={"accept": False}, headers=_as("gck_manager")
    )
    assert again.status_code == 409
    after = cells()
    for key in where:
        assert "confidential" in after[key]["flags"] and "request" in after[key]["rules"]
    protected = client.get(
        "/v1/statistics/tables", params={"rows": "hs2", "columns": "flow"}, headers=_as("gck_stat")
    ).json()
    assert protected["audit"]["passed"]
    shown = {(c["row"], c["column"]): c["value_cny"] for c in protected["cells"]}
    assert all(shown[k] is None for k in where)


def test_a_published_table_is_protected_together_with_later_linked_ones(
    client: TestClient,
) -> None:
    body = {
        "rows": "partner",
        "columns": "trade_mode",
        "period_from": "2025-03",
        "period_to": "2025-03",
    }
    refused = client.post("/v1/statistics/published-tables", json=body, headers=_as("gck_stat"))
    assert refused.status_code == 403
    first = client.post("/v1/statistics/published-tables", json=body, headers=_as("gck_manager"))
    assert first.status_code == 201, first.text
    assert first.json()["audit"]["passed"]
    hidden_totals = {
        c["row"]
        for c in first.json()["cells"]
        if c["column"] == "_T" and "confidential" in c["flags"]
    }
    params = {"rows": "partner", "columns": "office", "from": "2025-03", "to": "2025-03"}
    second = client.get("/v1/statistics/tables", params=params, headers=_as("gck_stat")).json()
    assert second["audit"]["passed"] and second["audit"]["linked_tables"] == 1
    # The partner totals the first table hid stay hidden in the second: the same cells.
    for cell in second["cells"]:
        if cell["column"] == "_T" and cell["row"] in hidden_totals:
            assert cell["value_cny"] is None
    # Another frame (other months) is not linked.
    other = client.get(
        "/v1/statistics/tables",
        params={**params, "from": "2025-04", "to": "2025-04"},
        headers=_as("gck_stat"),
    ).json()
    assert other["audit"]["linked_tables"] == 0
    # A frame overlapping it (March and April: March by difference) is linked and passes.
    overlapping = client.get(
        "/v1/statistics/tables",
        params={**params, "from": "2025-03", "to": "2025-04"},
        headers=_as("gck_stat"),
    ).json()
    assert overlapping["audit"]["passed"] and overlapping["audit"]["linked_tables"] == 1


def test_charts_as_svg_for_statisticians_only(client: TestClient) -> None:
    answer = client.get(
        "/v1/statistics/charts/monthly-trend",
        params={"from": "2025-01", "to": "2025-12", "download": "true"},
        headers=_as("gck_stat"),
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("image/svg+xml")
    assert answer.headers["content-security-policy"] == "default-src 'none'"
    assert answer.headers["content-disposition"] == 'attachment; filename="monthly-trend.svg"'
    assert answer.text.startswith("<svg") and "<title" in answer.text
    figures = client.get(
        "/v1/statistics/charts/trade-mode-share",
        params={"format": "json", "flow": "M"},
        headers=_as("gck_stat"),
    ).json()
    shares = [float(r["share_percent"]) for r in figures["rows"]]
    assert figures["kind"] == "trade-mode-share" and 99.0 <= sum(shares) <= 100.1
    unknown = client.get("/v1/statistics/charts/pie", headers=_as("gck_stat"))
    assert unknown.status_code == 404
    trader = client.get("/v1/statistics/charts/top-partners", headers=_as("gck_trader_X"))
    assert trader.status_code == 403
