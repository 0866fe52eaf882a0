#!/usr/bin/env python3
"""Set-up and everyday commands, needing nothing but Python 3.11+.

    python3 dev.py demo     # create .venv, install, process the samples into ./customs.db
    python3 dev.py test     # create .venv, install, run the test suite
    python3 dev.py check    # ruff, mypy --strict, import contracts
    python3 dev.py bench    # the benchmarks, figures printed
    python3 dev.py lock     # re-resolve requirements.lock after editing pyproject.toml;
                            # --upgrade or --upgrade-package NAME are passed on to uv
    python3 dev.py lock --check   # does requirements.lock match pyproject.toml? (CI)
    python3 dev.py openapi  # regenerate docs/openapi.json from the API's routes

.venv holds exactly what requirements.lock pins (installed by pip, hashes checked) and the
project in editable mode; it is rebuilt from scratch when the lock or pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import venv
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed"
PYPROJECT = ROOT / "pyproject.toml"
LOCK = ROOT / "requirements.lock"
#: How the lock is resolved: for every platform from Python 3.11 up, all extras, with hashes.
UV_COMPILE = ["pip", "compile", "--universal", "--python-version", "3.11", "--generate-hashes"]
UV_COMPILE += ["--all-extras", "--custom-compile-command", "python3 dev.py lock"]
SPEC_LINE = re.compile(r"^# pyproject-spec-sha256: ([0-9a-f]{64})\b", re.MULTILINE)
PIN_LINE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)
STALE = "requirements.lock does not match pyproject.toml: run `python3 dev.py lock`"


@dataclass(frozen=True)
class DependencySpec:
    """What pyproject.toml asks for; the lock is resolved from exactly this."""

    build_requires: list[str]
    requires_python: str | None
    dependencies: list[str]
    extras: dict[str, list[str]]

    @classmethod
    def read(cls, pyproject: str) -> DependencySpec:
        """The specification in a pyproject.toml's text (order of entries ignored)."""
        import tomllib  # not at the top: dev.py must start on an older Python to say so

        data = tomllib.loads(pyproject)
        project = data.get("project", {})
        extras = project.get("optional-dependencies", {})
        return cls(
            build_requires=sorted(data.get("build-system", {}).get("requires", [])),
            requires_python=project.get("requires-python"),
            dependencies=sorted(project.get("dependencies", [])),
            extras={name: sorted(extras[name]) for name in sorted(extras)},
        )

    def digest(self) -> str:
        """sha256 of the specification; the lock's header records it."""
        canonical = json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def requirements(self) -> list[str]:
        """Every requirement: build system, runtime, each extra."""
        extras = [req for reqs in self.extras.values() for req in reqs]
        return [*self.build_requires, *self.dependencies, *extras]


def lock_is_current(pyproject: str, lock: str) -> bool:
    """Does the lock's header record this pyproject.toml's dependency specification?"""
    recorded = SPEC_LINE.search(lock)
    return recorded is not None and recorded.group(1) == DependencySpec.read(pyproject).digest()


def pin_problems(pyproject: str, lock: str) -> list[str]:
    """Requirements of pyproject.toml that the lock does not pin, or pins outside their range.

    Imports ``packaging`` (pinned in the lock), so it runs with .venv's Python.
    """
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pins: dict[str, list[str]] = {}
    for name, version in PIN_LINE.findall(lock):
        pins.setdefault(canonicalize_name(name), []).append(version)
    problems: list[str] = []
    for text in DependencySpec.read(pyproject).requirements():
        requirement = Requirement(text)
        versions = pins.get(canonicalize_name(requirement.name), [])
        if not versions:
            problems.append(f"{text}: not pinned")
        problems.extend(
            f"{text}: pinned at {version}"
            for version in versions
            if not requirement.specifier.contains(version, prereleases=True)
        )
    return problems


def check_lock() -> None:
    """``dev.py lock --check``: the recorded hash (no imports needed), then each pin (.venv)."""
    pyproject, lock = PYPROJECT.read_text(), _lock_bytes().decode()
    if not lock_is_current(pyproject, lock):
        sys.exit(STALE)
    if Path(sys.prefix).resolve() != VENV.resolve():
        if not STAMP.exists():  # any finished .venv has `packaging`, whatever lock it holds
            ensure_env()
        run([str(BIN / "python"), str(ROOT / "dev.py"), "lock", "--check"])
        return
    problems = pin_problems(pyproject, lock)
    for problem in problems:
        print(f"requirements.lock: {problem}", file=sys.stderr)
    if problems:
        sys.exit(STALE)
    print("requirements.lock matches pyproject.toml")


