"""The stored assessment text: the one-pass writer gives exactly the general conversion's bytes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum

import pytest

from tariffs import DeclarationAssessment, RegimeProfile, Schedule, assess_declaration
from tariffs.results import RateUsed, TaxLine
from tests.unit.tariffs.builders import item, request

D = Decimal
CODES = [
    "2208902000", "2203000000", "2402200000", "2204210000", "0306179000", "1806900000",
    "8703234100", "3303000000", "0207142200", "8521101100", "1704900000", "2710121000",
    "9999999999",  # not in the extract: not assessable, with problems
]  # fmt: skip


ORIGINS = ["AU", "VN", "JP", "FR", "KR"] * 3


def general(assessment: DeclarationAssessment) -> str:
    """The reference: every value converted to a dict first, then encoded."""
    return json.dumps(assessment.model_dump(), ensure_ascii=False)


def sample(cn_schedule: Schedule, cn: RegimeProfile, **kw: object) -> DeclarationAssessment:
    """A declaration of every code (agreement rates needing proof, alternatives, problems)."""
    items = [
        item(code, origin=origin, value="12345.67", sequence=n + 1,
             quantities=(("12.5", "kg"), ("3", "l"), ("7", "pce"), ("2", "1000pce")),
             documents=("Y",) if n % 2 else ())
        for n, (code, origin) in enumerate(zip(CODES, ORIGINS, strict=False))
    ]  # fmt: skip
    return assess_declaration(request(*items, **kw), cn_schedule, cn)  # type: ignore[arg-type]


@pytest.mark.parametrize("direction", ["import", "export"])
def test_the_stored_text_is_the_general_conversion(
    cn_schedule: Schedule, cn: RegimeProfile, direction: str
) -> None:
    assessment = sample(cn_schedule, cn, direction=direction)
    if direction == "import":
        assert {i.status for i in assessment.items} == {"assessed", "not_assessable"}
        assert any(i.alternatives for i in assessment.items)
    text = assessment.model_dump_json()
    assert text == general(assessment)
    assert json.loads(text) == assessment.model_dump()


def test_the_uk_profile_and_foreign_currency(uk_schedule: Schedule, eu: RegimeProfile) -> None:
    it = item("2204210000", origin="AU", value="1000", currency="GBP", quantities=(("9", "l"),))
    assessment = assess_declaration(request(it), uk_schedule, eu)
    assert assessment.model_dump_json() == general(assessment)


class Code(StrEnum):
    VAT = "vat"


def test_values_of_unexpected_types_take_the_general_path(
    cn_schedule: Schedule, cn: RegimeProfile
) -> None:
    """A StrEnum, a float, a datetime or a list where the annotation says otherwise, text that
    needs escaping, a rebate line: still the general conversion's bytes."""
    base = sample(cn_schedule, cn)
    first = base.items[0]
    odd_line = TaxLine(Code.VAT, "vat", 'a "quoted"\\ id\n', "9%", 1.5, D("1E+3"), "CNY", "增值税")  # type: ignore[arg-type]
    odd_item = first._replace(
        lines=[*first.lines, odd_line],  # type: ignore[arg-type]  # a list, not a tuple
        rebate=odd_line,
        notes=("说明", Code.VAT),
        total=True,  # type: ignore[arg-type]  # a bool where a Decimal is expected
    )
    rate = RateUsed(
        "USD", D("7.0655"), datetime(2026, 3, 1, 8, 30, tzinfo=UTC), "PBOC", "CNY 7.0655 per 1 USD"
    )
    odd = base._replace(
        items=(odd_item, *base.items[1:]),
        exchange_rates=(rate,),
        as_of=date(2026, 3, 2),
        notes=None,  # type: ignore[arg-type]
    )
    assert odd.model_dump_json() == general(odd)
    indented = json.dumps(odd.model_dump(), ensure_ascii=False, indent=2)
    assert odd.model_dump_json(indent=2) == indented


