"""The declaration page, shared by the portal and the officers' console.

Traders see their declaration; an officer of its office sees the same page with the officer's
actions (the forms post to :mod:`api.console.officer_pages`). A form sent with errors shows
this page again with an error summary and the officer's entries kept.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi.responses import Response

from api.console.forms import FieldError
from api.console.i18n import N_
from api.console.pages import Visit
from clearance.app import OFFICE_ROLES, NotFoundError, Role, case_file, declarations
from clearance.app.views import DeclarationDetail

#: Who works in the officers' console.
#: Statuses in which a declaration waits for an officer (the forms are shown only then).
WAITING = ("registered", "documents_required", "under_control")
#: The decisions an officer may take, with their English labels ("inspect" re-routes the
#: declaration to the red lane: physical examination).
DECISIONS = {
    "release": N_("Release the goods"),
    "reject": N_("Reject the declaration"),
    "inspect": N_("Re-route to physical inspection (red lane)"),
}
EXAMINATION_KINDS = {"documentary": N_("Documentary check"), "physical": N_("Physical examination")}
OUTCOMES = {
    "conform": N_("Goods conform to the declaration"),
    "discrepancy": N_("Discrepancy found"),
    "not_presented": N_("Goods not presented"),
}


def _exit_pending(detail: DeclarationDetail) -> bool:
    """A released export whose exit nobody confirmed yet: the officer may confirm it."""
    return (
        detail.status == "released"
        and detail.direction == "export"
        and not any(e.kind == "exit_confirmed" for e in detail.events)
    )


def render_declaration(
    visit: Visit,
    number: str,
    *,
    errors: Sequence[FieldError] = (),
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    """Declaration ``number`` as the signed-in actor may see it (``NotFoundError`` otherwise)."""
    actor = visit.actor()
    application = visit.console.application
    detail = declarations.show(application, actor, number)
    try:
        decision = declarations.explain(application, actor, number)
    except NotFoundError:  # registered, not decided yet
        decision = None
    officer = actor.role in OFFICE_ROLES
    work = case_file.case_file(application, actor, number)
    return visit.render(
        "declaration.html",
        status=status,
        d=detail,
        content=detail.declaration,
        decision=decision,
        officer=officer,
        may_act=officer and detail.status in WAITING,
        may_confirm_exit=officer and _exit_pending(detail),
        holds=officer and work.holder == actor.subject,
        trader=actor.role in (Role.TRADER, Role.BROKER),
        supervisor=actor.role is Role.SUPERVISOR,
        work=work,
        decisions=DECISIONS,
        kinds=EXAMINATION_KINDS,
        outcomes=OUTCOMES,
        errors=list(errors),
        form=form or {},
    )