def write_lock(uv_options: list[str]) -> None:
    """``dev.py lock``: re-resolve with .venv's uv; existing pins stay unless upgraded."""
    uv = shutil.which("uv", path=str(BIN))
    if uv is None:  # no .venv yet: the committed lock pins uv (the project is not needed)
        _create_from_lock()
        uv = str(BIN / "uv")
    spec, before = DependencySpec.read(PYPROJECT.read_text()), _lock_bytes()
    # uv reads pyproject.toml's requirements and extras; the build requirements (setuptools,
    # for the editable install without build isolation) come on stdin.
    command = [uv, *UV_COMPILE, *uv_options, "pyproject.toml", "-", "--output-file", LOCK.name]
    stdin = "".join(f"{req}\n" for req in spec.build_requires)
    resolved = subprocess.run(
        command, cwd=ROOT, input=stdin, text=True, stdout=subprocess.DEVNULL, check=False
    )
    if resolved.returncode != 0:
        sys.exit(resolved.returncode)
    lines = LOCK.read_text().splitlines(keepends=True)
    top = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    header = (
        f"# pyproject-spec-sha256: {spec.digest()}\n"
        "#    (of pyproject.toml's dependencies, extras, requires-python and build-system\n"
        "#    requires: `python3 dev.py lock --check` compares it; setuptools is pinned for\n"
        "#    the editable install, which runs without build isolation)\n"
    )
    LOCK.write_text("".join([*lines[:top], header, *lines[top:]]))
    run([str(BIN / "python"), str(ROOT / "dev.py"), "lock", "--check"])
    if LOCK.read_bytes() != before:
        print(f"{LOCK.name} changed: the next dev.py command rebuilds .venv from it")


def ensure_env() -> None:
    """Refuse a stale lock; (re)build .venv from the lock unless it holds it already."""
    lock = _lock_bytes()
    if not lock_is_current(PYPROJECT.read_text(), lock.decode()):
        sys.exit(STALE)
    _install(lock)


def _install(lock: bytes) -> None:
    wanted = hashlib.sha256(lock + b"\0" + PYPROJECT.read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    pip = _create_from_lock()
    # The build backend (setuptools) is in the lock: no build isolation, nothing fetched.
    run([*pip, "install", "--no-index", "--no-deps", "--no-build-isolation", "-e", str(ROOT)])
    run([*pip, "check"])
    STAMP.write_text(wanted)


def _create_from_lock() -> list[str]:
    print("creating .venv from requirements.lock ...", flush=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(VENV)  # nothing left from an older lock
    pip = [str(BIN / "python"), "-m", "pip", "--quiet"]
    run([*pip, "install", "--require-hashes", "--no-deps", "-r", str(LOCK)])
    return pip


def _lock_bytes() -> bytes:
    if not LOCK.exists():
        sys.exit(f"{LOCK.name} is missing: restore it from git")
    return LOCK.read_bytes()


def run(command: list[str], env: dict[str, str] | None = None) -> None:
    """Run a command from the project root; stop with its exit status when it fails."""
    result = subprocess.run(command, cwd=ROOT, env=env, check=False)
    if result.returncode != 0:
        sys.exit(result.returncode)


def main(argv: list[str]) -> None:
    """Dispatch the sub-command."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be run by an older python3
        sys.exit(f"Python 3.11 or newer is needed, this is {sys.version.split()[0]}")
    action = argv[0] if argv else "help"
    rest = argv[1:]
    if action not in {"demo", "test", "check", "bench", "lock", "openapi"}:
        print(__doc__)
        sys.exit(0 if action == "help" else 2)
    if action == "lock":
        if rest == ["--check"]:
            check_lock()
        else:
            write_lock(rest)
        return
    ensure_env()
    if action == "demo":
        run([str(BIN / "customs"), "demo", *rest])
    elif action == "test":
        run([str(BIN / "python"), "-m", "pytest", *rest])
    elif action == "openapi":
        run([str(BIN / "python"), "-m", "api.openapi_doc", *rest])
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
