"""The officer console and the trader portal: server-rendered pages over the application layer.

Plain HTML forms with Post/Redirect/Get (no JavaScript needed), a signed session cookie, a CSRF
token on every form, English and Chinese per user. Mounted by the HTTP service in the same
process as the API::

    from api import console
    console.mount(app, application)   # api.asgi.build() does this

Pages call the use cases of :mod:`clearance.app` with the signed-in :class:`Actor`; tenancy is
the application layer's, so another tenant's declaration is the "page not found" page.
"""

from __future__ import annotations

import secrets
from importlib import resources

from fastapi import FastAPI

from api.console import (
    account,
    messages_page,
    officer_pages,
    portal,
    searching,
    statistics_page,
    uploads,
)
from api.console.authentication import PasswordSignIn, from_application
from api.console.head import HeadAsGet
from api.console.pages import PREFIX, Console
from api.console.routing import ConsoleStatic, add_not_found, console_router
from api.console.session import SessionCodec
from clearance.app import Application


def mount(
    app: FastAPI,
    application: Application | None = None,
    *,
    secret: str | None = None,
    password_sign_in: PasswordSignIn | None = None,
) -> Console:
    """Serve the console under ``/console`` of ``app``.

    ``application`` defaults to the one the API keeps in ``app.state.application``.
    ``secret`` signs the session cookies (``CUSTOMS_CONSOLE_SECRET``); without one, a random
    secret of this process is used and sessions end when it stops. ``password_sign_in``
    defaults to the identity use cases of the application layer.
    """
    if application is None:
        application = app.state.application
        assert isinstance(application, Application), "mount the console after the API's state"
    key = (secret or application.settings.console_secret or secrets.token_urlsafe(32)).encode()
    console = Console(
        application=application,
        password_sign_in=password_sign_in or from_application(application),
        codec=SessionCodec(key),
    )
    router = console_router(console)
    account.add_routes(router, console)
    portal.add_routes(router, console)
    uploads.add_routes(router, console)
    messages_page.add_routes(router, console)
    searching.add_routes(router, console)
    officer_pages.add_routes(router, console)
    statistics_page.add_routes(router, console)
    app.include_router(router)
    static = resources.files("api.console").joinpath("static")
    app.mount(f"{PREFIX}/static", ConsoleStatic(console, static), name="console-static")
    add_not_found(app, console, router)  # last: only what no page or static file answers
    app.add_middleware(HeadAsGet)  # HEAD as GET without the body, for every console address
    return console


__all__ = ["Console", "PasswordSignIn", "mount"]
