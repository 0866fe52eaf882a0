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
    session.execute(
        text("SELECT set_config(:name, :value, true)"),
        {"name": PARTY_IDS_SETTING, "value": _as_list(parties)},
    )
    session.execute(
        text("SELECT set_config(:name, :value, true)"),
        {"name": OFFICES_SETTING, "value": _as_list(offices)},
    )
    session.execute(
        text("SELECT set_config(:name, :value, true)"),
        {"name": SUBJECT_SETTING, "value": actor.subject if party else ""},
    )
    session.execute(text(f"SET LOCAL ROLE {TENANT_ROLE}"))


def _as_list(values: list[str]) -> str:
    # Party ids and offices never contain a comma (checked on entry), so a comma-joined list
    # is unambiguous; the policies split it with string_to_array.
    return ",".join(values)
