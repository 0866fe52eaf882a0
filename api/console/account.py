"""Signing in and out, the start page, and the choice of language."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from api.console.authentication import SignInRefusedError
from api.console.forms import FieldError
from api.console.i18n import LANGUAGES, N_
from api.console.pages import PREFIX, Console, safe_next
from api.console.session import Session, posix_microseconds, signed_in_instant
from clearance.app import Role, subjects

#: Where each role starts: the page of its work in the console. Roles whose work the console
#: has no pages for (admins, the FX authority) start at their account page, which says where
#: that work is done.
START_PAGES: dict[Role, str] = {
    Role.OPERATOR: "/portal",
    Role.TRADER: "/portal",
    Role.BROKER: "/portal",
    Role.OFFICER: "/queue",
    Role.SUPERVISOR: "/queue",
    Role.STATISTICIAN: "/statistics",
    Role.AGENCY: "/issued",
    Role.ADMIN: "/account",
    Role.FX_AUTHORITY: "/account",
}


def add_routes(router: APIRouter, console: Console) -> None:
    """The account pages of ``console`` on ``router``."""

    @router.get("/")
    def start(request: Request) -> Response:
        """Each role starts at its work: officers at the queue, traders and brokers at their
        declarations, statisticians at the statistics, agencies at the licences they issued,
        the others at their account."""
        visit = console.visit(request)
        if not visit.signed_in:
            return visit.sign_in_redirect()
        actor = visit.actor()
        return visit.redirect(PREFIX + START_PAGES.get(actor.role, "/account"))

    @router.get("/account")
    def account(request: Request) -> Response:
        """Who is signed in: name, role, party ids, offices; and where its work is done."""
        visit = console.visit(request)
        actor = visit.actor()
        identity = subjects.describe(console.application, actor)
        return visit.render(
            "account.html",
            identity=identity,
            console_work=START_PAGES.get(actor.role, "/account") != "/account",
        )

    @router.get("/sign-in")
    def sign_in_page(
        request: Request,
        next: str | None = None,
        signed_out: int = 0,
    ) -> Response:
        """The sign-in form (with a banner after signing out)."""
        visit = console.visit(request)
        return visit.render(
            "sign_in.html",
            request_signed_out=bool(signed_out),
            next=safe_next(next),
            name="",
            errors=[],
        )

    @router.post("/sign-in")
    def sign_in(
        request: Request,
        csrf_token: Annotated[str, Form()] = "",
        name: Annotated[str, Form()] = "",
        password: Annotated[str, Form()] = "",
        next: Annotated[str, Form()] = "",
    ) -> Response:
        """Check the name and password; a fresh session for the subject, or the form again."""
        visit = console.visit(request)
        visit.check_csrf(csrf_token)
        errors = []
        if not name.strip():
            errors.append(FieldError("name", N_("Enter your user name")))
        if not password:
            errors.append(FieldError("password", N_("Enter your password")))
        if not errors:
            try:
                actor, at = console.password_sign_in.sign_in(name.strip(), password)
            except SignInRefusedError:
                # One answer for an unknown name, a wrong password or a disabled subject.
                errors.append(FieldError("name", N_("The user name or password is not right")))
            else:
                visit.replace_session(
                    visit.session.signed_in(
                        subject=actor.subject,
                        role=actor.role.value,
                        name=subjects.describe(console.application, actor).name,
                        signed_in_at=posix_microseconds(at),
                    )
                )
                return visit.redirect(safe_next(next))
        return visit.render(
            "sign_in.html",
            status=400,
            next=safe_next(next),
            name=name,
            errors=errors,
        )

    @router.post("/sign-out")
    def sign_out(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
        """End the subject's sessions (also copies of this cookie) and start a fresh anonymous
        session in the same language."""
        visit = console.visit(request)
        visit.check_csrf(csrf_token)
        subject = visit.session.subject
        if subject is not None:
            console.password_sign_in.sign_out(subject, signed_in_instant(visit.session))
        language = visit.session.language
        visit.replace_session(Session.anonymous(language, datetime.now(UTC)))
        return visit.redirect(f"{PREFIX}/sign-in?signed_out=1")

    @router.post("/language")
    def choose_language(
        request: Request,
        csrf_token: Annotated[str, Form()] = "",
        language: Annotated[str, Form()] = "",
        next: Annotated[str, Form()] = "",
    ) -> Response:
        """Show the console in another language from now on."""
        visit = console.visit(request)
        visit.check_csrf(csrf_token)
        if language in LANGUAGES:
            visit.replace_session(visit.session.with_language(language))
        return visit.redirect(safe_next(next))
