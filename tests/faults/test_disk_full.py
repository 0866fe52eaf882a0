"""The raw archive's disk fills up during intake, for real, and then space comes back.

The table of raw messages (``inbound_messages``, the bytes as received) is moved to a
tablespace on a small tmpfs of its own, which a filler file then fills to the last block:
PostgreSQL answers ``53100 could not extend file … No space left on device``. Intake is
refused with a clear error (StoreFullError: HTTP 503 ``store_full`` with Retry-After), a
message that was taken in but cannot be processed stays ``received`` (never ``failed``), the
worker logs ``database full`` and counts ``customs_database_errors_total{kind="full"}``;
once the filler is removed every interchange is registered exactly once.

Mounting a tmpfs needs root (CAP_SYS_ADMIN); without it the test is skipped, and the same
boundary is tested on SQLite with a page limit (tests/faults/test_store_errors.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import subprocess
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import Engine

from clearance.app import LOCAL_OPERATOR, Application
from clearance.app import queueing as queue_cases
from clearance.app.messages import Interchange
from core.clock import SystemClock
from core.errors import StoreFullError
from core.settings import Settings
from tests.faults.cluster import Cluster
from tests.faults.processes import customs, metric, request_with_headers
from tests.faults.support import (
    assert_each_registered_once,
    broker_key,
    interchange,
    settled,
    value,
)
from tests.faults.test_postgres_restart import QUICK, ready
from tests.operations.support import wait_until

pytestmark = [pytest.mark.slow]

#: The tmpfs of the raw archive: small, so that it fills at once.
SIZE = "4m"


@contextlib.contextmanager
def small_disk(cluster: Cluster) -> Iterator[Path]:
    """A tmpfs of :data:`SIZE` owned by the cluster's user (skip: cannot mount here)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small filesystem needs root; see test_store_errors.py")
    folder = cluster.owned_folder("small-disk")
    owner = pwd.getpwnam("postgres")
    options = f"size={SIZE},uid={owner.pw_uid},gid={owner.pw_gid},mode=0700"
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False, capture_output=True)


def fill(folder: Path) -> Path:
    """Write a file into ``folder`` until its filesystem has no block left."""
    filler = folder / "filler"
    chunk = os.urandom(64 * 1024)
    with filler.open("wb", buffering=0) as handle:
        with contextlib.suppress(OSError):
            while True:
                handle.write(chunk)
        for size in (4096, 512, 1):  # the last partial blocks
            with contextlib.suppress(OSError):
                while True:
                    handle.write(chunk[:size])
    return filler


def test_a_full_raw_archive_refuses_clearly_loses_nothing_and_recovers(
    cluster: Cluster, database: Engine, tmp_path: Path
) -> None:
    app = Application(database, Settings(), SystemClock())
    key = broker_key(app)
    with small_disk(cluster) as disk:
        cluster.sql(f"CREATE TABLESPACE raw_archive LOCATION '{disk}'")
        with database.begin() as connection:
            connection.exec_driver_sql("ALTER TABLE inbound_messages SET TABLESPACE raw_archive")
        try:
            with (
                customs(database, tmp_path, "serve", "serve", port=True, **QUICK) as api,
                customs(database, tmp_path, "w1", "worker", port=True, **QUICK) as worker,
            ):
                for child in (api, worker):
                    wait_until(partial(ready, child), f"{child.log.stem} ready", every=0.2)
                for n in range(1, 4):  # taken in and processed while there is room
                    queue_cases.enqueue(app, LOCAL_OPERATOR, Interchange(interchange(n)))
                wait_until(lambda: settled(database), "the first messages processed")

                filler = fill(disk)
                sent, refused, said = 3, 0, ""
                while refused == 0 and sent < 60:
                    sent += 1
                    try:
                        queue_cases.enqueue(app, LOCAL_OPERATOR, Interchange(interchange(sent)))
                    except StoreFullError as exc:
                        refused += 1
                        said = exc.message
                assert refused, "the full disk never refused a message"
                assert "no space left" in said
                status, body, headers = request_with_headers(
                    "POST",
                    f"http://127.0.0.1:{api.port}/v1/submissions",
                    body=interchange(sent),  # the refused one, sent again over HTTP
                    headers={
                        "Authorization": f"Bearer {key}",
                        "Content-Type": "application/EDIFACT",
                    },
                )
                assert status == 503, body
                assert json.loads(body)["code"] == "store_full"
                assert headers.get("retry-after") == "5"
                failed = value(
                    database, "SELECT count(*) FROM inbound_messages WHERE status = 'failed'"
                )
                assert failed == 0

                filler.unlink()  # space is back
                queue_cases.enqueue(app, LOCAL_OPERATOR, Interchange(interchange(sent)))
                wait_until(lambda: settled(database), "every message processed", every=0.5)
                counted = metric(worker, "customs_database_errors_total", kind="full")
                logged = worker.logged("database full")
        finally:
            with database.begin() as connection:
                connection.exec_driver_sql("ALTER TABLE inbound_messages SET TABLESPACE pg_default")
            cluster.sql("DROP TABLESPACE IF EXISTS raw_archive")

    assert_each_registered_once(database, {f"IC{n:07d}" for n in range(1, sent + 1)})
    # A message taken in just as the disk filled meets it again when the worker processes it
    # (its status update needs a block too); whether one did depends on where the last free
    # block went, but each time is one log line and one count, and never a failed message.
    assert counted == len(logged)
    assert all(line["kind"] == "full" and line["will_retry"] for line in logged)
