"""A private PostgreSQL cluster for the fault tests: started, restarted and filled at will.

The machine's shared server (port 5432) is never touched: each test session that needs one
makes its own cluster with ``initdb`` in a temporary folder, on a free loopback port, and
removes it at the end. The PostgreSQL programs are looked for in ``CUSTOMS_TEST_PG_BIN`` (by
default Debian's ``/usr/lib/postgresql/15/bin``); without them the tests that need a cluster
are skipped. PostgreSQL refuses to run as root, so as root the cluster runs as ``postgres``.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import psycopg

PG_BIN = Path(os.environ.get("CUSTOMS_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
_OWNER = "postgres"


def missing_tools() -> str | None:
    """Why a private cluster cannot be made here (None: it can)."""
    for tool in ("initdb", "pg_ctl", "pg_dump", "pg_restore"):
        if not (PG_BIN / tool).is_file():
            return f"no {PG_BIN / tool} (set CUSTOMS_TEST_PG_BIN to PostgreSQL's bin folder)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(_OWNER)
        except KeyError:
            return "running as root and there is no 'postgres' user to run a cluster as"
        if shutil.which("runuser") is None:
            return "running as root and there is no runuser to start a cluster as postgres"
    return None


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """One private PostgreSQL cluster in ``base`` listening on 127.0.0.1:``port``."""

    def __init__(self, base: Path, port: int) -> None:
        self.base = base
        self.port = port
        self.data = base / "data"
        self.log = base / "server.log"

    @classmethod
    def create(cls) -> Cluster:
        """initdb a new cluster in a new temporary folder (not started)."""
        base = Path(tempfile.mkdtemp(prefix="customs-faults-pg-"))
        cluster = cls(base, free_port())
        cluster._own(base)
        cluster.run(
            "initdb",
            "-D",
            str(cluster.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--no-instructions",
        )
        return cluster

    def _own(self, path: Path) -> None:
        if os.geteuid() == 0:
            entry = pwd.getpwnam(_OWNER)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def command(self, tool: str, *args: str) -> list[str]:
        """The argv that runs PostgreSQL's ``tool`` as the cluster's owner."""
        argv = [str(PG_BIN / tool), *args]
        return ["runuser", "-u", _OWNER, "--", *argv] if os.geteuid() == 0 else argv

    def run(self, tool: str, *args: str, timeout: float = 120) -> str:
        """Run ``tool`` to completion; its output (fails the caller with it on an error)."""
        done = subprocess.run(
            self.command(tool, *args),
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.base,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{tool} {' '.join(args)} failed: {done.stderr or done.stdout}")
        return done.stdout

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.base} -c fsync=off -c max_connections=60"
        )
        self.run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: ``fast`` ends sessions cleanly, ``immediate`` is a crash."""
        self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def running(self) -> bool:
        """Whether the server is up."""
        done = subprocess.run(
            self.command("pg_ctl", "-D", str(self.data), "status"),
            capture_output=True,
            timeout=30,
            check=False,
        )
        return done.returncode == 0

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of ``database`` on this cluster."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def conninfo(self, database: str = "postgres") -> str:
        """The libpq connection string of ``database``."""
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={database}"

    def sql(self, statement: str, database: str = "postgres") -> None:
        """Run one statement outside a transaction (CREATE DATABASE, TABLESPACE …)."""
        with psycopg.connect(self.conninfo(database), autocommit=True) as connection:
            connection.execute(statement.encode())

    def create_database(self, name: str, *, tablespace: str | None = None) -> str:
        """A new empty database; its SQLAlchemy URL."""
        where = f" TABLESPACE {tablespace}" if tablespace else ""
        self.sql(f'CREATE DATABASE "{name}"{where}')
        return self.url(name)

    def tool(self, tool: str, *args: str) -> str:
        """Run a client program (pg_dump, pg_restore) against this cluster."""
        return self.run(tool, "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", *args)

    def owned_folder(self, name: str) -> Path:
        """A folder inside the cluster's base that the server may write (a tablespace, a dump)."""
        path = self.base / name
        path.mkdir(exist_ok=True)
        self._own(path)
        return path

    def remove(self) -> None:
        """Stop the server (as a crash: nothing to keep) and delete the folder."""
        if self.running():
            self.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)


def log_tail(cluster: Cluster, lines: int = 40) -> Sequence[str]:
    """The last lines of the server's log (for a failing test's message)."""
    try:
        return cluster.log.read_text(errors="replace").splitlines()[-lines:]
    except OSError:
        return []
