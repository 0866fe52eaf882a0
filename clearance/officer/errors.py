"""Why an officer action cannot apply; the application layer translates each one.

``ClaimHeldError`` and ``StaleVersionError`` are conflicts (someone else got there first); the
others are refusals (the declaration is not in a state the action applies to).
"""

from __future__ import annotations

from core.errors import CustomsError


class StaleVersionError(CustomsError):
    """The officer saw another version than the one the declaration is at now."""

    code = "stale_version"


class NotWaitingError(CustomsError):
    """The declaration does not wait for an officer (released, rejected, invalidated …)."""

    code = "not_waiting"


class ClaimHeldError(CustomsError):
    """Another officer holds the declaration; the message and ``holder`` name them."""

    code = "claim_held"

    def __init__(self, number: str, holder: str) -> None:
        super().__init__(f"declaration {number} is claimed by {holder}")
        self.holder = holder


class NotClaimedError(CustomsError):
    """The action needs a claim on the declaration and nobody (or not the actor) holds one."""

    code = "not_claimed"
