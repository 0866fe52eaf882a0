"""Loading schedules: errors name file, line and column; all or nothing; idempotent hash."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tariffs import TariffLoadError, content_hash_of, load_schedule, loads_schedule
from tests.unit.tariffs.builders import (
    CN_SAMPLE,
    UK_SAMPLE,
    header,
    jsonl,
    measure,
    nomenclature,
    pct,
)

GOOD: list[dict[str, Any]] = [
    header(),
    *nomenclature("01012100"),
    {"kind": "agreement", "id": "ACFTA", "name_en": "ACFTA", "proof_documents": ["Y"]},
    {"kind": "membership", "group": "ACFTA", "country": "VN", "valid_from": "2020-01-01"},
    measure("mfn", "mfn", "01012100", pct("10")),
    measure("acfta", "conventional", "01012100", pct("0"), geo="ACFTA"),
    {
        "kind": "rate",
        "currency": "USD",
        "rate": "7.1",
        "valid_from": "2026-01-01",
        "valid_to": "2026-01-31",
    },
]


def load_with(line: str, at: int | None = None) -> TariffLoadError:
    """Insert ``line`` (at index ``at``, default: the end) into a good file and load it."""
    lines = jsonl(GOOD).splitlines()
    lines.insert(len(lines) if at is None else at, line)
    with pytest.raises(TariffLoadError) as caught:
        loads_schedule("\n".join(lines) + "\n", "bad.jsonl")
    return caught.value


def column_of(line: str, needle: str) -> int:
    return line.index(needle) + 1


def test_samples_load() -> None:
    cn = load_schedule(CN_SAMPLE)
    uk = load_schedule(UK_SAMPLE)
    lines = [c for c in cn.codes() if len(c) == 8]
    assert len(lines) >= 60, "the China extract has at least 60 national lines"
    assert cn.version.currency == "CNY"
    assert uk.version.currency == "GBP"
    assert cn.rates.currencies >= {"USD", "EUR", "JPY", "GBP", "HKD", "KRW", "AUD"}


def test_good_file_loads_and_comments_are_skipped() -> None:
    text = "# a comment\n\n" + jsonl(GOOD)
    s = loads_schedule(text, "good.jsonl")
    assert s.version.id == "test-1"
    assert s.measures[0].source == "good.jsonl:10"  # two lines of comment and blank first


# rule, bad line, expected message fragment, needle whose position is the column
BAD = [
    (
        "invalid JSON names the position",
        '{"kind": "rate", "currency": "EUR",, }',
        "invalid JSON",
        ", }",
    ),
    ("unknown kind", '{"kind": "tariff", "id": "x"}', "unknown or missing kind", '"kind"'),
    (
        "bad field value points at the field",
        '{"kind": "rate", "currency": "eur", "rate": "7", "valid_from": "2026-01-01"}',
        "rate currency",
        '"currency"',
    ),
    (
        "bad nested field points into the list",
        json.dumps(measure("m2", "general", "01012100", [{"percent": "5"}, {"percent": "x"}])),
        "measure duty.1.percent",
        '"percent": "x"',
    ),
    (
        "unknown measure type",
        json.dumps(measure("m3", "tariff_x", "01012100", pct("5"))),
        "unknown measure type",
        '"type"',
    ),
    (
        "code not in the nomenclature",
        json.dumps(measure("m4", "general", "01019900", pct("5"))),
        "not in the nomenclature",
        '"code"',
    ),
    (
        "unknown geography",
        json.dumps(measure("m5", "general", "01012100", pct("5"), geo="ATLANTIS")),
        "unknown geography",
        '"geo"',
    ),
    (
        "duplicate id",
        json.dumps(measure("mfn", "general", "01012100", pct("5"))),
        "already defined on line 8",
        '"id"',
    ),
    (
        "overlapping validity of the same measure key",
        json.dumps(measure("mfn2", "mfn", "01012100", pct("8"), valid_from="2025-06-01")),
        "overlaps the one on line 8",
        '"valid_from"',
    ),
    (
        "overlapping exchange rates",
        '{"kind": "rate", "currency": "USD", "rate": "7", "valid_from": "2026-01-15"}',
        "rate overlaps",
        '"valid_from"',
    ),
    (
        "membership of an unknown group",
        '{"kind": "membership", "group": "RCEP", "country": "JP", "valid_from": "2022-01-01"}',
        "unknown group",
        '"group"',
    ),
    (
        "VAT must be a single percentage",
        json.dumps(measure("v", "vat", "01", [{"percent": "9"}, {"percent": "1"}])),
        "single percentage",
        '"duty"',
    ),
    (
        "a specific amount in a currency without rates",
        json.dumps(
            measure("m6", "general", "01012100", [{"amount": "1", "currency": "EUR", "per": "kg"}])
        ),
        "no exchange rate for EUR",
        '"currency"',
    ),
    (
        "unknown unit",
        json.dumps(
            measure(
                "m7", "general", "01012100", [{"amount": "1", "currency": "CNY", "per": "furlong"}]
            )
        ),
        "unknown unit",
        '"per"',
    ),
    (
        "valid_to before valid_from",
        json.dumps(measure("m8", "general", "01012100", pct("5"), valid_to="2019-01-01")),
        "valid_to is before valid_from",
        '"valid_to"',
    ),
]


@pytest.mark.parametrize(("rule", "line", "message", "needle"), BAD, ids=[b[0] for b in BAD])
def test_errors_name_file_line_and_column(rule: str, line: str, message: str, needle: str) -> None:
    error = load_with(line)
    problem = error.first
    assert problem.file == "bad.jsonl", rule
    assert problem.line == len(GOOD) + 1, rule
    assert message in problem.message, rule
    assert problem.column == column_of(line, needle), rule
    assert str(problem).startswith(f"bad.jsonl:{len(GOOD) + 1}:{problem.column}: ")


def test_header_must_come_first() -> None:
    text = jsonl(GOOD[1:])
    with pytest.raises(TariffLoadError, match="first record must be the 'schedule' header"):
        loads_schedule(text, "x.jsonl")


def test_all_problems_are_reported_and_nothing_is_loaded() -> None:
    lines = jsonl(GOOD).splitlines()
    lines.append('{"kind": "rate"}')
    lines.append("not json")
    with pytest.raises(TariffLoadError) as caught:
        loads_schedule("\n".join(lines), "x.jsonl")
    assert [p.line for p in caught.value.problems] == [
        len(GOOD) + 1,
        len(GOOD) + 1,
        len(GOOD) + 1,
        len(GOOD) + 2,
    ]


def test_non_utf8_bytes_are_reported_with_their_line() -> None:
    data = jsonl(GOOD).encode() + b'{"kind": "rate", "source": "\xff"}\n'
    with pytest.raises(TariffLoadError) as caught:
        loads_schedule(data, "x.jsonl")
    assert caught.value.first.line == len(GOOD) + 1
    assert "not UTF-8" in caught.value.first.message


def test_content_hash_ignores_record_and_key_order() -> None:
    forward = jsonl(GOOD)
    reordered = jsonl([GOOD[0], *reversed(GOOD[1:])])
    keys_shuffled = "\n".join(json.dumps(dict(reversed(list(r.items())))) for r in GOOD)
    h = content_hash_of(forward)
    assert h == content_hash_of(reordered) == content_hash_of(keys_shuffled)
    assert loads_schedule(forward).version.content_hash == h
    changed = jsonl([*GOOD[:-1], {**GOOD[-1], "rate": "7.2"}])
    assert content_hash_of(changed) != h


def test_numbers_are_read_as_decimals_not_floats() -> None:
    records = [*GOOD[:-1]]
    rate = '{"kind": "rate", "currency": "USD", "rate": 7.1000000000000001, '
    rate += '"valid_from": "2026-01-01"}'
    text = jsonl(records) + rate + "\n"
    s = loads_schedule(text)
    assert str(s.rates.lookup("USD", s.version.published).quoted) == "7.1000000000000001"
