"""Fixtures of the operations tests (every one of them uses a database): no injected fault
outlives its test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from tests.operations.support import healed


@pytest.fixture(autouse=True)
def _no_fault_left(engine: Engine) -> Iterator[None]:
    yield
    healed(engine)
