"""When a failed webhook delivery is tried again: for about three days, then never.

The Standard Webhooks convention leaves the schedule to the sender; Svix (its authors) tries
immediately, then after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (about 27.5 hours). The
API issue asks for about three days, so this schedule goes on with three more 10-hour waits
and a last 14-hour one: 12 attempts over 71 h 35 min 5 s. A partner whose receiver is down
over a long weekend's first three days still gets every event once it is back.
"""

from __future__ import annotations

from datetime import timedelta

#: The wait after the n-th failed attempt (n = 1, 2, …); after the last, no more attempts.
RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
    timedelta(hours=10),
    timedelta(hours=10),
    timedelta(hours=10),
    timedelta(hours=14),
)
#: Attempts in all: the first and one after each delay.
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


def retry_after(attempts: int) -> timedelta | None:
    """How long to wait after ``attempts`` failed attempts; None when they were the last."""
    if attempts < 1:
        raise ValueError("a retry follows at least one attempt")
    if attempts > len(RETRY_DELAYS):
        return None
    return RETRY_DELAYS[attempts - 1]


def total_span() -> timedelta:
    """From the first attempt to the last (what "about three days" means here)."""
    return sum(RETRY_DELAYS, timedelta())
