"""The trader and broker portal: own declarations, and each one's status, duties and answers.

Which declarations a subject sees is decided by the application layer (``clearance.app.access``):
a trader its own, a broker those of its mandating traders. Another's declaration is "not found".
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.console.declaration_page import render_declaration
from api.console.pages import Console
from clearance.app import Role, declarations, registries, trader_records

#: Who uses the portal (the operator may look too: it sees everything).
PORTAL = (Role.TRADER, Role.BROKER)


def add_routes(router: APIRouter, console: Console) -> None:
    """The portal pages of ``console`` on ``router``."""

    @router.get("/portal")
    def own_declarations(request: Request) -> Response:
        """The subject's declarations, newest first."""
        visit = console.visit(request)
        actor = visit.actor(*PORTAL)
        rows = declarations.list_declarations(console.application, actor, limit=200)
        return visit.render("portal/declarations.html", declarations=rows)

    @router.get("/portal/documents")
    def held_documents(request: Request) -> Response:
        """The licences and certificates naming the subject, with what remains of them."""
        visit = console.visit(request)
        actor = visit.actor(*PORTAL)
        documents = trader_records.held_documents(console.application, actor)
        return visit.render("portal/documents.html", documents=documents)

    @router.get("/portal/rebates")
    def rebates(request: Request) -> Response:
        """The export-rebate records of the subject's exports."""
        visit = console.visit(request)
        actor = visit.actor(*PORTAL)
        records = trader_records.rebate_records(console.application, actor)
        return visit.render("portal/rebates.html", records=records)

    @router.get("/issued")
    def issued_documents(request: Request) -> Response:
        """An agency's start: the licences and certificates it issued, with their balances."""
        visit = console.visit(request)
        actor = visit.actor(Role.AGENCY)
        documents = [
            *registries.list_documents(console.application, actor, "licence"),
            *registries.list_documents(console.application, actor, "certificate"),
        ]
        return visit.render("issued.html", documents=documents)

    @router.get("/declarations/{number}")
    def declaration(request: Request, number: str) -> Response:
        """One declaration: parties, items, duties, lane, versions, answers and history."""
        return render_declaration(console.visit(request), number)
