"""Time travel: every lookup takes ``as_of``; old versions stay answerable."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tariffs import (
    RegimeProfile,
    Schedule,
    ScheduleHistory,
    TariffError,
    TariffVersionConflictError,
    loads_schedule,
)
from tests.unit.tariffs.builders import assess_one, header, item, jsonl, measure, nomenclature, pct

D = Decimal

# rule, code, origin, documents, date, expected chosen measure, duty on CNY 10,000
CASES = [
    (
        "provisional rate valid for 2025 only",
        "0203290000",
        "ES",
        (),
        date(2025, 12, 31),
        "02032900-provisional",
        "800.00",
    ),
    (
        "…from 2026 the MFN rate applies again",
        "0203290000",
        "ES",
        (),
        date(2026, 1, 1),
        "02032900-mfn",
        "1200.00",
    ),
    (
        "MFN rate that changes on a date: before",
        "0406300000",
        "FR",
        (),
        date(2025, 12, 31),
        "04063000-mfn-2025",
        "1200.00",
    ),
    (
        "MFN rate that changes on a date: after",
        "0406300000",
        "FR",
        (),
        date(2026, 1, 1),
        "04063000-mfn",
        "800.00",
    ),
    (
        "a country joins an agreement: PH before RCEP",
        "3304990000",
        "PH",
        ("Y:RCEP",),
        date(2023, 6, 1),
        "33049900-mfn",
        "100.00",
    ),
    (
        "a country joins an agreement: PH from 2023-06-02",
        "3304990000",
        "PH",
        ("Y:RCEP",),
        date(2023, 6, 2),
        "33049900-conventional-RCEP",
        "50.00",
    ),
]


@pytest.mark.parametrize(
    ("rule", "code", "origin", "docs", "on", "chosen", "duty"), CASES, ids=[c[0] for c in CASES]
)
def test_rates_follow_the_date(
    cn_schedule: Schedule,
    cn: RegimeProfile,
    rule: str,
    code: str,
    origin: str,
    docs: tuple[str, ...],
    on: date,
    chosen: str,
    duty: str,
) -> None:
    # The item claims the agreement its proof of origin names (an unclaimed proof counts for none).
    claim = next((d.split(":", 1)[1] for d in docs if ":" in d), None)
    it, _ = assess_one(
        cn_schedule, cn, item(code, origin=origin, documents=docs, preference=claim), on=on
    )
    assert it.rate is not None, it.problems
    assert (it.rate.measure_id, it.lines[0].amount) == (chosen, D(duty)), rule


@pytest.mark.parametrize(
    ("on", "has_ad"),
    [
        (date(2021, 3, 27), False),
        (date(2022, 3, 28), True),
        (date(2024, 3, 28), True),
        (date(2024, 3, 29), False),
    ],
)
def test_anti_dumping_validity_is_inclusive_at_both_ends(
    cn_schedule: Schedule, on: date, has_ad: bool
) -> None:
    measures = cn_schedule.measures_in_force("2204210000", "AU", on)
    assert any(m.type == "anti_dumping" for m in measures) is has_ad


def test_export_rebate_changes_on_a_date(cn_schedule: Schedule, cn: RegimeProfile) -> None:
    before, _ = assess_one(
        cn_schedule,
        cn,
        item("8541430000"),
        on=date(2024, 11, 30),
        direction="export",
        incoterm="FOB",
    )
    after, _ = assess_one(
        cn_schedule,
        cn,
        item("8541430000"),
        on=date(2024, 12, 1),
        direction="export",
        incoterm="FOB",
    )
    assert before.rebate is not None
    assert after.rebate is not None
    assert (before.rebate.amount, after.rebate.amount) == (D("1300.00"), D("900.00"))


def test_membership_is_answered_per_date(cn_schedule: Schedule) -> None:
    assert not cn_schedule.is_member("RCEP", "PH", date(2023, 6, 1))
    assert cn_schedule.is_member("RCEP", "PH", date(2023, 6, 2))
    assert cn_schedule.is_member("RCEP", "KR", date(2022, 2, 1))
    assert not cn_schedule.is_member("RCEP", "KR", date(2022, 1, 31))


def test_exchange_rate_of_the_date(cn_schedule: Schedule) -> None:
    assert cn_schedule.rates.lookup("USD", date(2026, 3, 31)).rate == D("7.0655")
    assert cn_schedule.rates.lookup("USD", date(2026, 4, 1)).rate == D("7.0560")
    # KRW is published as KRW per CNY: normalised to CNY per KRW
    krw = cn_schedule.rates.lookup("KRW", date(2026, 1, 15))
    assert krw.rate == D(1) / D("198.35")


def _version(id_: str, published: str, rate: str) -> Schedule:
    records = [
        header(id_=id_, published=published),
        *nomenclature("01012100"),
        measure("mfn", "mfn", "01012100", pct(rate)),
    ]
    return loads_schedule(jsonl(records), f"{id_}.jsonl")


def test_old_versions_stay_answerable() -> None:
    v1, v2 = _version("v1", "2025-01-01", "10"), _version("v2", "2026-01-01", "8")
    history = ScheduleHistory().add(v1).add(v2)
    assert [v.id for v in history.versions()] == ["v1", "v2"]
    assert history.published_on(date(2025, 6, 1)) is v1
    assert history.latest() is v2
    assert history.get("v1").measures[0].duty is not None
    with pytest.raises(TariffError, match="no schedule published"):
        history.published_on(date(2024, 1, 1))


def test_loading_the_same_version_again_is_idempotent() -> None:
    v1 = _version("v1", "2025-01-01", "10")
    history = ScheduleHistory().add(v1)
    assert history.add(_version("v1", "2025-01-01", "10")) is history
    assert len(history) == 1


def test_same_version_id_with_other_content_is_a_conflict() -> None:
    history = ScheduleHistory().add(_version("v1", "2025-01-01", "10"))
    with pytest.raises(TariffVersionConflictError, match="other content"):
        history.add(_version("v1", "2025-01-01", "12"))


def test_plans_are_shared_within_a_validity_period_only(cn_schedule: Schedule) -> None:
    """Plans are keyed by the period between validity boundaries, never across one."""
    assert cn_schedule.epoch(date(2026, 3, 2)) == cn_schedule.epoch(date(2026, 3, 20))
    assert cn_schedule.epoch(date(2025, 12, 31)) != cn_schedule.epoch(date(2026, 1, 1))
    assert cn_schedule.epoch(date(2023, 6, 1)) != cn_schedule.epoch(date(2023, 6, 2))
