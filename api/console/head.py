"""HEAD on the console's pages: answered as GET is, without the body.

HTTP has every GET answer HEAD the same way, with the same status and headers (RFC 9110, 9.3.2);
FastAPI's routes declared for GET do not, and a link checker or a monitor asking HEAD got 405.
One pure ASGI layer, for every address under ``/console`` (pages, static files, the error
pages): a HEAD request goes in as a GET and only the answer's start (status, headers, its
``Content-Length`` included) comes out; the body is dropped. A page's GET must therefore have no
effect beyond a GET's (none has: every change is a POST behind a CSRF token).

The JSON API is left as it is (HEAD is 405 there): it is documented by its OpenAPI description,
which lists no HEAD, and checked against it with schemathesis; ``prefix`` is the one place that
would widen this to it.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.console.pages import PREFIX


class HeadAsGet:
    """Answer ``HEAD`` under ``prefix`` as ``GET``, without the body."""

    def __init__(self, app: ASGIApp, prefix: str = PREFIX) -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Hand a HEAD under the prefix on as a GET whose body is not sent; anything else as is."""
        if scope["type"] != "http" or scope["method"] != "HEAD" or not self._under(scope["path"]):
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] != "http.response.body":
                await send(message)
            elif not message.get("more_body", False):
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        await self.app({**scope, "method": "GET"}, receive, without_body)

    def _under(self, path: str) -> bool:
        return path == self.prefix or path.startswith(self.prefix + "/")
