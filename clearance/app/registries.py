"""Registries (licences, certificates of origin, agreement memberships, traders, price ranges)."""

from __future__ import annotations

from clearance.app.access import Permission, require
from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.documents import Document
from clearance.app.views import View
from clearance.decisions import registry_store


class RegistryLoaded(View):
    """A registry load: its id, content hash, record count, and whether it is new."""

    id: int
    content_hash: str
    record_count: int
    created: bool


def load(app: Application, actor: Actor, documents: list[Document]) -> RegistryLoaded:
    """Validate the documents together and store them as one load, the snapshot in force.

    All or nothing: :class:`rules.errors.RegistryLoadError` names every problem with its file,
    line and column, and nothing is stored. Loading the same content again changes nothing.
    """
    require(actor, Permission.REGISTRIES)
    sources = [(d.name, d.content) for d in documents]
    with app.unit() as session:
        loaded = registry_store.load_sources(session, sources, app.clock.now())
    return RegistryLoaded(
        id=loaded.id,
        content_hash=loaded.content_hash,
        record_count=loaded.record_count,
        created=loaded.created,
    )
