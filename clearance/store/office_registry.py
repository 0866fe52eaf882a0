"""The customs-offices registry as the pipeline reads it: once per unit of work.

Every declaration's offices are checked against the registry before it is numbered
(:mod:`clearance.intake.offices`). One ``SELECT`` per declaration would cost more than the
check itself, so the registry (code → validity) is read once per unit of work (transaction),
with the other reference data's lifetime (:func:`clearance.store.deferred.transaction_cache`):
an office loaded meanwhile counts from the next interchange on, and nothing read in a
rolled-back transaction is trusted afterwards. The table is small (a country has hundreds of
offices at most).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import String, select, type_coerce
from sqlalchemy.orm import Session

from clearance.store.deferred import transaction_cache
from clearance.store.office_tables import CustomsOffice
from core.db import DriverStatement

#: An office's validity as the driver gives it: the first day, and the last (None: still
#: open); a ``date`` (PostgreSQL) or its ISO text (SQLite), read with :func:`valid_on`.
Validity = tuple[date | str, date | str | None]

_CACHE = "offices.registry"
# Built once and run on the driver (a Core execution cost more than this small query). The
# dates are taken as the driver gives them (``type_coerce``: no SQL cast, no result
# processor): parsing every office's two dates on SQLite cost more than the query (26 µs of
# CPU a unit instead of 40 with 11 offices), for the one or two offices a declaration names.
_ALL = DriverStatement(
    select(
        CustomsOffice.code,
        type_coerce(CustomsOffice.valid_from, String),
        type_coerce(CustomsOffice.valid_to, String),
    )
)


def offices_in_unit(session: Session) -> Mapping[str, Validity]:
    """Every office of the registry with its validity, read once in this unit of work."""
    cache = transaction_cache(session, _CACHE)
    found: dict[str, Validity] | None = cache.get("all")
    if found is None:
        if session.new:  # an office added in this session and not yet flushed counts too
            session.flush()
        rows = _ALL.rows(session.connection())
        found = cache["all"] = {code: (first, last) for code, first, last in rows}
    return found


def valid_on(validity: Validity, day: date) -> bool:
    """Whether an office with ``validity`` is open on ``day`` (both ends included)."""
    first, last = validity
    return as_date(first) <= day and (last is None or day <= as_date(last))


def as_date(value: date | str) -> date:
    """A validity bound as a date (SQLite stores ``YYYY-MM-DD`` text)."""
    return value if isinstance(value, date) else date.fromisoformat(value)
