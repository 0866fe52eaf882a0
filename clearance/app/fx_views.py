"""What the FX monitoring use cases return (their JSON form is the CLI's ``--json`` contract)."""

from __future__ import annotations

from typing import Any

from clearance.app.views import View


class FeedImportView(View):
    """A bank feed imported: rows read, transactions new, rows already held."""

    feed_id: int
    filename: str | None
    rows: int
    created: int
    unchanged: int
    receipts: int
    payments: int
    goods_added: int  # goods rows the sync before it added (released declarations)


class ReasonView(View):
    """Why a class: stable code and the figures."""

    code: str
    text: str


class TraderIndicatorsView(View):
    """One trader's indicators for a window (amounts USD, ratios as decimal strings)."""

    trader: str
    district_office: str | None
    indicators: dict[str, Any]


class ClassView(View):
    """One class notice of a trader's history."""

    trader: str
    grade: str
    valid_from: str
    valid_until: str | None
    objection_deadline: str | None
    reasons: list[ReasonView]
    indicators: dict[str, Any]
    policy_version: str
    classified_at: str


class ClassifiedTraderView(View):
    """One trader in a classification run: class after it and whether it is a new notice."""

    trader: str
    grade: str
    computed: str
    changed: bool
    valid_until: str | None
    objection_deadline: str | None
    reasons: list[ReasonView]


class ClassificationView(View):
    """A classification run: the window, the notice date, every trader's class."""

    period_to: str
    as_of: str
    policy_version: str
    traders: list[ClassifiedTraderView]
    counts: dict[str, int]  # per grade
    notices: int  # new history rows


class TraderFxView(View):
    """A trader's class in force, its history (newest first) and current indicators."""

    trader: str
    current: ClassView | None
    history: list[ClassView]
    indicators: TraderIndicatorsView | None
