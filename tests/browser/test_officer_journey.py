"""The officers' console and the portal together, in a real browser on ``customs serve``:
a trader uploads a file that is flagged, an officer claims it and asks for a document, the
trader answers by uploading it, the officer releases, and the trader sees the release and the
answer; two officers race to claim; an officer of another office cannot act."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine

from clearance.app import LOCAL_OPERATOR, Application, case_file, declarations, messages
from core.clock import FixedClock
from core.settings import Settings
from tests.browser.accessibility import check_page
from tests.browser.conftest import CustomsServe, screenshot, sign_in
from tests.console_support import (
    COLLEAGUE,
    OCEAN,
    OFFICER,
    OTHER_OFFICER,
    PASSWORD,
    add_people,
    csrf_token,
    interchange,
)

pytestmark = pytest.mark.db


@pytest.fixture
def application(engine: Engine, clock: FixedClock) -> Application:
    app = Application(engine, Settings(), clock)
    add_people(app)
    return app


def banner(page: Page) -> str:
    return page.locator(".banner").inner_text()


def test_a_flagged_upload_from_request_to_release(
    browser: Browser, page: Page, server: CustomsServe, tmp_path: Path
) -> None:
    # The trader uploads a file; automation flags it (documents required).
    upload = tmp_path / "cusdec-j1.edi"
    upload.write_bytes(interchange("BROKER01", "J1"))
    trader = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    sign_in(trader, server, OCEAN)
    trader.get_by_role("link", name="Upload a file").click()
    trader.get_by_label("Interchange file").set_input_files(str(upload))
    trader.get_by_role("button", name="Upload").click()
    trader.locator("main").get_by_role("link", name=re.compile(r"^\d{18}$")).click()
    number = trader.locator("h1").inner_text()
    expect(trader.locator(".summary-list").first).to_contain_text("Documents required")

    # The officer finds it in the queue and claims it.
    sign_in(page, server, OFFICER)
    expect(page.locator("h1")).to_have_text("Work queue")
    page.get_by_label("Held by").select_option("unclaimed")
    page.get_by_role("button", name="Apply filters").click()
    check_page(page)
    screenshot(page, "20-officer-queue")
    page.get_by_role("link", name=number).click()
    page.get_by_role("button", name="Claim this declaration").click()
    expect(page.locator(".banner")).to_contain_text("You hold this declaration now.")
    check_page(page)

    # It asks for a health certificate (after forgetting the due date).
    page.get_by_label("Documents", exact=True).fill("Official health certificate")
    page.locator("#request_reason").fill("Aquatic products from VN (RISK-COM-002)")
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator(".error-summary")).to_contain_text("Enter the due date")
    page.locator(".error-summary").get_by_role("link").click()
    expect(page.locator("#due_on")).to_be_focused()
    due = datetime.now(UTC).date() + timedelta(days=5)  # the server runs on the real clock
    page.locator("#due_on").fill(due.isoformat())
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator(".banner")).to_contain_text("The trader was asked for the documents.")
    screenshot(page, "21-officer-declaration")

    # The trader sees the request and answers it by uploading the certificate.
    certificate = tmp_path / "health-certificate.pdf"
    certificate.write_bytes(b"%PDF-1.4 official health certificate VN-2026-0412")
    trader.reload()
    requests = trader.locator("#requests")
    expect(requests).to_be_visible()
    expect(trader.locator("main")).to_contain_text("Official health certificate")
    check_page(trader)
    trader.get_by_label("Documents to present").set_input_files(str(certificate))
    trader.get_by_role("button", name="Present the documents").click()
    expect(trader.locator(".banner")).to_contain_text("Your documents were presented to customs.")
    screenshot(trader, "22-portal-documents-presented")

    # The officer opens the presented file and releases the goods.
    page.reload()
    with page.expect_download() as presented:
        page.get_by_role("link", name="health-certificate.pdf").click()
    assert Path(presented.value.path()).read_bytes() == certificate.read_bytes()
    page.get_by_label("Release the goods").check()
    page.locator("#reason").fill("Health certificate presented and checked")
    page.get_by_role("button", name="Send decision").click()
    expect(page.locator(".banner")).to_contain_text("Your decision was recorded")
    expect(page.locator(".summary-list").first).to_contain_text("Released")

    # The trader sees the release and the answer sent with it.
    trader.reload()
    expect(trader.locator(".summary-list").first).to_contain_text("Released")
    responses = trader.locator("details")
    # The first CUSRES, the one asking for the documents, and the one after the release.
    expect(responses).to_have_count(3)
    responses.last.locator("summary").click()
    expect(responses.last.locator("pre")).to_contain_text("CUSRES")
    expect(trader.locator(".timeline")).to_contain_text("Health certificate presented and checked")
    check_page(trader)
    screenshot(trader, "23-portal-released")
    trader.context.close()


def test_two_officers_race_to_claim_and_the_second_is_told(
    browser: Browser, page: Page, server: CustomsServe, application: Application
) -> None:
    messages.submit(
        application, LOCAL_OPERATOR, messages.Interchange(interchange("BROKER01", "R1"))
    )
    (number,) = [d.number for d in declarations.list_declarations(application, LOCAL_OPERATOR)]

    # Both open the page while nobody holds it; the first to send wins, the second is told.
    other = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    for officer_page, person in [(page, OFFICER), (other, COLLEAGUE)]:
        sign_in(officer_page, server, person)
        officer_page.goto(f"{server.url}/console/declarations/{number}")
        expect(officer_page.get_by_role("button", name="Claim this declaration")).to_be_visible()
    page.get_by_role("button", name="Claim this declaration").click()
    expect(page.locator(".banner")).to_contain_text("You hold this declaration now.")
    other.get_by_role("button", name="Claim this declaration").click()
    expect(other.locator(".banner")).to_contain_text("Someone else got there first")
    expect(other.locator(".banner")).to_contain_text(OFFICER.name)
    expect(other.get_by_role("button", name="Send decision")).to_have_count(0)
    screenshot(other, "24-officer-claim-lost")
    other.context.close()


def test_claims_sent_at_the_same_moment_have_one_winner(
    server: CustomsServe, application: Application
) -> None:
    messages.submit(
        application, LOCAL_OPERATOR, messages.Interchange(interchange("BROKER01", "R2"))
    )
    (number,) = [d.number for d in declarations.list_declarations(application, LOCAL_OPERATOR)]
    clients = [httpx.Client(base_url=server.url, timeout=30) for _ in range(2)]
    tokens = []
    for client, person in zip(clients, (OFFICER, COLLEAGUE), strict=True):
        form = csrf_token(client.get("/console/sign-in").text)
        data = {"csrf_token": form, "name": person.name, "password": PASSWORD}
        client.post("/console/sign-in", data=data)
        tokens.append(csrf_token(client.get(f"/console/declarations/{number}").text))
    start = threading.Barrier(2)
    banners: list[str] = ["", ""]

    def claim(i: int) -> None:
        start.wait()
        url = f"/console/declarations/{number}/claim"
        clients[i].post(url, data={"csrf_token": tokens[i]})
        page = clients[i].get(f"/console/declarations/{number}").text
        found = re.search(
            r'class="banner__text">([^<]+)</p>\s*(?:<p class="banner__detail">([^<]+))?', page
        )
        banners[i] = " ".join(g for g in (found.groups() if found else ()) if g)

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    holder = case_file.case_file(application, LOCAL_OPERATOR, number).holder
    assert holder in (OFFICER.name, COLLEAGUE.name)
    won = [b for b in banners if "You hold this declaration now." in b]
    lost = [b for b in banners if "Someone else got there first" in b]
    assert len(won) == 1, banners
    assert len(lost) == 1, banners
    assert holder in lost[0]  # the loser is told who holds it
    for client in clients:
        client.close()


def test_an_officer_of_another_office_cannot_reach_the_declaration(
    page: Page, server: CustomsServe, application: Application
) -> None:
    messages.submit(
        application, LOCAL_OPERATOR, messages.Interchange(interchange("BROKER01", "X1"))
    )
    (number,) = [d.number for d in declarations.list_declarations(application, LOCAL_OPERATOR)]
    sign_in(page, server, OTHER_OFFICER)
    expect(page.locator("h1")).to_have_text("Work queue")
    expect(page.get_by_role("link", name=number)).to_have_count(0)
    page.goto(f"{server.url}/console/declarations/{number}")
    expect(page.locator("h1")).to_have_text("Page not found")
    check_page(page)
