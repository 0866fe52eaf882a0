"""A trader in the portal, in a real browser: sign in by keyboard, see its declarations, open
one, switch to Chinese, find another trader's declaration "not found", sign out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from clearance.app import LOCAL_OPERATOR, Application, declarations, messages
from core.clock import FixedClock
from core.settings import Settings
from tests.browser.accessibility import check_page
from tests.browser.conftest import CustomsServe, screenshot
from tests.console_support import (
    NINGBO,
    OCEAN,
    PASSWORD,
    add_people,
    interchange,
)

pytestmark = pytest.mark.db


@pytest.fixture
def application(engine: Engine, clock: FixedClock) -> Application:
    app = Application(engine, Settings(), clock)
    add_people(app)
    messages.submit(app, LOCAL_OPERATOR, messages.Interchange(interchange("BROKER01", "IC1")))
    messages.submit(app, LOCAL_OPERATOR, messages.Interchange(interchange("BROKER02", "IC2")))
    return app


def number_of(application: Application, sender: str) -> str:
    (number,) = [
        row.number
        for row in declarations.list_declarations(application, LOCAL_OPERATOR)
        if row.sender == sender
    ]
    return number


def test_a_trader_follows_its_declaration_in_the_portal(
    page: Page, server: CustomsServe, application: Application
) -> None:
    own, other = number_of(application, "BROKER01"), number_of(application, "BROKER02")
    page.goto(f"{server.url}/console/portal")
    expect(page.locator("h1")).to_have_text("Sign in")
    check_page(page)
    screenshot(page, "01-sign-in")

    # Keyboard only: the user name field is reached by Tab, the form sent with Enter.
    page.locator("#name").focus()
    page.keyboard.type(OCEAN.name)
    page.keyboard.press("Tab")
    expect(page.locator("#password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    expect(page.locator("h1")).to_have_text("Your declarations")
    assert page.url.endswith("/console/portal")
    check_page(page)
    expect(page.get_by_role("link", name=own)).to_be_visible()
    expect(page.get_by_role("link", name=other)).to_have_count(0)
    screenshot(page, "02-portal-declarations")

    page.get_by_role("link", name=own).focus()
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(own)
    check_page(page)
    expect(page.locator(".summary-list").first).to_contain_text("Documents required")
    screenshot(page, "03-portal-declaration")

    page.get_by_role("button", name="中文").click()
    expect(page.locator("h1")).to_have_text(own)
    expect(page.locator(".summary-list").first).to_contain_text("需补交单证")
    check_page(page)
    screenshot(page, "04-portal-declaration-zh")

    page.goto(f"{server.url}/console/declarations/{other}")
    expect(page.locator("h1")).to_have_text("找不到页面")
    check_page(page)

    page.get_by_role("button", name="退出").click()
    expect(page.locator("h1")).to_have_text("登录")
    expect(page.get_by_role("alert")).to_contain_text("您已退出")
    page.goto(f"{server.url}/console/declarations/{own}")
    expect(page.locator("h1")).to_have_text("登录")


def test_a_sign_in_with_errors_shows_a_summary_linked_to_the_fields(
    page: Page, server: CustomsServe
) -> None:
    page.goto(f"{server.url}/console/sign-in")
    page.locator("#name").fill(NINGBO.name)
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Enter your password")
    # The summary has the focus: a keyboard or screen-reader user starts at what went wrong,
    # and the next Tab reaches its first link.
    expect(summary).to_be_focused()
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link", name="Enter your password")).to_be_focused()
    check_page(page)
    screenshot(page, "05-sign-in-errors")
    summary.get_by_role("link", name="Enter your password").click()
    expect(page.locator("#password")).to_be_focused()
    expect(page.locator("#name")).to_have_value(NINGBO.name)


def test_a_trader_uploads_a_file_and_downloads_the_answers(
    page: Page, server: CustomsServe, tmp_path: Path
) -> None:
    path = tmp_path / "cusdec-ic3.edi"
    path.write_bytes(interchange("BROKER01", "IC3"))
    page.goto(f"{server.url}/console/sign-in?next=%2Fconsole%2Fportal%2Fupload")
    page.get_by_label("User name").fill(OCEAN.name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("Upload a file")
    check_page(page)

    page.get_by_role("button", name="Upload").click()  # no file chosen yet
    expect(page.locator(".error-summary")).to_contain_text("Choose a file to upload")
    expect(page.locator(".error-summary")).to_be_focused()
    check_page(page)

    page.get_by_label("Interchange file").set_input_files(str(path))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("h1")).to_have_text(path.name)
    expect(page.get_by_role("alert")).to_contain_text("Your file was received and processed.")
    check_page(page)
    screenshot(page, "06-portal-upload-result")

    with page.expect_download() as raw:
        page.get_by_role("link", name="Download the file as received").click()
    assert Path(raw.value.path()).read_bytes() == path.read_bytes()
    with page.expect_download() as contrl:
        page.get_by_role("link", name="Download CONTRL").click()
    assert b"UNH+" in Path(contrl.value.path()).read_bytes()
    assert b"CONTRL" in Path(contrl.value.path()).read_bytes()

    page.locator("main").get_by_role("link", name=re.compile(r"^\d{18}$")).click()
    expect(page.locator(".caption")).to_have_text("Declaration")
    check_page(page)
