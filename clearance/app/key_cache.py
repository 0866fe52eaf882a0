"""A short-lived, bounded, in-process cache of verified API keys.

Checking an API key costs a hash, a key lookup, the subject, its party ids, offices and (for a
broker) the mandates in force: several queries per request, most of an API call's overhead
(``benchmarks/api_bench.py``). A client sends the same key request after request, so the
actor a key was found to be is kept here for ``CUSTOMS_KEY_CACHE_SECONDS`` (default 5; 0
turns the cache off).

What keeps this safe:

- An entry is found only by the sha256 of the whole presented key, the value the store keeps:
  presenting a key still proves possession of it. Failures are never cached.
- An entry ends at the earliest of its time to live, the key's own expiry and the end of the
  local day it was made on (a broker's mandates are dated).
- Any change to identity made through this process (a key revoked, a subject disabled or
  changed, a mandate granted or revoked) empties the cache at once, so in the serving
  process a revocation takes effect on the next request. Another process (the CLI, another
  server) revokes in the store; this process notices within the time to live.
- At most :data:`MAX_ENTRIES` keys are held; the least recently used goes first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from clearance.app.actor import Actor

#: The most keys held at once (each entry is a few hundred bytes).
MAX_ENTRIES = 10_000


@dataclass(frozen=True, slots=True)
class CachedKey:
    """What a verified key was found to be, and until when that may be believed."""

    key_id: str
    actor: Actor
    #: The local day the actor was computed for (mandates are dated).
    day: date
    #: The earliest of: cached time + time to live, the key's expiry.
    valid_until: datetime
    #: When ``last_used_at`` was last written for the key (None: not known to be written).
    last_used_at: datetime | None


class KeyCache:
    """Verified API keys by the hash of the presented key; thread-safe, bounded, short-lived."""

    def __init__(self, ttl_seconds: float, max_entries: int = MAX_ENTRIES) -> None:
        self.ttl = timedelta(seconds=ttl_seconds)
        self.max_entries = max_entries
        self._entries: OrderedDict[str, CachedKey] = OrderedDict()
        self._lock = threading.Lock()
        #: Bumped by :meth:`clear`: a verification that began before a change may not store
        #: what it read (it may have read the key before its revocation was committed).
        self._generation = 0

    @property
    def generation(self) -> int:
        """Take this before reading the store; hand it to :meth:`put`."""
        with self._lock:
            return self._generation

    @property
    def enabled(self) -> bool:
        """Whether anything is ever kept (a time to live of 0 turns the cache off)."""
        return self.ttl > timedelta(0) and self.max_entries > 0

    def get(self, key_hash: str, now: datetime, today: date) -> CachedKey | None:
        """The entry of ``key_hash`` if it may still be believed at ``now`` on ``today``."""
        with self._lock:
            entry = self._entries.get(key_hash)
            if entry is None:
                return None
            if now >= entry.valid_until or entry.day != today:
                del self._entries[key_hash]
                return None
            self._entries.move_to_end(key_hash)
            return entry

    def put(
        self,
        key_hash: str,
        *,
        generation: int,
        key_id: str,
        actor: Actor,
        day: date,
        now: datetime,
        expires_at: datetime | None,
        last_used_at: datetime | None,
    ) -> None:
        """Remember that ``key_hash`` is ``actor`` (until the TTL or the key's expiry), unless
        identity changed since ``generation`` was taken."""
        if not self.enabled:
            return
        until = now + self.ttl
        if expires_at is not None and expires_at < until:
            until = expires_at
        entry = CachedKey(key_id, actor, day, until, last_used_at)
        with self._lock:
            if generation != self._generation:
                return
            self._entries[key_hash] = entry
            self._entries.move_to_end(key_hash)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def used(self, key_hash: str, at: datetime) -> None:
        """Record that ``last_used_at`` was written at ``at`` for the entry of ``key_hash``."""
        with self._lock:
            entry = self._entries.get(key_hash)
            if entry is not None:
                self._entries[key_hash] = CachedKey(
                    entry.key_id, entry.actor, entry.day, entry.valid_until, at
                )

    def clear(self) -> None:
        """Forget every key (identity changed: revocation, disabled subject, mandates)."""
        with self._lock:
            self._generation += 1
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
