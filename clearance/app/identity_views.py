"""What the identity use cases return: subjects, keys, mandates and who the caller is.

No view ever carries a secret or its hash, except :class:`IssuedKey`, which carries the new key
exactly once, when it is made.
"""

from __future__ import annotations

from clearance.app.views import View


class PartyIdView(View):
    """A party id a subject is, with its scheme."""

    scheme: str
    party_id: str


class SubjectView(View):
    """A subject as an admin sees it."""

    id: str
    name: str
    role: str
    parties: list[PartyIdView]
    offices: list[str]
    disabled: bool
    has_password: bool
    created_at: str


class ApiKeyView(View):
    """An API key's public facts (never its secret or hash)."""

    key_id: str
    subject: str
    label: str | None
    created_at: str
    expires_at: str | None
    revoked_at: str | None
    last_used_at: str | None
    #: The permissions the key is limited to (``read``, ``quote`` …); None: unscoped, every
    #: permission of its subject's role.
    scopes: list[str] | None


class IssuedKey(View):
    """A new API key: ``key`` is shown now and never again."""

    key: str
    details: ApiKeyView


class MandateView(View):
    """A trader's mandate to a broker."""

    id: int
    broker: str
    trader_party_id: str
    valid_from: str
    valid_to: str | None
    granted_by: str
    granted_at: str
    revoked_at: str | None
    in_force: bool


class Identity(View):
    """Who the caller is and what it acts as today (``describe``)."""

    subject: str
    name: str
    role: str
    #: Every party id the caller acts as today: its own, and its mandating traders'.
    party_ids: list[str]
    #: The caller's own party ids (for a broker, without its mandating traders').
    own_party_ids: list[str]
    offices: list[str]
    #: What the caller may do with this credential: its role's permissions within its scopes.
    permissions: list[str]
    #: The scopes of the credential it called with; None: unscoped (a key issued without
    #: scopes, a token without a ``scope`` claim, a console session).
    scopes: list[str] | None
