"""A statistician on the console's statistics page, in a real browser: sign in, open the page
from the menu, choose a period, read the charts and their tables (confidential figures counted,
never shown), download a chart; a trader and an officer do not get the page."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from clearance.app import LOCAL_OPERATOR, Actor, Application, Role, subjects
from clearance.app import statistics as stats
from clearance.app import statistics_charts as charting
from core.clock import FixedClock
from core.settings import Settings
from tests.browser.accessibility import check_page
from tests.browser.conftest import CustomsServe, screenshot, sign_in
from tests.console_support import OCEAN, OFFICER, PASSWORD, Person, add_people

pytestmark = pytest.mark.db

STATISTICIAN = Person("liu.stat", Actor("liu.stat", Role.STATISTICIAN))
FIRST, LAST = "2025-01", "2025-12"
SVG = "{http://www.w3.org/2000/svg}svg"


@pytest.fixture
def application(engine: Engine, clock: FixedClock) -> Application:
    app = Application(engine, Settings(), clock)
    add_people(app)
    subjects.add_subject(
        app,
        LOCAL_OPERATOR,
        subjects.NewSubject(
            id=STATISTICIAN.name,
            name="Liu Stat",
            role=Role.STATISTICIAN,
            party_ids=[],
            offices=[],
            password=PASSWORD,
        ),
    )
    # A year of records, enough for tables with confidential chapters (as the page's tests).
    stats.generate(app, LOCAL_OPERATOR, 4000, seed=5, first_period=FIRST, months=12)
    return app


def signed_in(page: Page, server: CustomsServe, person: Person) -> None:
    sign_in(page, server, person)
    expect(page.locator("h1")).not_to_have_text("Sign in")


def test_a_statistician_reads_and_downloads_the_charts(
    page: Page, server: CustomsServe, application: Application
) -> None:
    chapters = charting.chart(
        application, STATISTICIAN.actor, "top-chapters", period_from=FIRST, period_to=LAST
    )
    assert chapters.confidential_hidden > 0, "the year has confidential chapters"
    table = stats.table(
        application,
        STATISTICIAN.actor,
        stats.TableRequest(rows="hs2", period_from=FIRST, period_to=LAST),
    )
    hidden = {c["row"] for c in table.cells if c["value_cny"] is None}

    signed_in(page, server, STATISTICIAN)
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Statistics").click()
    expect(page.locator("h1")).to_have_text("Trade statistics")
    check_page(page)

    page.get_by_label("From (YYYY-MM)").fill(FIRST)
    page.get_by_label("To (YYYY-MM)").fill(LAST)
    page.get_by_role("button", name="Show").click()
    assert page.url.endswith(f"/console/statistics?from={FIRST}&to={LAST}")
    expect(page.locator("section.chart")).to_have_count(len(charting.KINDS))
    expect(page.locator("section.chart svg[role=img]")).to_have_count(len(charting.KINDS))
    check_page(page)

    section = page.locator("section.chart", has=page.locator("#heading-top-chapters"))
    expect(section.get_by_role("heading", level=2)).to_have_text("Top chapters (HS 2)")
    expect(section.locator("figcaption")).to_contain_text(
        f"{chapters.confidential_hidden} confidential figures are not shown."
    )
    section.get_by_text("The figures as a table").click()
    rows = section.locator("table tbody tr")
    expect(rows).to_have_count(len(chapters.rows))
    shown = [label.strip() for label in rows.locator("th").all_inner_texts()]
    assert shown == [row.label for row in chapters.rows]
    assert hidden and hidden.isdisjoint(shown), "a confidential chapter is in the table"
    drawn = section.locator("svg").inner_html()
    for chapter in hidden:
        assert f">{chapter}<" not in drawn, f"confidential chapter {chapter} drawn"
    screenshot(page, "07-statistics")

    with page.expect_download() as download:
        section.get_by_role("link", name="Download the chart (SVG)").click()
    assert download.value.suggested_filename == "top-chapters.svg"
    svg = ElementTree.fromstring(Path(download.value.path()).read_bytes())
    assert svg.tag == SVG
    assert "Top chapters (HS 2)" in ElementTree.tostring(svg, encoding="unicode")


@pytest.mark.parametrize("person", [OCEAN, OFFICER], ids=["trader", "officer"])
def test_a_trader_or_officer_does_not_get_the_statistics_page(
    page: Page, server: CustomsServe, person: Person
) -> None:
    signed_in(page, server, person)
    expect(page.get_by_role("link", name="Statistics")).to_have_count(0)
    answer = page.goto(f"{server.url}/console/statistics?from={FIRST}&to={LAST}")
    assert answer is not None and answer.status == 403
    expect(page.locator("h1")).to_have_text("You cannot use this page")
    expect(page.locator("svg[role=img]")).to_have_count(0)
    check_page(page)
    chart = page.request.get(f"{server.url}/console/statistics/charts/top-partners.svg")
    assert chart.status == 403
    assert b"<svg" not in chart.body()
