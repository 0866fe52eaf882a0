"""What the console answers when a request cannot be served: its own error pages (HTML, in the
session's language), never the API's JSON problems."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import pytest
from fastapi.testclient import TestClient
from httpx import ASGITransport, AsyncClient, Response
from sqlalchemy import Engine

from api import problems
from api.console import routing
from clearance.app import LOCAL_OPERATOR, Application, messages
from core.clock import FixedClock
from core.settings import Settings
from tests.console_support import OCEAN, PASSWORD, console_app, csrf_token, interchange

pytestmark = pytest.mark.db


@pytest.fixture
def application(engine: Engine, clock: FixedClock) -> Application:
    app = Application(engine, Settings(), clock)
    messages.submit(app, LOCAL_OPERATOR, messages.Interchange(interchange("BROKER01", "ER1")))
    return app


def _client(application: Application, language: str = "en") -> TestClient:
    app = console_app(application)
    problems.install(app)  # as in the service: the API answers its errors as problem+json
    client = TestClient(app, headers={"Accept-Language": language})
    token = csrf_token(client.get("/console/sign-in").text)
    client.post(
        "/console/sign-in", data={"csrf_token": token, "name": OCEAN.name, "password": PASSWORD}
    )
    return client


def _page(answer: Response) -> str:
    assert answer.headers["content-type"].startswith("text/html"), answer.text[:200]
    found = re.findall(r"<h1[^>]*>([^<]*)</h1>", answer.text)
    assert len(found) == 1, found
    return str(found[0]).strip()


def test_a_form_over_the_size_limit_is_the_too_large_page_and_nothing_is_stored(
    application: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(routing, "BODY_MAX_BYTES", 64 * 1024)
    before = len(messages.list_messages(application, LOCAL_OPERATOR))
    for language, title in [("en", "The file is too large"), ("zh-CN", "文件过大")]:
        client = _client(application, language)
        token = csrf_token(client.get("/console/portal/upload").text)
        answer = client.post(
            "/console/portal/upload",
            data={"csrf_token": token},
            files={"file": ("big.edi", b"x" * (128 * 1024), "application/octet-stream")},
        )
        assert answer.status_code == 413
        assert _page(answer) == title
    assert len(messages.list_messages(application, LOCAL_OPERATOR)) == before


async def _upload_chunked(
    application: Application, file_size: int, chunk: int = 4096
) -> tuple[Response, int]:
    """Sign in and upload a ``file_size``-byte file as a chunked body (no Content-Length),
    ``chunk`` bytes a piece; the answer and how many bytes of the body were taken."""
    app = console_app(application)
    transport = ASGITransport(app=app)
    async with AsyncClient(transport=transport, base_url="http://testserver") as client:
        token = csrf_token((await client.get("/console/sign-in")).text)
        await client.post(
            "/console/sign-in",
            data={"csrf_token": token, "name": OCEAN.name, "password": PASSWORD},
        )
        token = csrf_token((await client.get("/console/portal/upload")).text)
        boundary = "chunkedboundary"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f"{token}\r\n--{boundary}\r\n"
            'Content-Disposition: form-data; name="file"; filename="big.edi"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        content = interchange("BROKER01", "CH1") if file_size == 0 else b"x" * file_size
        taken = 0

        async def body() -> AsyncIterator[bytes]:
            nonlocal taken
            for piece in [head, *(content[i : i + chunk] for i in range(0, len(content), chunk))]:
                taken += len(piece)
                yield piece
            taken += len(tail)
            yield tail

        answer = await client.post(
            "/console/portal/upload",
            content=body(),
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        assert "content-length" not in answer.request.headers
        assert answer.request.headers["transfer-encoding"] == "chunked"
        await answer.aread()
        return answer, taken


def test_a_chunked_form_over_the_size_limit_is_refused_as_it_is_read(
    application: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(routing, "BODY_MAX_BYTES", 64 * 1024)
    monkeypatch.setattr(routing, "DRAIN_MAX_BYTES", 256 * 1024)
    before = len(messages.list_messages(application, LOCAL_OPERATOR))
    size = 4 * 1024 * 1024

    answer, taken = asyncio.run(_upload_chunked(application, size))

    assert answer.status_code == 413
    assert _page(answer) == "The file is too large"
    # Read in pieces and given up at the limit: what the client was still sending is thrown
    # away up to the drain limit, never all of it, and nothing is stored.
    assert taken <= 256 * 1024 + 2 * 4096 < size
    assert len(messages.list_messages(application, LOCAL_OPERATOR)) == before

    # A chunked upload within the limit is taken as any other.
    answer, _ = asyncio.run(_upload_chunked(application, 0))
    assert answer.status_code == 303, answer.text
    assert len(messages.list_messages(application, LOCAL_OPERATOR)) == before + 1


def test_an_invalid_address_or_form_is_the_console_page_not_json(
    application: Application,
) -> None:
    client = _client(application)
    token = csrf_token(client.get("/console/portal/upload").text)
    for answer in [
        client.get("/console/messages/not-a-number"),
        client.get("/console/sign-in?signed_out=yes"),
        client.post("/console/portal/upload", data={"csrf_token": token, "file": "not a file"}),
    ]:
        assert answer.status_code == 422
        assert _page(answer) == "The form or address is not valid"
        assert "Signed in as" in answer.text  # the session's page, with its header
    chinese = _client(application, "zh-CN").get("/console/messages/not-a-number")
    assert (chinese.status_code, _page(chinese)) == (422, "表单或地址无效")


def test_a_form_that_cannot_be_read_is_a_console_page(application: Application) -> None:
    client = _client(application)
    answer = client.post(
        "/console/portal/upload",
        content=b"--x\r\nnot a multipart body",
        headers={"Content-Type": "multipart/form-data; boundary=x"},
    )
    assert answer.status_code == 400
    assert _page(answer) == "The form could not be read"


def test_an_address_under_the_console_that_names_no_page_is_not_found(
    application: Application,
) -> None:
    client = _client(application)
    for answer in [client.get("/console/no-such-page"), client.put("/console/no-such-page")]:
        assert answer.status_code == 404
        assert _page(answer) == "Page not found"
        assert "allow" not in answer.headers
    assert client.get("/console/static/console.css").status_code == 200  # still served


def test_a_page_asked_with_a_method_it_does_not_answer_is_405_with_allow(
    application: Application,
) -> None:
    # As the API answers a wrong method (405 and Allow), in the console's own page.
    client = _client(application)
    for method, path, allow in [
        ("PUT", "/console/portal", "GET, HEAD"),
        ("DELETE", "/console/messages/1", "GET, HEAD"),
        ("GET", "/console/sign-out", "POST"),
        ("HEAD", "/console/sign-out", "POST"),  # HEAD is GET's: not where only POST is
        ("PATCH", "/console/portal/upload", "GET, HEAD, POST"),
    ]:
        answer = client.request(method, path)
        assert answer.status_code == 405, (method, path)
        assert answer.headers["allow"] == allow, (method, path)
        if method != "HEAD":
            assert _page(answer) == "This method is not allowed"
            assert "Signed in as" in answer.text  # the session's page, with its header
    chinese = _client(application, "zh-CN").put("/console/portal")
    assert (chinese.status_code, _page(chinese)) == (405, "不允许此请求方法")


def _asgi(client: TestClient, method: str, path: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and every body byte the application sends (the test clients drop a
    HEAD answer's body themselves, so they cannot show that the service sends none)."""
    sent: list[dict[str, object]] = []
    cookies = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"cookie", cookies.encode())],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }

    requested: list[bool] = []

    async def receive() -> dict[str, object]:
        if not requested:  # the (empty) body once; then, as a client still there, nothing
            requested.append(True)
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    asyncio.run(client.app(scope, receive, send))  # type: ignore[arg-type]
    (start,) = [m for m in sent if m["type"] == "http.response.start"]
    body = b"".join(bytes(m.get("body", b"")) for m in sent if m["type"] == "http.response.body")  # type: ignore[call-overload]
    headers = {k.decode(): v.decode() for k, v in start["headers"]}  # type: ignore[attr-defined]
    return int(start["status"]), headers, body  # type: ignore[call-overload]


