"""A signed-in browser session, page after page: who the subject is now.

The console signs a person in once (:func:`clearance.app.identity.authenticate_password`) and
keeps only the subject id in its session; every page asks :func:`resume` for the actor again, so
a disabled subject is signed out at its next page and a broker's mandates are those in force
today, as for an API key.
"""

from __future__ import annotations

from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.identity import NotAuthenticatedError, actor_of, local_today
from clearance.store.identity_tables import Subject


def resume(app: Application, subject_id: str) -> Actor:
    """The actor of ``subject_id`` now; ``NotAuthenticatedError`` if it is gone or disabled."""
    with app.read() as session:
        subject = session.get(Subject, subject_id)
        if subject is None or subject.disabled:
            raise NotAuthenticatedError()
        return actor_of(session, subject, local_today(app))
