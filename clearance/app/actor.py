"""Who is acting: every use case takes an :class:`Actor` and is scoped by it.

A subject has a role and, depending on the role, the party ids it acts as (a trader's own USCC
or EORI; a broker's mandating traders) and the customs offices it works for (an officer). The
local operator is whoever runs the ``customs`` command on the machine that holds the store:
it may see and do everything, as the database file itself would let it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    """What a subject is; what it may see and do follows from it (:mod:`clearance.app.access`)."""

    OPERATOR = "operator"  # the local command line: everything
    ADMIN = "admin"  # subjects, keys, mandates, offices, tariffs, rulesets
    TRADER = "trader"  # its own declarations, messages, licences, rebate records
    BROKER = "broker"  # the declarations of the traders that gave it a mandate
    OFFICER = "officer"  # the declarations of its own customs offices, officer actions
    AGENCY = "agency"  # the licences and certificates it issues
    STATISTICIAN = "statistician"  # aggregates only, never one declaration
    FX_AUTHORITY = "fx_authority"  # FX monitoring: bank feeds, indicators, classes (issue 14)
    SUPERVISOR = "supervisor"  # an officer who may also reassign and override claims


#: Roles that work for customs offices and see the declarations of those offices.
OFFICE_ROLES = frozenset({Role.OFFICER, Role.SUPERVISOR})


@dataclass(frozen=True, slots=True)
class Actor:
    """An identified subject acting in one use case call."""

    subject: str
    role: Role
    #: Party ids (USCC, EORI …) the subject acts as: its own, and those it holds a mandate for.
    party_ids: frozenset[str] = field(default_factory=frozenset)
    #: 4-digit customs offices an officer works for.
    offices: frozenset[str] = field(default_factory=frozenset)
    #: Permissions granted to this subject beyond its role's (``access.Permission`` values),
    #: e.g. a statistician's clearance to see unprotected tables.
    grants: frozenset[str] = field(default_factory=frozenset)
    #: The scopes of the credential this call came with (``access.Permission`` values): the
    #: actor may use only these of its permissions. None: unscoped, every permission of its
    #: role (a key issued without scopes, a token without a ``scope`` claim, a console
    #: session, the local operator). Checked in one place, :func:`clearance.app.access.require`.
    scopes: frozenset[str] | None = None

    @classmethod
    def local(cls, name: str = "local-operator") -> Actor:
        """The operator at the command line, under ``name`` (e.g. an officer's id)."""
        return cls(subject=name, role=Role.OPERATOR)

    @property
    def sees_everything(self) -> bool:
        """The operator and the admin are not scoped to parties or offices."""
        return self.role in (Role.OPERATOR, Role.ADMIN)


#: The actor of a command run locally without a name.
LOCAL_OPERATOR = Actor.local()

__all__ = ["LOCAL_OPERATOR", "OFFICE_ROLES", "Actor", "Role"]
