"""What the FX monitoring use cases return (their JSON form is the CLI's ``--json`` contract)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

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
    goods_unvalued: list[str]  # declarations left out: no official rate for their day yet


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
    goods_unvalued: list[str]  # declarations left out: no official rate for their day yet


class TraderFxView(View):
    """A trader's class in force, its history (newest first) and current indicators."""

    trader: str
    current: ClassView | None
    history: list[ClassView]
    indicators: TraderIndicatorsView | None


class FeedFileView(View):
    """One file of a goods feed batch: name and content (UTF-8 text)."""

    name: str
    content: str


class GoodsFeedView(View):
    """A goods feed batch for the FX authority: its control record and files."""

    reference: str
    records: int
    originals: int
    corrections: int
    cancellations: int
    value_cny_total: str
    value_usd_total: str
    data_sha256: str
    created_at: str
    files: list[FeedFileView]


class NewObjection(View):
    """What a trader files against its B/C class: its grounds (free text)."""

    grounds: str = Field(min_length=1, max_length=4000)


class ObjectionRuling(View):
    """The FX authority's ruling: ``upheld`` (the class stands) or ``granted`` with the grade
    the class should have been (lower than the one objected to), and a note in both cases."""

    outcome: Literal["upheld", "granted"]
    grade: Literal["A", "B"] | None = None
    note: str = Field(min_length=1, max_length=4000)


class ObjectionView(View):
    """An objection to a class notice, its ruling and, when granted, the notice it produced."""

    id: int
    trader: str
    status: str  # pending | upheld | granted
    grounds: str
    filed_by: str
    filed_at: str
    notice: ClassView  # the notice objected to
    decided_by: str | None
    decided_at: str | None
    decision_note: str | None
    granted_grade: str | None
    result: ClassView | None  # the notice a granted objection appended
