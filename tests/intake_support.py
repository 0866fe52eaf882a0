"""A submit killed mid unit of work (``kill -9``), for the tests of stuck messages."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import Engine

from tests.concurrency import DEADLINE

ROOT = Path(__file__).resolve().parents[1]

#: A process that submits a file through the pipeline and stops inside the unit of work
#: (in its only declaration step) until it is killed: a `kill -9` during `customs submit`.
_HANGING_SUBMIT = """
import sys
from clearance.intake.pipeline import Pipeline
from core.clock import SystemClock
from core.db import make_engine
from core.settings import Settings

def hang(session, registered, outcome):
    print("processing", flush=True)
    sys.stdin.read()  # blocks until the test kills this process

engine = make_engine(sys.argv[1])
Pipeline(engine, Settings(), SystemClock(), [hang]).submit(open(sys.argv[2], "rb").read())
"""


def kill_during_submit(engine: Engine, path: Path) -> None:
    """Run a real process that submits ``path``, and kill -9 it mid unit of work."""
    url = engine.url.render_as_string(hide_password=False)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-c", _HANGING_SUBMIT, url, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    watchdog = threading.Timer(DEADLINE, process.kill)  # a safety net, not a synchroniser
    watchdog.start()
    try:
        line = process.stdout.readline() if process.stdout else ""
        assert line == "processing\n", process.stderr.read() if process.stderr else line
        process.kill()  # SIGKILL: no clean-up, no rollback by the process itself
        process.wait()
    finally:
        watchdog.cancel()
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream is not None:
                stream.close()