#: Headers that differ between two answers of the same page (the session cookie is re-signed).
_PER_ANSWER = {"set-cookie", "date"}


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/console/portal", 200),
        ("/console/messages", 200),
        ("/console/static/console.css", 200),
        ("/console/no-such-page", 404),
        ("/console/messages/999999", 404),
    ],
)
def test_head_on_a_console_address_is_its_get_without_the_body(
    application: Application, path: str, status: int
) -> None:
    client = _client(application)
    get_status, get_headers, get_body = _asgi(client, "GET", path)
    head_status, head_headers, head_body = _asgi(client, "HEAD", path)
    assert (get_status, head_status) == (status, status)
    assert get_body and head_body == b""
    same = {k: v for k, v in get_headers.items() if k not in _PER_ANSWER}
    assert {k: v for k, v in head_headers.items() if k not in _PER_ANSWER} == same
    assert int(head_headers["content-length"]) == len(get_body)


def test_head_on_a_page_signed_out_is_the_same_redirect_as_get(application: Application) -> None:
    client = TestClient(console_app(application), follow_redirects=False)
    for path in ["/console/portal", "/console/messages/1"]:
        got, head = client.get(path), client.head(path)
        assert got.status_code in (302, 303)
        assert (head.status_code, head.headers["location"]) == (
            got.status_code,
            got.headers["location"],
        )
        assert head.content == b""


def test_a_post_to_a_static_file_is_the_console_s_405_page(application: Application) -> None:
    client = _client(application)
    answer = client.post("/console/static/console.css")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, HEAD"
    assert _page(answer) == "This method is not allowed"
