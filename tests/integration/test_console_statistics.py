"""The console's statistics page: the four charts with their figures and download links, for
statisticians only, in English and Chinese; no chart shows a confidential figure."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from clearance.app import LOCAL_OPERATOR, Actor, Application, Role
from clearance.app import statistics as stats
from clearance.app import statistics_charts as charting
from core.clock import FixedClock
from core.settings import Settings
from tests.console_support import PASSWORD, console_app, csrf_token, table_sign_in

pytestmark = pytest.mark.db

STATISTICIAN = Actor("liu.stat", Role.STATISTICIAN)
PEOPLE = (STATISTICIAN, Actor("ocean", Role.TRADER, party_ids=frozenset({"BROKER01"})))


@pytest.fixture
def application(engine: Engine, clock: FixedClock) -> Application:
    app = Application(engine, Settings(), clock)
    stats.generate(app, LOCAL_OPERATOR, 4000, seed=5, first_period="2025-01", months=12)
    return app


@pytest.fixture
def client(application: Application) -> TestClient:
    return TestClient(console_app(application, sign_in=table_sign_in(PEOPLE)))


def _sign_in(client: TestClient, name: str) -> None:
    page = client.get("/console/sign-in")
    answer = client.post(
        "/console/sign-in",
        data={"csrf_token": csrf_token(page.text), "name": name, "password": PASSWORD},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def test_a_statistician_sees_four_accessible_charts_with_tables(client: TestClient) -> None:
    _sign_in(client, "liu.stat")
    page = client.get("/console/statistics", params={"from": "2025-01", "to": "2025-06"})
    assert page.status_code == 200, page.text
    html = page.text
    assert html.count("<svg ") == 4 and html.count('role="img"') == 4
    assert html.count("<table") == 4  # the figures of each chart, for those who cannot see it
    for kind in charting.KINDS:
        assert f"/console/statistics/charts/{kind}.svg?from=2025-01&amp;to=2025-06" in html
    assert 'href="/console/statistics"' in html  # in the menu
    download = client.get("/console/statistics/charts/top-partners.svg?from=2025-01")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("image/svg+xml")
    assert download.headers["content-disposition"].startswith("attachment")
    ElementTree.fromstring(download.text)


def test_the_page_speaks_chinese(client: TestClient) -> None:
    _sign_in(client, "liu.stat")
    page = client.get("/console/statistics")
    client.post(
        "/console/language",
        data={"csrf_token": csrf_token(page.text), "language": "zh", "next": "/console/statistics"},
    )
    html = client.get("/console/statistics").text
    assert "贸易统计" in html and "主要贸易伙伴" in html
    assert '<title id="chart-top-partners-title">主要贸易伙伴</title>' in html


def test_a_trader_may_not_see_the_statistics_page(client: TestClient) -> None:
    _sign_in(client, "ocean")
    assert client.get("/console/statistics").status_code == 403
    assert client.get("/console/statistics/charts/top-partners.svg").status_code == 403


def test_no_chart_shows_a_confidential_figure(application: Application) -> None:
    table = stats.table(
        application,
        STATISTICIAN,
        stats.TableRequest(rows="hs2", period_from="2025-01", period_to="2025-12"),
    )
    hidden = {c["row"] for c in table.cells if c["value_cny"] is None}
    assert hidden, "the month has confidential chapters"
    view = charting.chart(
        application,
        STATISTICIAN,
        "top-chapters",
        period_from="2025-01",
        period_to="2025-12",
        top=50,
    )
    assert {r.label for r in view.rows}.isdisjoint(hidden)
    assert view.confidential_hidden == len(hidden)
    for chapter in hidden:
        assert f">{chapter}<" not in view.svg
