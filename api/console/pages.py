"""What every console page shares: the session of the visit, rendering, redirects, CSRF.

A :class:`Visit` is one request as the pages see it: its signed session (a fresh anonymous one
when the browser has none), the translator of the session's language, and the actor signed in.
Responses made through it carry the session cookie whenever the session changed.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from api.console.authentication import PasswordSignIn, SignInRefusedError
from api.console.codes import label
from api.console.i18n import LANGUAGES, NATIVE_NAMES, Translator, negotiate
from api.console.session import COOKIE, LIFETIME, Session, SessionCodec, signed_in_instant
from clearance.app import Actor, Application, Role

#: Where the console lives in the service's URL space.
PREFIX = "/console"


class SignInRequiredError(Exception):
    """The page needs a signed-in subject; the visitor is sent to the sign-in page."""

    def __init__(self, visit: Visit) -> None:
        super().__init__("sign-in required")
        self.visit = visit


class CsrfError(Exception):
    """A form came without this session's CSRF token (forged, or from an expired page)."""


class WrongRoleError(Exception):
    """The page is for another kind of user (a trader on the officers' queue, say)."""


def templates() -> Environment:
    """The pages' templates: autoescaped HTML, with the console's filters."""
    env = Environment(
        loader=PackageLoader("api.console", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # A fired rule is "RULE@ruleset-version"; the page shows the ruleset version once.
    env.filters["rule_id"] = lambda fired: str(fired).split("@")[0]
    env.filters["percent"] = percent
    env.filters["when"] = when
    return env


@dataclass
class Console:
    """The console of one process: the application, the sign-in, the signer, the templates."""

    application: Application
    password_sign_in: PasswordSignIn
    codec: SessionCodec
    templates: Environment = field(default_factory=lambda: templates())

    def visit(self, request: Request) -> Visit:
        """The visit of ``request``: its session, or a fresh anonymous one."""
        now = datetime.now(UTC)
        session = self.codec.decode(request.cookies.get(COOKIE), now)
        if session is None:
            language = negotiate(request.headers.get("accept-language"))
            return Visit(self, request, Session.anonymous(language, now), changed=True)
        return Visit(self, request, session)


@dataclass
class Visit:
    """One request to the console, with its session."""

    console: Console
    request: Request
    session: Session
    changed: bool = False

    @property
    def translate(self) -> Translator:
        """The translator of the session's language."""
        return Translator(self.session.language)

    @property
    def signed_in(self) -> bool:
        """Whether a subject is signed in."""
        return self.session.subject is not None

    def actor(self, *roles: Role) -> Actor:
        """The actor signed in, as the application layer knows it now.

        :class:`SignInRequiredError` if nobody is signed in or the subject may no longer act
        (disabled since); :class:`WrongRoleError` if ``roles`` are given and the actor has none
        of them (the operator has them all).
        """
        subject = self.session.subject
        if subject is None:
            raise SignInRequiredError(self)
        try:
            actor = self.console.password_sign_in.current(subject, signed_in_instant(self.session))
        except SignInRefusedError:
            self.replace_session(Session.anonymous(self.session.language, datetime.now(UTC)))
            raise SignInRequiredError(self) from None
        if roles and actor.role not in roles and not actor.sees_everything:
            raise WrongRoleError
        return actor

    def replace_session(self, session: Session) -> None:
        """Use ``session`` from now on (sent with the response)."""
        self.session = session
        self.changed = True

    def check_csrf(self, token: str | None) -> None:
        """Refuse (:class:`CsrfError`) a form without this session's token."""
        if not token or not hmac.compare_digest(token.encode(), self.session.csrf.encode()):
            raise CsrfError

    def flash(self, message: str, detail: str = "", *, problem: bool = False) -> None:
        """Show ``message`` (an English message id) and ``detail`` on the next page rendered,
        as a success or, with ``problem``, as something that did not happen."""
        kind = "problem" if problem else "success"
        self.replace_session(self.session.with_flash((kind, message, detail)))

    def render(self, template: str, *, status: int = 200, **context: Any) -> Response:
        """The page ``template`` filled with ``context`` and what every page shows (and the
        message flashed for it, once)."""
        flash = self.session.flash
        if flash is not None:
            self.replace_session(self.session.with_flash(None))
        page = self.console.templates.get_template(template).render(
            flash=flash,
            _=self.translate,
            code=lambda value: self.translate(label(value)) if value else "",
            lang=self.session.language,
            languages=[(code, NATIVE_NAMES[code]) for code in LANGUAGES],
            session=self.session,
            csrf_token=self.session.csrf,
            prefix=PREFIX,
            path=self.request.url.path,
            here=_here(self.request),
            **context,
        )
        return self._with_cookie(HTMLResponse(page, status_code=status))

    def redirect(self, url: str) -> Response:
        """See Other: the Post/Redirect/Get step after every form."""
        return self._with_cookie(RedirectResponse(url, status_code=303))

    def sign_in_redirect(self) -> Response:
        """To the sign-in page, coming back here afterwards."""
        return self.redirect(f"{PREFIX}/sign-in?next={quote(_here(self.request), safe='')}")

    def _with_cookie(self, response: Response) -> Response:
        if self.changed:
            response.set_cookie(
                COOKIE,
                self.console.codec.encode(self.session),
                max_age=int(LIFETIME.total_seconds()),
                path=PREFIX,
                httponly=True,
                samesite="lax",
                secure=self.request.url.scheme == "https",
            )
        response.headers["Cache-Control"] = "no-store"  # pages hold tenant data
        return response


def when(instant: object, utc: bool = True) -> str:
    """An instant of the application layer (ISO 8601 text) as people read it, in UTC to the
    second: ``2026-12-07 12:04:06 UTC`` (without " UTC" where the column says so). Text that
    is not an instant is shown as it is."""
    if instant in (None, ""):
        return ""
    try:
        moment = datetime.fromisoformat(str(instant))
    except ValueError:
        return str(instant)
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return f"{moment:%Y-%m-%d %H:%M:%S}" + (" UTC" if utc else "")


def percent(ratio: str) -> str:
    """A ratio given as decimal text as a percentage, exactly (``"0.05"`` → ``"5"``)."""
    value = Decimal(ratio) * 100
    return f"{value.normalize():f}"


def safe_next(target: str | None) -> str:
    """``target`` if it is a page of the console, else the console's start (no open redirect)."""
    local = target is not None and target.startswith(f"{PREFIX}/")
    if local and "\\" not in str(target) and "://" not in str(target):
        return str(target)
    return f"{PREFIX}/"


def _here(request: Request) -> str:
    """The page the visitor is on, as an address to come back to with GET: the request's own
    for a GET; for a form sent (a POST answered with its page again, errors say), the page the
    form was on (the same-origin ``Referer``), else the console's start: the form's own address
    answers only POST, so the language switch or a sign-in must not lead back to it."""
    if request.method in ("GET", "HEAD"):
        query = request.url.query
        return request.url.path + (f"?{query}" if query else "")
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc == request.url.netloc and referer.path.startswith(f"{PREFIX}/"):
        return referer.path + (f"?{referer.query}" if referer.query else "")
    return f"{PREFIX}/"
