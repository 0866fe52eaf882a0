"""Working days: weekends and public holidays as data, with the make-up working days (调休).

China moves weekends around its public holidays: a Saturday or Sunday can be a working day
(``working_weekends``), and a weekday a holiday. A calendar is a file of dates, not code, so a new
year's notice of the State Council is a data change (``rules/calendars/cn.json``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

from rules.errors import RulesError


class CalendarError(RulesError):
    """A calendar file is unreadable, or a date falls outside the years it covers."""

    code = "calendar_invalid"


@dataclass(frozen=True, slots=True)
class WorkingCalendar:
    """Which days are working days: Monday to Friday, less holidays, plus make-up weekends."""

    name: str
    holidays: frozenset[date] = field(default_factory=frozenset)
    working_weekends: frozenset[date] = field(default_factory=frozenset)
    #: Years the data covers; asking outside them is an error, not a silent guess.
    years: frozenset[int] = field(default_factory=frozenset)

    def is_working(self, day: date) -> bool:
        """Whether ``day`` is a working day."""
        if self.years and day.year not in self.years:
            raise CalendarError(f"calendar {self.name} has no data for {day.year}")
        if day in self.working_weekends:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (``start`` itself not counted)."""
        if days < 0:
            raise ValueError("days must not be negative")
        current = start
        while days:
            current += timedelta(days=1)
            if self.is_working(current):
                days -= 1
        return current

    def back(self, start: date, days: int) -> date:
        """The ``days``-th working day before ``start`` (``start`` itself not counted)."""
        if days < 0:
            raise ValueError("days must not be negative")
        current = start
        while days:
            current -= timedelta(days=1)
            if self.is_working(current):
                days -= 1
        return current

    def between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
        count, current = 0, start
        while current < end:
            current += timedelta(days=1)
            count += self.is_working(current)
        return count


def calendar_from_json(name: str, text: str) -> WorkingCalendar:
    """A calendar from its JSON: ``years``, ``holidays`` and ``working_weekends`` (ISO dates)."""
    try:
        data = json.loads(text)
        holidays = _dates(data.get("holidays", ()))
        working = _dates(data.get("working_weekends", ()))
        years = frozenset(int(y) for y in data.get("years", ()))
    except (ValueError, TypeError, AttributeError) as exc:
        raise CalendarError(f"calendar {name}: {exc}") from exc
    weekdays = sorted(d.isoformat() for d in working if d.weekday() < 5)
    if weekdays:
        raise CalendarError(f"calendar {name}: working_weekends on weekdays: {weekdays}")
    return WorkingCalendar(name, holidays, working, years)


def shipped_calendar(name: str = "cn") -> WorkingCalendar:
    """A calendar shipped with the project (``rules/calendars/<name>.json``)."""
    path = resources.files("rules.calendars").joinpath(f"{name}.json")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise CalendarError(f"no shipped calendar {name!r}") from exc
    return calendar_from_json(name, text)


def with_local_years(shipped: WorkingCalendar, local: WorkingCalendar) -> WorkingCalendar:
    """``shipped`` extended by an installation's own file: each year ``local`` covers is taken
    from it whole (a new year's State Council notice, or a correction); other years stay."""
    if not local.years:
        raise CalendarError(f"calendar {local.name}: a local calendar must list its years")

    def kept(days: frozenset[date]) -> frozenset[date]:
        return frozenset(d for d in days if d.year not in local.years)

    return WorkingCalendar(
        shipped.name,
        kept(shipped.holidays) | local.holidays,
        kept(shipped.working_weekends) | local.working_weekends,
        shipped.years | local.years,
    )


def installed_calendar(name: str, directory: Path | None) -> WorkingCalendar:
    """The shipped calendar ``name``, extended by ``<directory>/<name>.json`` when it exists.

    Why: the State Council publishes each year's holidays late in the year before; an
    installation must be able to add the new year without a release of this package.
    """
    shipped = shipped_calendar(name)
    if directory is None:
        return shipped
    path = directory / f"{name}.json"
    if not path.is_file():
        return shipped
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CalendarError(f"calendar {name}: {path}: {exc.strerror}") from exc
    local = calendar_from_json(name, text)
    stray = sorted(
        d.isoformat() for d in local.holidays | local.working_weekends if d.year not in local.years
    )
    if stray:
        raise CalendarError(f"calendar {name}: {path}: dates outside its years: {stray[:5]}")
    return with_local_years(shipped, local)


def _dates(values: Iterable[str]) -> frozenset[date]:
    return frozenset(date.fromisoformat(v) for v in values)


__all__ = [
    "CalendarError",
    "WorkingCalendar",
    "calendar_from_json",
    "installed_calendar",
    "shipped_calendar",
    "with_local_years",
]
