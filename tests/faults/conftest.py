"""Fixtures of the fault tests: a private PostgreSQL cluster per session, a database per test.

They run where PostgreSQL tests run (``CUSTOMS_TEST_POSTGRES_URL`` set, as in CI) or when
``CUSTOMS_TEST_FAULTS=1`` asks for them, and only where PostgreSQL's programs are installed
(:func:`tests.faults.cluster.missing_tools`); otherwise they are skipped, saying why.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from clearance.store.migrate import upgrade
from core.db import make_engine
from tests.faults.cluster import Cluster, missing_tools
from tests.offices_support import load_sample_offices

_names = itertools.count(1)


def _wanted() -> str | None:
    if os.environ.get("CUSTOMS_TEST_POSTGRES_URL") or os.environ.get("CUSTOMS_TEST_FAULTS"):
        return None
    return (
        "the fault tests run with the PostgreSQL tests (CUSTOMS_TEST_POSTGRES_URL set) "
        "or with CUSTOMS_TEST_FAULTS=1"
    )


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    """A private PostgreSQL cluster, started; removed at the end of the session."""
    why = _wanted() or missing_tools()
    if why:
        pytest.skip(why)
    made = Cluster.create()
    try:
        made.start()
        yield made
    finally:
        made.remove()


@pytest.fixture
def database(cluster: Cluster) -> Iterator[Engine]:
    """A new migrated database on the private cluster (started again if a test left it down)."""
    if not cluster.running():
        cluster.start()
    name = f"customs_faults_{os.getpid()}_{next(_names)}"
    engine = make_engine(cluster.create_database(name))
    upgrade(engine)
    load_sample_offices(engine)
    yield engine
    engine.dispose()
    if not cluster.running():
        cluster.start()
    cluster.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
