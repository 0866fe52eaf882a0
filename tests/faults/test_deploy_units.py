"""docs/deploy: the systemd units are valid and the env example names only real settings."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from api.settings import ApiSettings
from core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "docs" / "deploy"
UNITS = ("customs-serve.service", "customs-worker@.service", "customs-scheduler.service")


def settings_variables() -> set[str]:
    """Every environment variable a setting is read from."""
    core = {f"CUSTOMS_{name.upper()}" for name in Settings.model_fields}
    api = {f"CUSTOMS_API_{name.upper()}" for name in ApiSettings.model_fields}
    return core | api


def test_every_variable_of_the_env_example_is_a_real_setting() -> None:
    lines = (DEPLOY / "customs.env.example").read_text().splitlines()
    names = [line.split("=", 1)[0] for line in lines if line and not line.startswith("#")]
    assert names, "the example sets nothing"
    unknown = sorted(set(names) - settings_variables())
    assert unknown == [], f"not settings: {unknown}"
    # And the example is read as settings are: every value parses.
    values = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
    core = {k.removeprefix("CUSTOMS_").lower(): v for k, v in values.items() if "_API_" not in k}
    Settings.model_validate(core)


def test_the_units_start_the_three_processes_with_the_env_file() -> None:
    for name in UNITS:
        unit = (DEPLOY / name).read_text()
        assert "EnvironmentFile=/etc/customs/customs.env" in unit
        command = next(line for line in unit.splitlines() if line.startswith("ExecStart="))
        process = command.split()[1]
        assert process in ("serve", "worker", "scheduler") and process in name


def test_systemd_analyze_verify_finds_nothing_wrong(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here")
    customs = ROOT / ".venv" / "bin" / "customs"
    if not customs.exists():
        pytest.skip("no .venv/bin/customs to stand in for /opt/customs/.venv/bin/customs")
    # verify checks that ExecStart's program exists: point the units at this checkout.
    for name in UNITS:
        text = (
            (DEPLOY / name)
            .read_text()
            .replace("/opt/customs/.venv/bin/customs", str(customs))
            .replace("/etc/customs/customs.env", str(DEPLOY / "customs.env.example"))
            .replace("WorkingDirectory=/opt/customs", f"WorkingDirectory={ROOT}")
        )
        (tmp_path / name.replace("@.", "@1.")).write_text(text)
    done = subprocess.run(
        [analyze, "verify", "--man=no", *sorted(p.name for p in tmp_path.iterdir())],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"SYSTEMD_LOG_LEVEL": "notice", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    # verify exits 0 even for an unknown key: anything it says about our files is a failure.
    said = [line for line in (done.stdout + done.stderr).splitlines() if ".service" in line]
    assert done.returncode == 0 and said == [], done.stdout + done.stderr
