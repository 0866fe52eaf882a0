"""The officers' console: the work queue and the decision on a flagged declaration.

Every action is a plain form answered with Post/Redirect/Get: the declaration page shows the
outcome in a banner. A decision carries the declaration version the officer saw; when the
declaration moved on meanwhile the use case refuses it (``ConflictError``) and the page says so.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from api.console.declaration_page import DECISIONS, render_declaration
from api.console.forms import FieldError
from api.console.pages import PREFIX, Console
from clearance.app import ConflictError, RefusedError, Role, officer

OFFICERS = (Role.OFFICER,)


def add_routes(router: APIRouter, console: Console) -> None:
    """The officer pages of ``console`` on ``router``."""

    @router.get("/queue")
    def work_queue(request: Request) -> Response:
        """The declarations of the officer's offices that wait for an officer."""
        visit = console.visit(request)
        actor = visit.actor(*OFFICERS)
        entries = officer.queue(console.application, actor)
        return visit.render("officer/queue.html", entries=entries)

    @router.post("/declarations/{number}/decision")
    def decide(
        request: Request,
        number: str,
        csrf_token: Annotated[str, Form()] = "",
        action: Annotated[str, Form()] = "",
        reason: Annotated[str, Form()] = "",
        version: Annotated[int | None, Form()] = None,
    ) -> Response:
        """Release, reject or re-route ``number`` with a reason, at the version seen."""
        visit = console.visit(request)
        actor = visit.actor(*OFFICERS)
        visit.check_csrf(csrf_token)
        errors = []
        if action not in DECISIONS:
            errors.append(FieldError("action", "Choose a decision"))
        if not reason.strip():
            errors.append(FieldError("reason", "Give the reason for the decision"))
        if errors:
            form = {"action": action, "reason": reason}
            return render_declaration(visit, number, errors=errors, form=form, status=400)
        command = officer.Decide.model_validate(
            {"action": action, "reason": reason.strip(), "version": version}
        )
        try:
            officer.decide(console.application, actor, number, command)
        except ConflictError as exc:
            visit.flash(
                "The declaration changed since you opened it: nothing was decided.",
                str(exc),
                problem=True,
            )
        except RefusedError as exc:
            visit.flash("The decision could not be taken.", str(exc), problem=True)
        else:
            visit.flash("Your decision was recorded and the trader was answered.")
        return visit.redirect(f"{PREFIX}/declarations/{number}")
