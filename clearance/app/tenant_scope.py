"""The second guard: PostgreSQL row-level security, armed per transaction for the actor.

The application layer's filters (:mod:`.access`) decide what an actor sees. On PostgreSQL a
read for a scoped actor (anyone but the operator and the admin) also runs as the role
``customs_tenant``, whose row-level security policies (migration 0009) show only the rows of
the party ids and offices set here for this transaction alone (``SET LOCAL``, ``set_config(…,
true)``): if a filter were ever forgotten, the database would still hide other tenants' rows.
SQLite has no such guard; the filters are the only one there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.orm import Session

from clearance.app.actor import OFFICE_ROLES, Actor, Role
from clearance.app.context import Application

#: The database role whose policies scope trader data (created by migration 0009).
TENANT_ROLE = "customs_tenant"
#: The transaction-local settings the policies read.
PARTY_IDS_SETTING = "app.party_ids"
OFFICES_SETTING = "app.offices"
SUBJECT_SETTING = "app.subject"


@contextmanager
def tenant_read(app: Application, actor: Actor) -> Iterator[Session]:
    """A read-only unit of work that also runs under row-level security for ``actor``."""
    with app.read() as session:
        scope_session(session, actor)
        yield session


def scope_session(session: Session, actor: Actor) -> None:
    """Arm row-level security for ``actor`` in ``session``'s transaction (PostgreSQL only).

    Party ids reach the policies only for traders and brokers, offices only for officers and
    supervisors: an agency's issuer names or a statistician's nothing match no declaration.
    """
    if actor.sees_everything or session.get_bind().dialect.name != "postgresql":
        return
    party = actor.role in (Role.TRADER, Role.BROKER)
    parties = sorted(actor.party_ids) if party else []
    offices = sorted(actor.offices) if actor.role in OFFICE_ROLES else []
    # One round trip: the three settings and the role in one statement (set_config on
    # ``role`` with is_local = true is SET LOCAL ROLE, membership checked alike).
    session.execute(
        _ARM,
        {
            "parties": _as_list(parties),
            "offices": _as_list(offices),
            "subject": actor.subject if party else "",
            "role": TENANT_ROLE,
        },
    )


_ARM = text(
    f"SELECT set_config('{PARTY_IDS_SETTING}', :parties, true),"
    f" set_config('{OFFICES_SETTING}', :offices, true),"
    f" set_config('{SUBJECT_SETTING}', :subject, true),"
    " set_config('role', :role, true)"
)


def _as_list(values: list[str]) -> str:
    # Party ids and offices never contain a comma (checked on entry), so a comma-joined list
    # is unambiguous; the policies split it with string_to_array.
    return ",".join(values)
