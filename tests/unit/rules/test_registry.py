"""Registry files: the sample set loads; every problem is located; loading is all or nothing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from rules.errors import RegistryLoadError
from rules.registry import CreditGrade, load_registries, read_registry_file, snapshot

from .builders import BEIJING, SAMPLE_REGISTRIES, SAMPLES, SHANGHAI, sample_registries

GOOD_TRADER = {
    "record": "trader",
    "uscc": SHANGHAI,
    "name": "SHANGHAI OCEAN FOODS TRADING CO LTD",
    "credit_grade": "general",
    "valid_from": "2026-01-01",
}


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_sample_registries_load_and_index() -> None:
    registries = SAMPLE_REGISTRIES
    assert set(registries.certificates) >= {"E261234567890123", "CHAFTA2611A00912"}
    assert registries.licences["26-AA-310045"].max_uses == 12
    assert registries.licences["26-AO-320118"].one_batch
    assert len(registries.digest) == 64


def test_membership_is_taken_on_the_date() -> None:
    assert SAMPLE_REGISTRIES.is_member("RCEP", "KR", date(2022, 2, 1))
    assert not SAMPLE_REGISTRIES.is_member("RCEP", "KR", date(2022, 1, 31))
    assert not SAMPLE_REGISTRIES.is_member("ACFTA", "JP", date(2026, 11, 28))


def test_trader_grade_follows_its_periods() -> None:
    before = SAMPLE_REGISTRIES.trader(BEIJING, date(2026, 6, 30))
    after = SAMPLE_REGISTRIES.trader(BEIJING, date(2026, 7, 1))
    assert before is not None and before.credit_grade is CreditGrade.GENERAL
    assert after is not None and after.credit_grade is CreditGrade.GENERAL_CERTIFIED


def test_price_range_prefers_the_most_specific() -> None:
    on = date(2026, 11, 28)
    vn = SAMPLE_REGISTRIES.price_range("0304620000", "VN", "KGM", on)
    th = SAMPLE_REGISTRIES.price_range("0304620000", "TH", "KGM", on)
    assert vn is not None and vn.currency == "USD"
    assert th is not None and th.commodity_code == "0304"
    assert SAMPLE_REGISTRIES.price_range("0304620000", "VN", "KGM", date(2027, 1, 1)) is None


def test_price_ranges_remembered_give_the_same_answers_and_stay_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registries = sample_registries()  # a snapshot of its own: this test empties its index
    asked = [
        (code, origin, "KGM", on)
        for code in ("0304620000", "0304999999", "9999999999")
        for origin in ("VN", "TH", None)
        for on in (date(2026, 11, 28), date(2027, 1, 1))
    ]
    fresh = [registries._find_price_range(*question) for question in asked]
    assert any(found is not None for found in fresh) and None in fresh
    monkeypatch.setattr(snapshot, "RANGES_REMEMBERED", 5)
    for _ in range(2):  # asked again: from what was remembered, cleared on the way
        assert [registries.price_range(*question) for question in asked] == fresh
        assert len(registries._ranges_found) <= 5
    # Remembered, not looked up again: a changed index is not seen until the memo is cleared.
    registries.price_range(*asked[0])
    registries.price_ranges.clear()
    assert registries.price_range(*asked[0]) == fresh[0]


def test_every_problem_is_reported_with_file_line_and_column(tmp_path: Path) -> None:
    bad_uscc = json.dumps({**GOOD_TRADER, "uscc": "91310000MA1FL0XQ8X"})
    path = write(
        tmp_path / "bad.jsonl",
        json.dumps(GOOD_TRADER),
        "",
        '{"record": "trader", "uscc": ',
        bad_uscc,
        '{"record": "visa"}',
        "[1, 2]",
    )
    with pytest.raises(RegistryLoadError) as caught:
        read_registry_file(path)
    issues = caught.value.issues
    assert [(i.line, i.column) for i in issues] == [
        (3, 30),
        (4, bad_uscc.index('"91310000MA1FL0XQ8X"') + 1),
        (5, 12),
        (6, 1),
    ]
    assert all(i.path == str(path) for i in issues)
    assert "invalid JSON" in issues[0].message
    assert issues[1].message.startswith("uscc: ")
    assert "visa" in issues[2].message
    assert str(issues[0]).startswith(f"{path}:3:30: ")


def test_missing_field_and_bad_dates(tmp_path: Path) -> None:
    record = {**GOOD_TRADER, "valid_to": "2025-12-31"}
    del record["name"]
    path = write(tmp_path / "t.jsonl", json.dumps(record))
    with pytest.raises(RegistryLoadError) as caught:
        read_registry_file(path)
    messages = [i.message for i in caught.value.issues]
    assert any(m.startswith("name: Field required") for m in messages)


def test_loading_is_all_or_nothing_across_files(tmp_path: Path) -> None:
    good = write(tmp_path / "a.jsonl", json.dumps(GOOD_TRADER))
    duplicate = write(tmp_path / "b.jsonl", json.dumps(GOOD_TRADER))
    with pytest.raises(RegistryLoadError) as caught:
        load_registries([good, duplicate])
    (issue,) = caught.value.issues
    assert (issue.path, issue.line) == (str(duplicate), 1)
    assert "overlaps" in issue.message and f"{good}:1" in issue.message


def test_repeated_licence_number_is_refused(tmp_path: Path) -> None:
    licence = (SAMPLES / "licences.jsonl").read_text(encoding="utf-8").splitlines()[0]
    path = write(tmp_path / "l.jsonl", licence, licence)
    with pytest.raises(RegistryLoadError) as caught:
        read_registry_file(path)
    assert "licence 26-AA-310045 repeats" in caught.value.issues[0].message


def test_unreadable_file_is_an_issue(tmp_path: Path) -> None:
    with pytest.raises(RegistryLoadError) as caught:
        load_registries([tmp_path / "missing.jsonl"])
    assert "cannot read" in caught.value.issues[0].message
