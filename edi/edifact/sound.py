"""What the syntax checks have found sound, remembered so it is not checked again.

Soundness of a segment (its tag and elements) or of a message (its sequence of tags) depends
on nothing else, and a day's declarations repeat most of theirs; issues name positions and are
always worked out anew. The keys are remembered per owner — a directory's segment
specifications, a message structure — held by identity (the owner is kept, so its id is not
reused), and bounded: a long run of novel keys starts afresh.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)

#: Owners remembered at once: the directories' are a few; ad-hoc ones (tests) clear the rest.
_OWNERS = 16


class SoundKeys(Generic[K]):
    """Keys found sound, per owner, at most ``limit`` per owner."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._held: dict[int, tuple[object, set[K]]] = {}

    def of(self, owner: object) -> set[K]:
        """The keys found sound under ``owner`` (read them; add with :meth:`remember`)."""
        held = self._held.get(id(owner))
        if held is None or held[0] is not owner:
            if len(self._held) >= _OWNERS:
                self._held.clear()
            held = self._held[id(owner)] = (owner, set())
        return held[1]

    def remember(self, sound: set[K], key: K) -> None:
        """Add ``key`` to ``sound`` (a set from :meth:`of`), starting afresh at the limit."""
        if len(sound) >= self._limit:
            sound.clear()
        sound.add(key)
