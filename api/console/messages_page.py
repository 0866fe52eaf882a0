"""Received files: the dead letters and stuck files a subject may see, processed again from the
browser (issue 15: "a visible dead-letter state an operator can retry … API, console").

A trader or broker sees and retries its own files (the application layer scopes both), the
admin, the service's operator over HTTP, every sender's. Retrying runs the same use case as
``customs messages retry`` and ``POST /v1/submissions/{id}/retry``: of several retries at
once one processes the file, a file that fails again stays failed with nothing half-written.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from api.console.i18n import N_
from api.console.pages import PREFIX, Console
from clearance.app import ConflictError, ProcessingError, Role, messages, queueing

#: Who may have files processed again: senders (their own files) and the admin (anyone's).
RETRIERS = (Role.TRADER, Role.BROKER, Role.ADMIN, Role.OPERATOR)
#: How many files of each list the page shows.
PAGE_ROWS = 100


def add_routes(router: APIRouter, console: Console) -> None:
    """The received-files pages of ``console`` on ``router``."""

    @router.get("/messages")
    def received_files(request: Request) -> Response:
        """The files that failed and that nothing will try again, the stuck ones, and the
        newest received, each linking to its page."""
        visit = console.visit(request)
        actor = visit.actor(*RETRIERS)
        app = console.application
        return visit.render(
            "messages.html",
            dead=queueing.dead_letters(app, actor, limit=PAGE_ROWS),
            stuck=messages.list_stuck(app, actor, limit=PAGE_ROWS),
            recent=messages.list_messages(app, actor, limit=PAGE_ROWS),
        )

    @router.post("/messages/{message_id}/retry")
    def retry(
        request: Request, message_id: int, csrf_token: Annotated[str, Form()] = ""
    ) -> Response:
        """Process a failed or stuck file again; its page then says what became of it."""
        visit = console.visit(request)
        actor = visit.actor(*RETRIERS)
        visit.check_csrf(csrf_token)
        try:
            messages.retry(console.application, actor, message_id)
        except ConflictError as exc:  # processed meanwhile, or not failed nor stuck
            visit.flash(N_("This file was not processed again."), str(exc), problem=True)
        except ProcessingError as exc:  # kept, still failed: the page shows the error
            visit.flash(
                N_("The file failed again. It is kept and can be processed again later."),
                exc.message,
                problem=True,
            )
        else:
            visit.flash(N_("The file was processed again."))
        return visit.redirect(f"{PREFIX}/messages/{message_id}")
