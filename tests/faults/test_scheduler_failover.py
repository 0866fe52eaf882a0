"""The scheduler leader is killed (``kill -9``) while partners drop files in their mailboxes.

``customs serve``, a ``customs worker`` and two ``customs scheduler`` run on a private
cluster, with mailbox folders. The leader is killed; the second takes over (the time is
measured and printed), no (job, slot) is claimed twice, every claimed slot is run once by the
worker, and every file dropped before, during and after the take-over is registered once.
"""

from __future__ import annotations

import os
import signal
import time
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import Engine

from clearance.app import Application
from core.settings import Settings
from tests.faults.cluster import Cluster
from tests.faults.processes import Child, customs, metric
from tests.faults.support import assert_each_registered_once, interchange, rows, settled, value
from tests.faults.test_postgres_restart import QUICK, ready
from tests.operations.support import mailbox_partner, wait_until

pytestmark = [pytest.mark.slow]
#: The take-over must happen within this (generous: two shared cores, many processes).
TAKE_OVER_BOUND = 30.0


def drop(mailbox: Path, n: int) -> None:
    """A partner writes interchange ``n`` into its inbound folder (write, then rename)."""
    inbound = mailbox / "BROKER01" / "in"
    inbound.mkdir(parents=True, exist_ok=True)
    partial_file = inbound / f".{n:04d}.edi"
    partial_file.write_bytes(interchange(n))
    partial_file.rename(inbound / f"{n:04d}.edi")


def leading(child: Child) -> bool:
    """Whether ``child`` says it leads (its customs_scheduler_leader gauge)."""
    try:
        return metric(child, "customs_scheduler_leader") == 1.0
    except OSError:
        return False


def test_the_second_scheduler_takes_over_within_seconds_and_no_slot_runs_twice(
    cluster: Cluster, database: Engine, tmp_path: Path
) -> None:
    mailbox = tmp_path / "mailbox"
    # Files are written under a dot name and renamed: nothing to wait for before taking them.
    env = {**QUICK, "CUSTOMS_MAILBOX_ROOT": str(mailbox), "CUSTOMS_MAILBOX_SETTLE_SECONDS": "0"}
    mailbox_partner(Application(database, Settings()))  # BROKER01's folder is broker-01's
    drop(mailbox, 1)
    with (
        customs(database, tmp_path, "serve", "serve", port=True, **env) as api,
        customs(database, tmp_path, "worker", "worker", port=True, **env) as worker,
        customs(database, tmp_path, "s1", "scheduler", port=True, **env) as first,
    ):
        for child in (api, worker, first):
            wait_until(partial(ready, child), f"{child.log.stem} ready", every=0.2)
        wait_until(partial(leading, first), "the first scheduler to lead", every=0.2)
        with customs(database, tmp_path, "s2", "scheduler", port=True, **env) as second:
            wait_until(partial(ready, second), "the second scheduler ready", every=0.2)
            drop(mailbox, 2)
            wait_until(
                lambda: value(database, "SELECT count(*) FROM declarations") == 2,
                "the first files registered",
            )
            assert not leading(second)
            os.kill(first.pid, signal.SIGKILL)
            killed = time.monotonic()
            first.process.wait(30)
            drop(mailbox, 3)  # while nobody leads
            wait_until(partial(leading, second), "the take-over", TAKE_OVER_BOUND, every=0.05)
            took = time.monotonic() - killed
            drop(mailbox, 4)
            wait_until(
                lambda: value(database, "SELECT count(*) FROM declarations") == 4,
                "every file registered",
            )
            wait_until(
                lambda: (
                    settled(database)
                    and value(database, "SELECT count(*) FROM job_slots WHERE status = 'queued'")
                    == 0
                ),
                "every claimed slot run",
            )
            assert second.logged("leading"), "the new leader did not say so"
    print(f"\nscheduler take-over after kill -9: {took:.2f} s (poll 0.5 s)")
    assert took < TAKE_OVER_BOUND
    twice = rows(database, "SELECT job, slot FROM job_slots GROUP BY 1, 2 HAVING count(*) > 1")
    assert twice == []
    # Each claimed slot was queued once and run once: one queue job per slot, all done.
    assert value(database, "SELECT count(*) FROM job_slots WHERE status <> 'done'") == 0
    jobs_per_slot = rows(
        database,
        "SELECT (args->>'slot_id')::int, count(*) FROM procrastinate.procrastinate_jobs "
        "WHERE task_name = 'run_scheduled' GROUP BY 1 HAVING count(*) > 1",
    )
    assert jobs_per_slot == []
    claimers = {
        str(c).rsplit(":", 1)[1] for (c,) in rows(database, "SELECT claimed_by FROM job_slots")
    }
    assert claimers == {str(first.pid), str(second.pid)}
    assert_each_registered_once(database, {f"IC{n:07d}" for n in range(1, 5)})
