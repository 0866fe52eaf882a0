"""Working days with holidays and make-up weekends as data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from rules.working_days import (
    CalendarError,
    calendar_from_json,
    installed_calendar,
    shipped_calendar,
)


def test_seven_working_days_skip_weekends_and_holidays() -> None:
    cn = shipped_calendar("cn")
    # Wednesday 2026-07-15: 16, 17, (weekend), 20, 21, 22, 23, 24.
    assert cn.add(date(2026, 7, 15), 7) == date(2026, 7, 24)
    # 2026-09-30: National Day 1-7 Oct, the make-up Saturday 10 Oct is a working day.
    assert cn.add(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert cn.add(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert cn.back(date(2026, 10, 8), 1) == date(2026, 9, 30)
    assert cn.between(date(2026, 9, 30), date(2026, 10, 10)) == 3


def test_make_up_weekend_is_working_and_holiday_weekday_is_not() -> None:
    cn = shipped_calendar()
    assert cn.is_working(date(2026, 2, 14))  # a Saturday worked before the Spring Festival
    assert not cn.is_working(date(2026, 2, 16))  # a Monday of the Spring Festival


def test_outside_the_years_of_the_data_is_an_error_not_a_guess() -> None:
    with pytest.raises(CalendarError, match="no data for 2030"):
        shipped_calendar().is_working(date(2030, 1, 2))


def test_a_weekday_listed_as_working_weekend_is_refused() -> None:
    with pytest.raises(CalendarError, match="2026-07-15"):
        calendar_from_json("x", '{"years": [2026], "working_weekends": ["2026-07-15"]}')


def test_an_installation_adds_a_year_in_a_file_of_its_own(tmp_path: Path) -> None:
    # A made-up year (not the real 2031 notice): only the mechanism is tested.
    (tmp_path / "cn.json").write_text(
        '{"years": [2031], "holidays": ["2031-01-01"], "working_weekends": ["2031-01-04"]}',
        encoding="utf-8",
    )
    cn = installed_calendar("cn", tmp_path)
    assert not cn.is_working(date(2031, 1, 1))  # a Wednesday, listed as a holiday
    assert cn.is_working(date(2031, 1, 4))  # a Saturday, listed as worked
    assert cn.is_working(date(2031, 1, 2))
    # The shipped years are still there, untouched.
    assert cn.add(date(2026, 9, 30), 1) == date(2026, 10, 8)
    with pytest.raises(CalendarError, match="no data for 2032"):
        cn.is_working(date(2032, 1, 2))


def test_a_local_year_replaces_the_shipped_year_whole(tmp_path: Path) -> None:
    (tmp_path / "cn.json").write_text('{"years": [2026], "holidays": []}', encoding="utf-8")
    cn = installed_calendar("cn", tmp_path)
    assert cn.is_working(date(2026, 10, 1))  # the shipped National Day is gone with its year
    assert cn.is_working(date(2025, 10, 1)) is False  # other years are the shipped ones


def test_a_local_file_with_dates_outside_its_years_is_refused(tmp_path: Path) -> None:
    (tmp_path / "cn.json").write_text(
        '{"years": [2027], "holidays": ["2028-01-01"]}', encoding="utf-8"
    )
    with pytest.raises(CalendarError, match="outside its years"):
        installed_calendar("cn", tmp_path)


def test_no_local_file_is_the_shipped_calendar(tmp_path: Path) -> None:
    assert installed_calendar("cn", tmp_path) == shipped_calendar("cn")
    assert installed_calendar("cn", None) == shipped_calendar("cn")
