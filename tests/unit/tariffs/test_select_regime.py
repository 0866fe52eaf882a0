"""The regime chosen by office is remembered, and is always what the scan of the profiles gives."""

from __future__ import annotations

import pytest

from tariffs import regimes
from tariffs.regimes import load_regime, select_regime

OFFICES = [None, "", "2201", "5300", "GB000085", "GBLHR001", "FRPAR000", "0000", "X"]


@pytest.mark.parametrize("default", ["cn", "eu"])
def test_the_remembered_choice_is_the_scan(default: str) -> None:
    for office in OFFICES:
        first = select_regime(None, office, default)
        assert first is regimes._by_office(office, default)
        assert select_regime(None, office, default) is first  # remembered: the same profile
    assert select_regime(None, None, default) is load_regime(default)


def test_the_default_is_part_of_what_is_remembered() -> None:
    assert select_regime(None, None, "eu").id == "eu"
    assert select_regime(None, None, "cn").id == "cn"
    assert select_regime("eu", "2201").id == "eu"  # a name still wins over the office


def test_the_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(regimes, "_BY_OFFICE_LIMIT", 8)
    monkeypatch.setattr(regimes, "_BY_OFFICE", {})
    for n in range(50):
        select_regime(None, f"{n:04d}")
    assert 0 < len(regimes._BY_OFFICE) <= 8
