"""The search page: declarations by number, trader, commodity, or container and bill."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from api.console.forms import FieldError
from api.console.i18n import N_
from api.console.pages import Console
from clearance.app import search as finding

#: The choices of the "search by" field, with their English labels.
FIELDS = {
    "number": N_("Declaration number"),
    "trader": N_("Trader (name or identifier)"),
    "commodity": N_("Commodity code"),
    "transport": N_("Container or bill of lading"),
}


def add_routes(router: APIRouter, console: Console) -> None:
    """The search page of ``console`` on ``router``."""

    @router.get("/search")
    def search(request: Request, by: str = "number", text: str | None = None) -> Response:
        """The search form, and the declarations found when a search was asked for (a GET
        form: searching changes nothing, and the address can be kept)."""
        visit = console.visit(request)
        actor = visit.actor()
        by = by if by in FIELDS else "number"
        context: dict[str, Any] = {
            "fields": FIELDS,
            "by": by,
            "text": text or "",
            "errors": [],
            "found": None,
        }
        if text is None:
            return visit.render("search.html", **context)
        try:
            query = finding.Search.model_validate({"by": by, "text": text})
        except ValidationError:
            context["errors"] = [FieldError("text", N_("Enter what to search for"))]
            return visit.render("search.html", status=400, **context)
        context["found"] = finding.search(console.application, actor, query)
        return visit.render("search.html", **context)
