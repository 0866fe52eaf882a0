"""Every role that signs in lands on a page of its work, in English and Chinese: never a 403 or
a 404, nor an empty trader portal."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from clearance.app import Actor, Application, Role
from core.clock import FixedClock
from core.settings import Settings
from tests.console_support import PASSWORD, console_app, csrf_token, table_sign_in
from tests.integration.test_controls_support import INSTANT, prepare

pytestmark = pytest.mark.db

PEOPLE = (
    Actor("ocean", Role.TRADER, party_ids=frozenset({"BROKER01"})),
    Actor("broker", Role.BROKER, party_ids=frozenset({"BROKER09"})),
    Actor("li", Role.OFFICER, offices=frozenset({"2201"})),
    Actor("chen", Role.SUPERVISOR, offices=frozenset({"2201"})),
    Actor("mofcom-sh", Role.AGENCY, party_ids=frozenset({"MOFCOM Shanghai"})),
    Actor("stats", Role.STATISTICIAN),
    Actor("safe", Role.FX_AUTHORITY),
    Actor("root", Role.ADMIN),
)


@pytest.fixture
def application(engine: Engine) -> Application:
    prepare(engine)  # the sample registries: licences issued by MOFCOM Shanghai and others
    return Application(engine, Settings(), FixedClock(INSTANT))


def _land(application: Application, name: str, language: str = "en") -> tuple[str, int, str]:
    """Sign ``name`` in and follow the redirects: the page it lands on."""
    client = TestClient(
        console_app(application, sign_in=table_sign_in(PEOPLE)),
        headers={"Accept-Language": language},
    )
    token = csrf_token(client.get("/console/sign-in").text)
    page = client.post(
        "/console/sign-in", data={"csrf_token": token, "name": name, "password": PASSWORD}
    )
    return page.url.path, page.status_code, page.text


@pytest.mark.parametrize(
    ("name", "path", "heading"),
    [
        ("ocean", "/console/portal", "Your declarations"),
        ("broker", "/console/portal", "Your declarations"),
        ("li", "/console/queue", "Work queue"),
        ("chen", "/console/queue", "Work queue"),
        ("mofcom-sh", "/console/issued", "Licences you issued"),
        ("stats", "/console/statistics", "Trade statistics"),
        ("safe", "/console/account", "Your account"),
        ("root", "/console/account", "Your account"),
    ],
)
def test_each_role_lands_on_a_page_of_its_work(
    application: Application, name: str, path: str, heading: str
) -> None:
    landed, status, html = _land(application, name)
    assert (landed, status, _h1(html)) == (path, 200, heading)


def test_an_agency_sees_the_licences_it_issued_and_no_others(application: Application) -> None:
    _, _, html = _land(application, "mofcom-sh")
    assert "26-AA-310045" in html  # issued by MOFCOM Shanghai
    assert "91310000MA1FL0XQ8W" in html  # its holder
    assert "26-AO-320118" not in html  # issued by MOFCOM Jiangsu


def test_roles_without_console_pages_are_told_where_their_work_is_done(
    application: Application,
) -> None:
    _, _, html = _land(application, "safe")
    assert "Foreign exchange authority" in html
    assert "The console has no pages for your role." in html
    _, status, chinese = _land(application, "root", "zh-CN")
    assert status == 200
    assert _h1(chinese) == "您的账户"
    assert "管理员" in chinese
    _, _, trader = _land(application, "ocean")
    assert "The console has no pages for your role." not in trader


def _h1(html: str) -> str:
    found = re.findall(r"<h1[^>]*>([^<]*)</h1>", html)
    assert len(found) == 1, found
    return str(found[0]).strip()
