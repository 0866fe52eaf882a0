"""Browser journeys: Playwright driving Debian's chromium against a live console on loopback.

Playwright cannot download its own browsers here; it drives ``/usr/bin/chromium`` (CI installs
it, ``.ci/run``). Without it the journeys are skipped, saying so. Screenshots of the pages go to
``artifacts/console/`` (git-ignored; ``CUSTOMS_ARTIFACTS`` moves it).
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = Path(os.environ.get("CUSTOMS_CHROMIUM", "/usr/bin/chromium"))
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("CUSTOMS_ARTIFACTS", ROOT / "artifacts")) / "console"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless chromium, one for the whole run."""
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


class LiveServer:
    """A uvicorn server on a loopback port in a thread of the test process."""

    def __init__(self, app: FastAPI) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self._ready = threading.Event()
        config = uvicorn.Config(app, log_level="warning", lifespan="off")
        self._server = _SignallingServer(config, self._ready)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self._thread.start()
        if not self._ready.wait(timeout=30):
            raise RuntimeError("the console server did not start within 30 s")
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)
        self._socket.close()


class _SignallingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, ready: threading.Event) -> None:
        super().__init__(config)
        self._ready_event = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self._ready_event.set()


def screenshot(page: Page, name: str) -> Path:
    """Write a full-page screenshot of ``page`` to the artifacts folder."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
