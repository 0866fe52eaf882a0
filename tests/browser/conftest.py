"""Browser journeys: Playwright driving Debian's chromium against a live ``customs serve``.

Playwright cannot download its own browsers here; it drives ``/usr/bin/chromium`` (CI installs
it, ``.ci/run``). Without it the journeys are skipped, saying so. Screenshots of the pages go to
``artifacts/console/`` (git-ignored; ``CUSTOMS_ARTIFACTS`` moves it).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import Engine

from clearance.app import Application
from tests.console_support import PASSWORD, Person

CHROMIUM = Path(os.environ.get("CUSTOMS_CHROMIUM", "/usr/bin/chromium"))
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("CUSTOMS_ARTIFACTS", ROOT / "artifacts")) / "console"


# Package scope, not session: Playwright's sync API keeps an asyncio loop marked running in the
# main thread while it is started, and every later test that runs a loop of its own
# (asyncio.run, run_until_complete) then fails; ended with this package, it leaves none behind.
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Headless chromium, one for the browser tests."""
    if not CHROMIUM.exists():
        pytest.skip(f"no chromium at {CHROMIUM} (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) and page."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


CUSTOMS = Path(sys.executable).parent / "customs"
#: How long ``customs serve`` may take to start before the test gives up (a bound, not a wait).
START_LIMIT = 60.0


class CustomsServe:
    """``customs serve`` as an operator runs it, on a free loopback port, over ``engine``'s
    database: started, waited for (its own "listening" log line, then /readyz), stopped."""

    def __init__(self, engine: Engine, workdir: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port: int = probe.getsockname()[1]
        self._env = {
            **os.environ,
            "CUSTOMS_DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "CUSTOMS_CONSOLE_SECRET": "browser-journeys",
        }
        self._workdir = workdir
        self._process: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> CustomsServe:
        command = [str(CUSTOMS), "serve", "--port", str(self.port), "--log-level", "info"]
        process = subprocess.Popen(
            command,
            cwd=self._workdir,
            env=self._env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._process = process
        # A watchdog ends a server that never gets to listening, so the read cannot hang.
        watchdog = threading.Timer(START_LIMIT, process.kill)
        watchdog.start()
        log: list[str] = []
        assert process.stderr is not None
        try:
            for line in process.stderr:
                log.append(line)
                if "Uvicorn running on" in line:
                    break
            else:
                raise RuntimeError("customs serve stopped before listening:\n" + "".join(log))
        finally:
            watchdog.cancel()
        # Keep reading its log so a full pipe never blocks the server.
        threading.Thread(target=process.stderr.read, daemon=True).start()
        assert httpx.get(f"{self.url}/readyz", timeout=10).status_code == 200
        return self

    def __exit__(self, *exc: object) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=30)


@pytest.fixture
def server(engine: Engine, tmp_path: Path, application: Application) -> Iterator[CustomsServe]:
    """``customs serve`` over the test database, once ``application`` (each test module's
    fixture: subjects and declarations) has filled it."""
    with CustomsServe(engine, tmp_path) as live:
        yield live


def screenshot(page: Page, name: str) -> Path:
    """Write a full-page screenshot of ``page`` to the artifacts folder."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Page, server: CustomsServe, person: Person) -> None:
    """Sign ``person`` in on the console's sign-in page (the shared password)."""
    page.goto(f"{server.url}/console/sign-in")
    page.get_by_label("User name").fill(person.name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
