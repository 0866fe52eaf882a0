"""A signed-in browser session, page after page: who the subject is now, and signing out.

The console signs a person in once (:func:`clearance.app.identity.authenticate_password`) and
keeps the subject id and the instant it signed in (the application's clock) in its session;
every page asks :func:`resume` for the actor again, so a disabled subject is signed out at its
next page and a broker's mandates are those in force today, as for an API key.

The session is a cookie the server does not keep, so ending one is recorded on the subject:
:func:`sign_out` (and a new password, :func:`clearance.app.subjects.set_password`) set
``subjects.sessions_valid_from`` to now, and :func:`resume` refuses every session signed in
before it, also a copy of the cookie taken before the sign-out.
"""

from __future__ import annotations

from datetime import datetime

from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.identity import NotAuthenticatedError, actor_of, local_today
from clearance.store.identity_tables import Subject
from core.clock import as_utc


def resume(app: Application, subject_id: str, signed_in_at: datetime) -> Actor:
    """The actor of ``subject_id`` now, for a session signed in at ``signed_in_at``;
    ``NotAuthenticatedError`` if it is gone or disabled, or its sessions were ended since."""
    with app.read() as session:
        subject = session.get(Subject, subject_id)
        if subject is None or subject.disabled:
            raise NotAuthenticatedError()
        if not _in_force(subject, signed_in_at):
            raise NotAuthenticatedError()
        return actor_of(session, subject, local_today(app))


def sign_out(app: Application, subject_id: str, signed_in_at: datetime) -> None:
    """The session of ``subject_id`` signed in at ``signed_in_at`` signs out: every console
    session of the subject signed in until now ends (copies of its cookie too). Nothing
    happens for a session that had already ended (a stale copy cannot sign out the others)."""
    with app.unit() as session:
        subject = session.get(Subject, subject_id, with_for_update=True)
        if subject is None or not _in_force(subject, signed_in_at):
            return
        subject.sessions_valid_from = app.clock.now()


def _in_force(subject: Subject, signed_in_at: datetime) -> bool:
    valid_from = subject.sessions_valid_from
    return valid_from is None or as_utc(signed_in_at) >= as_utc(valid_from)
