"""A stored registry load's snapshot takes its digest from the load's content hash.

The hash is the sha256 of the very text the records are read back from, so re-dumping every
record to canonical JSON (the first interchange after each registry change paid for it) gives
the same digest; a row whose text no longer matches its hash has the digest worked out again.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

import rules.registry.snapshot as snapshot_module
from clearance.decisions import registry_store
from clearance.store.control_tables import RegistryLoad
from rules.registry import records_digest
from tests.integration.test_controls_support import prepare

pytestmark = pytest.mark.db


def _records(text: str) -> list[Any]:
    return [registry_store._ADAPTER.validate_json(line) for line in text.splitlines() if line]


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    original = snapshot_module.records_digest

    def counted(records: Any) -> str:
        calls.append(1)
        return original(records)

    monkeypatch.setattr(snapshot_module, "records_digest", counted)
    return calls


def test_the_snapshot_of_a_stored_load_has_its_records_digest_without_redumping_them(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    prepare(engine)
    monkeypatch.setattr(registry_store, "_CACHE", {})  # rebuilt from the row, not remembered
    calls = _counting(monkeypatch)
    with Session(engine) as session:
        load_id, registries = registry_store.latest(session)
        row = session.get(RegistryLoad, load_id)
        assert row is not None
        assert calls == []
        assert registries.digest == row.content_hash == records_digest(_records(row.records))


def test_a_load_whose_text_differs_from_its_hash_gets_the_digest_of_what_it_holds(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    prepare(engine)
    with Session(engine) as session:
        load_id, _ = registry_store.latest(session)
        row = session.get(RegistryLoad, load_id)
        assert row is not None
        edited = row.records.replace('"quantity": "50000"', '"quantity": "50001"', 1)
        assert edited != row.records
        session.execute(
            update(RegistryLoad).where(RegistryLoad.id == load_id).values(records=edited)
        )
        session.commit()
    monkeypatch.setattr(registry_store, "_CACHE", {})
    calls = _counting(monkeypatch)
    with Session(engine) as session:
        load_id, registries = registry_store.latest(session)
        assert calls == [1]
        assert registries.digest == records_digest(_records(edited))
        assert registries.digest != session.get(RegistryLoad, load_id).content_hash  # type: ignore[union-attr]
