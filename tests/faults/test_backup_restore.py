"""The backup and restore drill of docs/operations.md, as written there.

A populated store (declarations registered, answers sent, events logged, a job queued) is
dumped with ``pg_dump -Fc`` and restored with ``pg_restore`` into a new database; the restored
store holds the same rows, an event follower's cursor continues there without a gap or a
repeat, declaration numbers continue after the last one, new submissions work and the queue
restored with it is worked off by a ``customs worker --drain``.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from clearance.app import LOCAL_OPERATOR, Application
from clearance.app import events as event_cases
from clearance.app import messages as message_cases
from clearance.app import queueing as queue_cases
from clearance.app.messages import Interchange
from core.clock import SystemClock
from core.db import make_engine
from core.settings import Settings
from tests.faults.cluster import Cluster
from tests.faults.support import interchange, rows, value
from tests.operations.support import ROOT, command_env

pytestmark = [pytest.mark.slow]

#: Tables compared row for row between the store and its restored copy.
COMPARED = ("inbound_messages", "declarations", "outbound_messages", "events", "job_slots")


@pytest.fixture
def restored(cluster: Cluster) -> Iterator[str]:
    """The name of the database to restore into (dropped at the end)."""
    name = "customs_faults_restored"
    cluster.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    yield name
    cluster.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def all_events(app: Application, after: int) -> list[int]:
    """Every event id after ``after``, page by page as a follower reads them."""
    ids: list[int] = []
    while True:
        page = event_cases.pull(app, LOCAL_OPERATOR, after=after, limit=50)
        if not page.events:
            return ids
        ids += [e.id for e in page.events]
        after = page.next_cursor


def test_a_dump_restored_into_a_new_database_continues_the_event_cursor(
    cluster: Cluster, database: Engine, restored: str
) -> None:
    app = Application(database, Settings(), SystemClock())
    for n in range(1, 9):
        message_cases.submit(app, LOCAL_OPERATOR, Interchange(interchange(n)))
    queued = queue_cases.enqueue(app, LOCAL_OPERATOR, Interchange(interchange(9)))
    assert queued.job_id is not None  # waiting in the queue when the backup is taken
    cursor = all_events(app, 0)[-1]  # a follower has read everything so far
    numbers = {str(n) for (n,) in rows(database, "SELECT number FROM declarations")}
    before = {t: rows(database, f"SELECT * FROM {t} ORDER BY id") for t in COMPARED}

    # The drill (docs/operations.md, "Backup and restore"), with the cluster's own programs.
    dump = cluster.owned_folder("backup") / "customs.dump"
    source = database.url.database
    assert source is not None
    cluster.tool("pg_dump", "--format=custom", f"--file={dump}", source)
    cluster.sql(f'CREATE DATABASE "{restored}"')
    cluster.tool("pg_restore", "--exit-on-error", "--no-owner", f"--dbname={restored}", str(dump))

    copy = make_engine(cluster.url(restored))
    try:
        for table, content in before.items():
            assert rows(copy, f"SELECT * FROM {table} ORDER BY id") == content, table
        again = Application(copy, Settings(), SystemClock())
        assert all_events(again, cursor) == []  # nothing after the cursor yet
        for n in range(10, 13):
            message_cases.submit(again, LOCAL_OPERATOR, Interchange(interchange(n)))
        drained = subprocess.run(
            [sys.executable, "-m", "clearance.cli", "worker", "--drain"],
            cwd=ROOT,
            env=command_env(copy),
            capture_output=True,
            timeout=120,
            check=False,
        )
        assert drained.returncode == 0, drained.stderr[-3000:]
        later = all_events(again, cursor)
        assert later == list(range(cursor + 1, cursor + 1 + len(later))), "a gap or a repeat"
        kinds = rows(copy, "SELECT kind, count(*) FROM events WHERE id > :c GROUP BY 1", c=cursor)
        assert {str(k): n for k, n in kinds}["registered"] == 4  # 3 new, 1 queued
        new_numbers = {str(n) for (n,) in rows(copy, "SELECT number FROM declarations")} - numbers
        assert len(new_numbers) == 4
        assert min(new_numbers) > max(numbers), "declaration numbers did not continue"
        assert value(copy, "SELECT count(*) FROM inbound_messages WHERE status = 'failed'") == 0
    finally:
        copy.dispose()
