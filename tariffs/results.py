"""What an assessment answers. Immutable; JSON-ready through ``model_dump()``.

Records are ``NamedTuple``s on purpose: they are built in the hot path (≥ 100,000 items/s) where a
frozen dataclass costs about three times as much to construct. The hot path builds them with
:func:`fast_new` (``tuple.__new__``), which skips the generated ``__new__`` and costs a third again;
the field order of those calls is covered by the tests.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from tariffs.expressions import format_money
from tariffs.results_json import REMEMBERED, record_writer, remember, writer

_T = TypeVar("_T", bound=tuple[Any, ...])
if TYPE_CHECKING:

    def fast_new(cls: type[_T], values: tuple[Any, ...], /) -> _T:
        """Build the NamedTuple ``cls`` from ``values`` in field order (no checks)."""
        ...

else:
    fast_new = tuple.__new__


class TaxLine(NamedTuple):
    """One duty or tax line: which measure, its expression in words, base and amount."""

    tax: str  # tax head: customs_duty, anti_dumping, consumption_tax, vat, export_duty …
    measure_type: str
    measure_id: str
    expression: str
    base: Decimal
    amount: Decimal
    currency: str
    expression_zh: str = ""


class ChosenRate(NamedTuple):
    """The duty rate chosen for an item and why."""

    measure_type: str
    measure_id: str
    label: str  # e.g. "ACFTA agreement rate 0%"
    expression: str
    reason: str


class Alternative(NamedTuple):
    """A rate not chosen: why not, and what it would change (positive saving = cheaper)."""

    measure_type: str
    measure_id: str
    label: str
    why_not: str
    duty: Decimal | None
    saving: Decimal | None  # item total with the chosen rate − item total with this one
    currency: str
    needs: tuple[str, ...] = ()  # document codes that would make it apply

    @property
    def message(self) -> str:
        """E.g. ``ACFTA agreement rate 0% needs proof of origin (Y): would save CNY 12.00``."""
        text = f"{self.label} {self.why_not}"
        if self.needs and self.saving is not None and self.saving > 0:
            text += f": would save {self.currency} {format_money(self.saving)}"
        return text


class ConditionFinding(NamedTuple):
    """A measure condition not met: the documents missing and the action it calls for."""

    measure_id: str
    measure_type: str
    action: str  # other_rate | documents_required | reject
    documents: tuple[str, ...]
    message: str


class ValueBreakdown(NamedTuple):
    """How the customs value of an item was built (assessment currency)."""

    basis: str  # CIF for imports, FOB for exports
    goods: Decimal
    freight: Decimal
    insurance: Decimal
    other: Decimal
    customs_value: Decimal
    currency: str


class ItemAssessment(NamedTuple):
    """The assessment of one goods item."""

    sequence: int
    code: str
    origin: str
    status: str  # "assessed" | "not_assessable"
    currency: str
    value: ValueBreakdown | None
    rate: ChosenRate | None
    lines: tuple[TaxLine, ...]
    alternatives: tuple[Alternative, ...]
    conditions: tuple[ConditionFinding, ...]
    total: Decimal
    rebate: TaxLine | None = None
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def customs_value(self) -> Decimal | None:
        """The item's customs value, if it was assessed."""
        return self.value.customs_value if self.value is not None else None

    def line(self, tax: str) -> TaxLine | None:
        """The first line of tax head ``tax``, if any."""
        return next((ln for ln in self.lines if ln.tax == tax), None)


class TaxTotal(NamedTuple):
    """A tax head over the consignment: assessed, and payable after de minimis relief."""

    tax: str
    label_en: str
    label_zh: str
    assessed: Decimal
    payable: Decimal
    relief: str | None = None


class RateUsed(NamedTuple):
    """An exchange rate the assessment used: normalised ``rate`` and as ``quoted``."""

    currency: str
    rate: Decimal  # assessment-currency units per one unit of ``currency``
    valid_from: date
    source: str
    quoted: str  # as published, e.g. "CNY 7.0655 per 1 USD" or "1.1702 EUR per 1 GBP"


class DeclarationAssessment(NamedTuple):
    """The assessment of a declaration: items, totals per tax, de minimis, rates used."""

    reference: str | None
    regime: str
    schedule_version: str
    schedule_hash: str
    as_of: date
    direction: str
    incoterm: str
    currency: str
    items: tuple[ItemAssessment, ...]
    totals: tuple[TaxTotal, ...]
    total_assessed: Decimal
    total_payable: Decimal
    exchange_rates: tuple[RateUsed, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """True if every item could be assessed."""
        return all(i.status == "assessed" for i in self.items)

    def total(self, tax: str) -> TaxTotal | None:
        """The consignment total of tax head ``tax``, if any."""
        return next((t for t in self.totals if t.tax == tax), None)

    def model_dump(self) -> dict[str, Any]:
        """A JSON-ready dict (Decimals as strings, dates ISO) for storage and the CLI."""
        out = _jsonable(self)
        assert isinstance(out, dict)
        out["complete"] = self.complete
        return out

    def model_dump_json(self, indent: int | None = None) -> str:
        """:meth:`model_dump` as JSON text.

        Without ``indent`` (the stored form) it is written in one pass by a writer generated
        for the record types (:mod:`tariffs.results_json`): the same text, under half the cost.
        """
        if indent is not None:
            return json.dumps(self.model_dump(), ensure_ascii=False, indent=indent)
        text = _write_assessment(self)
        return f'{text[:-1]}, "complete": {"true" if self.complete else "false"}}}'


def _jsonable(value: Any) -> Any:
    # Dispatch on the exact type first: an assessment has thousands of values, and this runs
    # for every stored assessment (a chain of isinstance checks per value was a third of
    # serialising it). Subclasses (StrEnum codes, datetimes) take the general checks below.
    kind = type(value)
    if kind is str or kind is int or value is None or kind is bool:
        return value
    if kind is Decimal:
        return str(value)
    fields = _NAMED_FIELDS.get(kind)
    if fields is None and isinstance(value, tuple) and hasattr(value, "_asdict"):
        fields = _NAMED_FIELDS[kind] = kind._fields  # a NamedTuple
    if fields is not None:
        out = {name: _jsonable(v) for name, v in zip(fields, value, strict=True)}
        if isinstance(value, Alternative):
            out["message"] = value.message
        return out
    if kind is tuple or kind is list or isinstance(value, tuple | list | frozenset | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


_NAMED_FIELDS: dict[type, tuple[str, ...]] = {}


#: The one-pass JSON writer of :class:`DeclarationAssessment` (and the records inside it).
_write_assessment = writer(DeclarationAssessment, _jsonable)


#: The writers of the records a plan shares between items (see :func:`prewrite`).
_SHARED_WRITERS: dict[type, Callable[[Any], str]] = {
    cls: record_writer(cls, _jsonable)
    for cls in (ChosenRate, Alternative, ConditionFinding)
    if cls.__name__ in REMEMBERED
}


def prewrite(records: tuple[tuple[Any, ...], ...]) -> None:
    """Write the stored text of records that every item of a plan shares, once, ahead."""
    for record in records:
        write = _SHARED_WRITERS.get(type(record))
        if write is not None:
            remember(record, write(record))
