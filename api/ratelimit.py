"""Requests per subject: a token bucket each, answered 429 with Retry-After when empty.

In process: each ``customs serve`` process keeps its own buckets (several processes behind a
balancer allow their sum). A subject is limited, not an address: keys are what is billed.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """``rate`` tokens a second refill each subject's bucket of ``burst`` tokens."""

    def __init__(
        self, rate: float, burst: int, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate, self.burst, self._now = rate, burst, monotonic
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, subject: str) -> float:
        """Take one token for ``subject``: 0 when allowed, else the seconds until one is free."""
        now = self._now()
        with self._lock:
            bucket = self._buckets.get(subject)
            if bucket is None:  # a bucket made only for a new subject, not on every request
                bucket = self._buckets[subject] = _Bucket(float(self.burst), now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0.0
            return (1 - bucket.tokens) / self.rate

    @staticmethod
    def retry_after(wait: float) -> str:
        """The Retry-After header value (whole seconds, at least 1)."""
        return str(max(1, math.ceil(wait)))
