"""dev.py's lock check: requirements.lock must match pyproject.toml's dependency specification."""

from __future__ import annotations

import re

import dev

PYPROJECT = """
[build-system]
requires = ["setuptools>=77"]
[project]
name = "x"
requires-python = ">=3.11"
dependencies = ["lxml>=5.2,<7", "pyx12>=4.0,<5"]
[project.optional-dependencies]
dev = ["pytest>=8", "psycopg[binary]>=3.1,<4"]
"""
LOCK = """# header
lxml==6.2.0 \\
    --hash=sha256:00
pyx12==4.0.0 \\
    --hash=sha256:00
    # via x
pytest==9.2.0 ; sys_platform != 'emscripten' \\
    --hash=sha256:00
psycopg==3.3.9 \\
    --hash=sha256:00
setuptools==84.2.1 \\
    --hash=sha256:00
"""


def _with_header(pyproject: str, lock: str) -> str:
    digest = dev.DependencySpec.read(pyproject).digest()
    return f"# pyproject-spec-sha256: {digest}\n{lock}"


def test_the_committed_lock_matches_pyproject() -> None:
    pyproject, lock = dev.PYPROJECT.read_text(), dev.LOCK.read_text()
    assert dev.lock_is_current(pyproject, lock)
    assert dev.pin_problems(pyproject, lock) == []


def test_the_digest_follows_requirements_not_their_order() -> None:
    digest = dev.DependencySpec.read(PYPROJECT).digest()
    reordered = PYPROJECT.replace(
        '"lxml>=5.2,<7", "pyx12>=4.0,<5"', '"pyx12>=4.0,<5", "lxml>=5.2,<7"'
    )
    assert dev.DependencySpec.read(reordered).digest() == digest
    for before, after in [
        ("lxml>=5.2,<7", "lxml>=5.3,<7"),
        ('"pytest>=8"', '"pytest>=8", "uv"'),
        (">=3.11", ">=3.12"),
        ("setuptools>=77", "setuptools>=78"),
    ]:
        changed = PYPROJECT.replace(before, after)
        assert dev.DependencySpec.read(changed).digest() != digest, after


def test_a_lock_from_another_specification_is_stale() -> None:
    lock = _with_header(PYPROJECT, LOCK)
    assert dev.lock_is_current(PYPROJECT, lock)
    assert not dev.lock_is_current(PYPROJECT.replace("<7", "<8"), lock)
    assert not dev.lock_is_current(PYPROJECT, LOCK)  # no recorded digest at all


def test_pins_outside_a_range_and_missing_pins_are_named() -> None:
    assert dev.pin_problems(PYPROJECT, LOCK) == []
    lock = LOCK.replace("lxml==6.2.0", "lxml==5.1.0")
    lock = re.sub(r"^pyx12==.*?(?=^pytest)", "", lock, flags=re.DOTALL | re.MULTILINE)
    assert dev.pin_problems(PYPROJECT, lock) == [
        "lxml>=5.2,<7: pinned at 5.1.0",
        "pyx12>=4.0,<5: not pinned",
    ]