def test_a_plans_shared_records_are_written_once_and_found_by_identity(
    cn_schedule: Schedule, cn: RegimeProfile
) -> None:
    """The chosen rate and named alternatives of a plan are written when it is sealed; the
    writer answers with that text for the very record, never for an equal copy, and never
    remembers a record holding something mutable."""
    from tariffs import results_json

    assessment = sample(cn_schedule, cn)
    first = next(i for i in assessment.items if i.rate is not None and i.alternatives)
    kept = results_json._REMEMBERED
    assert kept[id(first.rate)][0] is first.rate  # remembered when the plan was sealed
    assert any(id(a) in kept for a in first.alternatives)
    held = dict(kept)
    try:
        results_json.remember(first.rate, '"sentinel"')  # the writer must read it back
        assert '"rate": "sentinel"' in assessment.model_dump_json()
        copy = tuple.__new__(type(first.rate), tuple(first.rate))  # equal, not the same
        other = assessment._replace(items=(first._replace(rate=copy),))
        assert other.model_dump_json() == general(other)
        mutable = first.alternatives[0]._replace(needs=["Y"])  # type: ignore[arg-type]  # a list
        results_json.remember(mutable, '"sentinel"')
        assert id(mutable) not in kept
    finally:
        kept.clear()
        kept.update(held)
    assert assessment.model_dump_json() == general(assessment)


def _records(value: object) -> list[tuple[object, ...]]:
    """Every record (NamedTuple) inside ``value``, outermost first."""
    found: list[tuple[object, ...]] = []
    if isinstance(value, tuple):
        if hasattr(value, "_fields"):
            found.append(value)
        for element in value:
            found += _records(element)
    return found


def test_records_of_exact_types_are_written_in_one_piece(
    cn_schedule: Schedule, cn: RegimeProfile
) -> None:
    """Every record of the samples takes the exact-type branch (the field-by-field writer is
    never asked) and writes the field-by-field writer's text, which is the general text."""
    from tariffs import results_json
    from tariffs.results import _jsonable

    assessments = [sample(cn_schedule, cn, direction=d) for d in ("import", "export")]
    records = [r for a in assessments for r in _records(a)]
    kinds = {type(r) for r in records}
    assert {t.__name__ for t in kinds} >= {
        "DeclarationAssessment", "ItemAssessment", "ValueBreakdown", "ChosenRate", "TaxLine",
        "Alternative", "TaxTotal",
    }  # fmt: skip
    for kind in kinds:
        write = results_json.record_writer(kind, _jsonable)
        by_field = results_json.field_writer(
            kind, _jsonable, results_json._EXTRA.get(kind.__name__)
        )

        def refuse(record: object) -> str:
            raise AssertionError(f"{type(record).__name__} left the exact-type branch")

        write.__globals__["_by_field"] = refuse
        for record in (r for r in records if type(r) is kind):
            assert write(record) == by_field(record)
            assert json.loads(write(record)) == json.loads(json.dumps(_jsonable(record)))


def test_one_field_of_an_unexpected_type_takes_the_field_by_field_path(
    cn_schedule: Schedule, cn: RegimeProfile
) -> None:
    """Each field of each record, in turn, given a value of another type (a StrEnum for a
    str, a float for a Decimal, a datetime for a date, a list for a tuple, None where the
    annotation has no None): the general conversion's text every time."""
    from tariffs.results import _jsonable

    assessment = sample(cn_schedule, cn)
    stand_ins: dict[type, object] = {
        str: Code.VAT, int: True, Decimal: 1.5, date: datetime(2026, 3, 1, tzinfo=UTC),
        tuple: [], type(None): "none",
    }  # fmt: skip
    seen = 0
    for record in {id(r): r for r in _records(assessment)}.values():
        for n, value in enumerate(record):
            odd = stand_ins.get(type(value))
            changed = tuple.__new__(type(record), (*record[:n], odd, *record[n + 1 :]))
            seen += 1
            assert written(changed) == json.dumps(_jsonable(changed), ensure_ascii=False)
    assert seen > 100


def written(record: tuple[object, ...]) -> str:
    """The stored-text writer of ``record``'s type applied to it."""
    from tariffs import results, results_json

    if isinstance(record, DeclarationAssessment):
        return results._write_assessment(record)
    return results_json.record_writer(type(record), results._jsonable)(record)
