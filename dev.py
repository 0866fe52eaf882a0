#!/usr/bin/env python3
"""Set-up and everyday commands, needing nothing but Python 3.11+.

    python3 dev.py demo     # create .venv, install, process the samples into ./customs.db
    python3 dev.py test     # create .venv, install, run the test suite
    python3 dev.py check    # ruff, mypy --strict, import contracts
    python3 dev.py bench    # the benchmarks, figures printed

The virtual environment is (re)installed when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed"


def ensure_env() -> None:
    """Create the virtual environment and install the project with its dev extras."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be run by an older python3
        sys.exit(f"Python 3.11 or newer is needed, this is {sys.version.split()[0]}")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print("creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("installing the project and its dependencies into .venv ...", flush=True)
    run([str(BIN / "python"), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    run([str(BIN / "python"), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[dev]"])
    STAMP.write_text(wanted)


def run(command: list[str], env: dict[str, str] | None = None) -> None:
    """Run a command from the project root; stop with its exit status when it fails."""
    result = subprocess.run(command, cwd=ROOT, env=env, check=False)
    if result.returncode != 0:
        sys.exit(result.returncode)


def main(argv: list[str]) -> None:
    """Dispatch the sub-command."""
    action = argv[0] if argv else "help"
    rest = argv[1:]
    if action not in {"demo", "test", "check", "bench"}:
        print(__doc__)
        sys.exit(0 if action == "help" else 2)
    ensure_env()
    if action == "demo":
        run([str(BIN / "customs"), "demo", *rest])
    elif action == "test":
        run([str(BIN / "python"), "-m", "pytest", *rest])
    elif action == "check":
        run([str(BIN / "ruff"), "check", "."])
        run([str(BIN / "ruff"), "format", "--check", "."])
        run([str(BIN / "mypy"), "--strict", "."])
        run([str(BIN / "lint-imports")])
    else:
        for bench in sorted((ROOT / "benchmarks").glob("*_bench.py")):
            print(f"== {bench.name}", flush=True)
            run([str(BIN / "python"), str(bench), *rest])


if __name__ == "__main__":
    main(sys.argv[1:])
