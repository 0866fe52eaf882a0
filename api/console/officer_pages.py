"""The officers' console: the work queue, claims, requests for documents, examinations and the
decision on a flagged declaration.

Every action is a plain form answered with Post/Redirect/Get: the declaration page then shows
the outcome once, in a banner. Fields a person left empty or mistyped are named in an error
summary on the page sent back (status 400, nothing changed); what the application layer refuses
(another officer holds the declaration, a newer version, a container number that fails its
check digit) is told in the banner in its own words, e.g. who holds the declaration.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from api.console.declaration_page import (
    DECISIONS,
    EXAMINATION_KINDS,
    OUTCOMES,
    render_declaration,
)
from api.console.forms import FieldError
from api.console.i18n import N_
from api.console.pages import PREFIX, Console, Visit
from clearance.app import (
    OFFICE_ROLES,
    ConflictError,
    RefusedError,
    officer,
    officer_requests,
    officer_work,
    rebates,
)

#: The queue's filters and their choices (the English labels are translated on the page).
LANES = ("red", "yellow", "blue", "green")
CLAIMED = {
    "any": N_("Anyone's or nobody's"),
    "mine": N_("Held by me"),
    "unclaimed": N_("Held by nobody"),
}
SORTS = {
    "oldest": N_("Oldest first"),
    "newest": N_("Newest first"),
    "lane": N_("By lane"),
    "number": N_("By number"),
}
Field = Annotated[str, Form()]


def add_routes(router: APIRouter, console: Console) -> None:
    """The officer pages of ``console`` on ``router``."""

    @router.get("/queue")
    def work_queue(
        request: Request,
        office: str = "",
        lane: str = "",
        claimed: str = "any",
        sort: str = "oldest",
    ) -> Response:
        """The declarations of the officer's offices that wait for an officer, filtered."""
        visit = console.visit(request)
        actor = visit.actor(*OFFICE_ROLES)
        fields: dict[str, Any] = {"sort": sort if sort in SORTS else "oldest"}
        if office in actor.offices:
            fields["offices"] = [office]
        if lane in LANES:
            fields["lanes"] = [lane]
        if claimed == "mine":
            fields["claimed_by"] = actor.subject
        elif claimed == "unclaimed":
            fields["unclaimed"] = True
        queue = officer_work.queue(console.application, actor, officer_work.queue_filter(**fields))
        return visit.render(
            "officer/queue.html",
            queue=queue,
            offices=sorted(actor.offices),
            lanes=LANES,
            claims=CLAIMED,
            sorts=SORTS,
            chosen={"office": office, "lane": lane, "claimed": claimed, "sort": fields["sort"]},
        )

    @router.post("/declarations/{number}/claim")
    def claim(request: Request, number: str, csrf_token: Field = "") -> Response:
        """Take the declaration: the officer holds it until it is decided or released."""
        return _act(
            console,
            request,
            number,
            csrf_token,
            lambda visit, actor: officer_work.claim(console.application, actor, number),
            N_("You hold this declaration now."),
        )

    @router.post("/declarations/{number}/unclaim")
    def unclaim(request: Request, number: str, csrf_token: Field = "") -> Response:
        """Give the declaration back to the queue."""
        return _act(
            console,
            request,
            number,
            csrf_token,
            lambda visit, actor: officer_work.unclaim(console.application, actor, number),
            N_("You no longer hold this declaration."),
        )

    @router.post("/declarations/{number}/reassign")
    def reassign(
        request: Request,
        number: str,
        csrf_token: Field = "",
        to: Field = "",
        reassign_reason: Field = "",
    ) -> Response:
        """A supervisor gives the declaration to another officer."""
        errors = _required(
            {
                "to": (to, N_("Enter the officer to give it to")),
                "reassign_reason": (reassign_reason, N_("Give the reason for reassigning it")),
            }
        )
        command = {"to": to.strip(), "reason": reassign_reason.strip()}
        return _act(
            console,
            request,
            number,
            csrf_token,
            lambda visit, actor: officer_work.reassign(
                console.application, actor, number, officer_work.Reassign.model_validate(command)
            ),
            N_("The declaration was given to another officer."),
            errors=errors,
            form={"to": to, "reassign_reason": reassign_reason},
        )

    @router.post("/declarations/{number}/request-documents")
    def request_documents(
        request: Request,
        number: str,
        csrf_token: Field = "",
        documents: Field = "",
        request_reason: Field = "",
        due_on: Field = "",
        version: Annotated[int | None, Form()] = None,
    ) -> Response:
        """Ask the trader for documents; it is told in its own format and in the portal."""
        names = [line.strip() for line in documents.splitlines() if line.strip()]
        errors = _required(
            {
                "documents": (" ".join(names), N_("Name at least one document")),
                "request_reason": (request_reason, N_("Give the reason for the request")),
            }
        )
        due = _date(due_on)
        if due is None:
            errors.append(FieldError("due_on", N_("Enter the due date as a date, like 2026-12-31")))

        def run(visit: Visit, actor: Any) -> object:
            assert due is not None
            command = officer_requests.RequestDocuments(
                documents=names, reason=request_reason.strip(), due_on=due, version=version
            )
            return officer_requests.request_documents(console.application, actor, number, command)

        return _act(
            console,
            request,
            number,
            csrf_token,
            run,
            N_("The trader was asked for the documents."),
            errors=errors,
            form={"documents": documents, "request_reason": request_reason, "due_on": due_on},
        )

    @router.post("/declarations/{number}/examination")
    def examination(
        request: Request,
        number: str,
        csrf_token: Field = "",
        kind: Field = "",
        outcome: Field = "",
        findings: Field = "",
        containers: Field = "",
        seals: Field = "",
        version: Annotated[int | None, Form()] = None,
    ) -> Response:
        """Record what an examination of the goods or documents found."""
        errors = []
        if kind not in EXAMINATION_KINDS:
            errors.append(FieldError("kind", N_("Choose the kind of examination")))
        if outcome not in OUTCOMES:
            errors.append(FieldError("outcome", N_("Choose the outcome")))
        errors += _required({"findings": (findings, N_("Describe what was found"))})

        def run(visit: Visit, actor: Any) -> object:
            command = officer_requests.Examine.model_validate(
                {
                    "kind": kind,
                    "outcome": outcome,
                    "findings": findings.strip(),
                    "containers": _lines(containers),
                    "seals": _lines(seals),
                    "version": version,
                }
            )
            return officer_requests.record_examination(console.application, actor, number, command)

        return _act(
            console,
            request,
            number,
            csrf_token,
            run,
            N_("The examination was recorded."),
            errors=errors,
            form={
                "kind": kind,
                "outcome": outcome,
                "findings": findings,
                "containers": containers,
                "seals": seals,
            },
        )

    @router.post("/declarations/{number}/decision")
    def decide(
        request: Request,
        number: str,
        csrf_token: Field = "",
        action: Field = "",
        reason: Field = "",
        version: Annotated[int | None, Form()] = None,
    ) -> Response:
        """Release, reject or re-route ``number`` with a reason, at the version seen."""
        errors = []
        if action not in DECISIONS:
            errors.append(FieldError("action", N_("Choose a decision")))
        errors += _required({"reason": (reason, N_("Give the reason for the decision"))})

        def run(visit: Visit, actor: Any) -> object:
            command = officer.Decide.model_validate(
                {"action": action, "reason": reason.strip(), "version": version}
            )
            return officer.decide(console.application, actor, number, command)

        return _act(
            console,
            request,
            number,
            csrf_token,
            run,
            N_("Your decision was recorded and the trader was answered."),
            errors=errors,
            form={"action": action, "reason": reason},
        )

    @router.post("/declarations/{number}/exit-confirmation")
    def confirm_exit(request: Request, number: str, csrf_token: Field = "") -> Response:
        """The goods left: the export is cleared (结关), its rebate records confirmed."""
        return _act(
            console,
            request,
            number,
            csrf_token,
            lambda visit, actor: rebates.confirm_exit(console.application, actor, number),
            N_("The exit was confirmed: the declaration is cleared."),
        )


def _act(
    console: Console,
    request: Request,
    number: str,
    csrf_token: str,
    run: Callable[[Visit, Any], object],
    done: str,
    *,
    errors: list[FieldError] | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    """One officer action: signed-in officer, CSRF token, the form's own errors (the page
    again, 400), then the use case; its outcome is flashed on the declaration page."""
    visit = console.visit(request)
    actor = visit.actor(*OFFICE_ROLES)
    visit.check_csrf(csrf_token)
    if errors:
        return render_declaration(visit, number, errors=errors, form=form, status=400)
    try:
        run(visit, actor)
    except ConflictError as exc:  # another officer holds it, or a newer version
        visit.flash(
            N_("Someone else got there first: nothing was changed."), str(exc), problem=True
        )
    except RefusedError as exc:
        visit.flash(N_("This could not be done."), str(exc), problem=True)
    else:
        visit.flash(done)
    return visit.redirect(f"{PREFIX}/declarations/{number}")


def _required(fields: dict[str, tuple[str, str]]) -> list[FieldError]:
    return [
        FieldError(name, message) for name, (value, message) in fields.items() if not value.strip()
    ]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None
