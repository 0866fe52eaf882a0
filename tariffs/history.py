"""Schedule versions: a load is a new version, and old versions stay answerable.

``ScheduleHistory`` is an immutable, in-memory registry of loaded schedules. It answers "which
version was published on a date" so that a decision can be recomputed with the schedule it was made
with. Persisting versions is the caller's job (the clearance store keeps the file and its hash).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import date

from tariffs.errors import TariffError, TariffVersionConflictError
from tariffs.schedule import Schedule, ScheduleVersion


class ScheduleHistory:
    """Loaded schedule versions ordered by publication date (then load order)."""

    def __init__(self, schedules: Iterable[Schedule] = ()) -> None:
        self._by_id: dict[str, Schedule] = {}
        self._ordered: list[Schedule] = []
        for s in schedules:
            self._add(s)

    def _add(self, schedule: Schedule) -> bool:
        v = schedule.version
        held = self._by_id.get(v.id)
        if held is not None:
            if held.version.content_hash != v.content_hash:
                raise TariffVersionConflictError(
                    f"schedule version {v.id} is already loaded with other content "
                    f"({held.version.content_hash[:12]} ≠ {v.content_hash[:12]})"
                )
            return False  # the same content again: idempotent
        self._by_id[v.id] = schedule
        keys = [s.version.published for s in self._ordered]
        self._ordered.insert(bisect.bisect_right(keys, v.published), schedule)
        return True

    def add(self, schedule: Schedule) -> ScheduleHistory:
        """A history that also holds ``schedule`` (``self`` if that content is already held)."""
        if schedule.version.id in self._by_id:
            self._add(schedule)  # raises on a conflict
            return self
        new = ScheduleHistory(self._ordered)
        new._add(schedule)
        return new

    def get(self, version_id: str) -> Schedule:
        """The schedule of ``version_id``."""
        try:
            return self._by_id[version_id]
        except KeyError:
            raise TariffError(f"no schedule version {version_id!r}") from None

    def latest(self) -> Schedule:
        """The most recently published version."""
        if not self._ordered:
            raise TariffError("no schedule loaded")
        return self._ordered[-1]

    def published_on(self, on: date) -> Schedule:
        """The latest version published on or before ``on``."""
        keys = [s.version.published for s in self._ordered]
        i = bisect.bisect_right(keys, on)
        if i == 0:
            raise TariffError(f"no schedule published on or before {on.isoformat()}")
        return self._ordered[i - 1]

    def versions(self) -> tuple[ScheduleVersion, ...]:
        """Every version held, oldest first."""
        return tuple(s.version for s in self._ordered)

    def __len__(self) -> int:
        return len(self._ordered)
