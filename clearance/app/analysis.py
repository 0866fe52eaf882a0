"""What-if analysis over stored decisions: replay a candidate risk ruleset (read-only)."""

from __future__ import annotations

from datetime import date
from typing import Any

from clearance.app.access import Permission, require
from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.documents import Document
from clearance.app.errors import RefusedError
from clearance.app.views import View
from clearance.decisions import history
from rules.errors import RulesetError
from rules.risk import parse_ruleset


class ReplayReport(View):
    """Lane mix before and after, what changes, and the change in duty not collected."""

    ruleset: dict[str, str]
    from_: str
    to: str
    declarations: int
    lanes_before: dict[str, int]
    lanes_after: dict[str, int]
    duty_not_collected_difference: str
    changed: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        """The JSON form, with ``from`` (a Python keyword) under its own name."""
        data = super().as_json()
        return {"ruleset": data["ruleset"], "from": data.pop("from_"), **data}


def replay(
    app: Application, actor: Actor, ruleset: Document, date_from: date, date_to: date
) -> ReplayReport:
    """What ``ruleset`` would change over the automatic decisions of [from, to].

    Nothing is written: every decision is recomputed from its recorded inputs with the
    candidate ruleset, inside a unit of work that is rolled back.
    """
    require(actor, Permission.ANALYSE)
    try:
        candidate = parse_ruleset(ruleset.content.decode("utf-8"), ruleset.name)
    except UnicodeDecodeError as exc:
        raise RefusedError(f"{ruleset.name}: not UTF-8 text ({exc.reason})") from exc
    except RulesetError as exc:
        raise RefusedError(exc.message) from exc
    with app.read() as session:
        report = history.replay(session, candidate, date_from, date_to)
    report["from_"] = report.pop("from")
    return ReplayReport.model_validate(report)
