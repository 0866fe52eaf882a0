"""An officer in the console and the trader in the portal, in a real browser: the flagged
declaration is in the officer's queue, the officer decides it (after a form error), the trader
sees the release and the answer; an officer of another office cannot reach it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine

from clearance.app import LOCAL_OPERATOR, Application, declarations, messages
from core.clock import FixedClock
from core.settings import Settings
from tests.browser.accessibility import check_page
from tests.browser.conftest import CustomsServe, screenshot
from tests.console_support import (
    OCEAN,
    OFFICER,
    OTHER_OFFICER,
    PASSWORD,
    Person,
    add_people,
    interchange,
)

pytestmark = pytest.mark.db


@pytest.fixture
def application(engine: Engine, clock: FixedClock) -> Application:
    app = Application(engine, Settings(), clock)
    add_people(app)
    messages.submit(app, LOCAL_OPERATOR, messages.Interchange(interchange("BROKER01", "OJ1")))
    return app


def sign_in(page: Page, server: CustomsServe, person: Person) -> None:
    page.goto(f"{server.url}/console/sign-in")
    page.get_by_label("User name").fill(person.name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_an_officer_decides_and_the_trader_sees_the_release(
    browser: Browser, page: Page, server: CustomsServe, application: Application
) -> None:
    (number,) = [d.number for d in declarations.list_declarations(application, LOCAL_OPERATOR)]
    sign_in(page, server, OFFICER)
    expect(page.locator("h1")).to_have_text("Work queue")
    check_page(page)
    screenshot(page, "10-officer-queue")

    page.get_by_role("link", name=number).click()
    expect(page.locator("h1")).to_have_text(number)
    check_page(page)
    screenshot(page, "11-officer-declaration")

    page.get_by_role("button", name="Send decision").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Choose a decision")
    expect(summary).to_contain_text("Give the reason for the decision")
    check_page(page)
    screenshot(page, "12-officer-decision-errors")
    summary.get_by_role("link", name="Give the reason for the decision").click()
    expect(page.locator("#reason")).to_be_focused()
    page.keyboard.type("Health certificate presented and checked")
    page.get_by_label("Release the goods").check()
    page.get_by_role("button", name="Send decision").click()
    expect(page.get_by_role("alert")).to_contain_text("Your decision was recorded")
    expect(page.locator(".summary-list").first).to_contain_text("Released")
    check_page(page)

    trader = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    sign_in(trader, server, OCEAN)
    trader.get_by_role("link", name=number).click()
    expect(trader.locator(".summary-list").first).to_contain_text("Released")
    expect(trader.locator(".timeline")).to_contain_text("Health certificate presented and checked")
    responses = trader.locator("details")
    expect(responses).to_have_count(2)  # the first CUSRES and the one after the release
    responses.last.locator("summary").click()
    expect(responses.last.locator("pre")).to_contain_text("CUSRES")
    screenshot(trader, "13-portal-released")
    trader.context.close()


def test_an_officer_of_another_office_cannot_reach_the_declaration(
    page: Page, server: CustomsServe, application: Application
) -> None:
    (number,) = [d.number for d in declarations.list_declarations(application, LOCAL_OPERATOR)]
    sign_in(page, server, OTHER_OFFICER)
    expect(page.locator("h1")).to_have_text("Work queue")
    expect(page.get_by_role("link", name=number)).to_have_count(0)
    page.goto(f"{server.url}/console/declarations/{number}")
    expect(page.locator("h1")).to_have_text("Page not found")
    check_page(page)
