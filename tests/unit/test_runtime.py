"""core.runtime: the garbage-collector policy of the long-running processes (stop 25)."""

from __future__ import annotations

import argparse
import gc
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any, cast

import pytest

import api.asgi
from clearance.app import Application
from clearance.cli import operations
from core import runtime
from core.runtime import heap_settled, settle_heap
from core.settings import Settings


@pytest.fixture(autouse=True)
def _interpreter_defaults() -> Iterator[None]:
    """Each test starts and ends with nothing frozen and the thresholds as they were."""
    thresholds = gc.get_threshold()
    gc.unfreeze()
    runtime._SETTLED[0] = False
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)
    runtime._SETTLED[0] = False  # the pipeline of later tests must not freeze again


def test_start_up_is_frozen_out_of_the_collector_s_passes() -> None:
    held = [object() for _ in range(10)]  # long-lived: in the frozen set afterwards
    assert gc.get_freeze_count() == 0
    policy = settle_heap(Settings(database_url="sqlite://"))
    # (The count falls as frozen objects are freed by their reference counts.)
    assert policy.frozen > len(held) and gc.get_freeze_count() > 0
    assert policy.thresholds == gc.get_threshold()
    assert heap_settled()  # the pipeline settles again what its interchanges leave alive
    # Garbage made afterwards is still collected: the collector runs as before.
    assert gc.isenabled()
    cycle: list[Any] = []
    cycle.append(cycle)
    del cycle
    assert gc.collect() >= 1


def test_start_up_garbage_is_collected_before_freezing() -> None:
    cycle: list[Any] = []
    cycle.append(cycle)
    marker = id(cycle)
    del cycle
    settle_heap(Settings(database_url="sqlite://"))
    gc.unfreeze()  # what was frozen is now visible again: the cycle is not among it
    assert all(id(o) != marker for o in gc.get_objects())


def test_the_young_threshold_is_raised_when_set() -> None:
    _, older, oldest = gc.get_threshold()
    policy = settle_heap(Settings(database_url="sqlite://", gc_gen0_threshold=5000))
    assert gc.get_threshold() == (5000, older, oldest) == policy.thresholds


def test_operators_turn_the_policy_off() -> None:
    before = gc.get_threshold()
    policy = settle_heap(
        Settings(database_url="sqlite://", gc_freeze=False, gc_gen0_threshold=5000)
    )
    assert gc.get_freeze_count() == 0 == policy.frozen
    assert gc.get_threshold() == before
    assert not heap_settled()  # nor does the pipeline freeze after its interchanges


def test_the_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUSTOMS_GC_FREEZE", "false")
    monkeypatch.setenv("CUSTOMS_GC_GEN0_THRESHOLD", "2000")
    settings = Settings()
    assert settings.gc_freeze is False and settings.gc_gen0_threshold == 2000


def test_the_server_s_factory_applies_it_after_build(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(database_url="sqlite://", gc_gen0_threshold=4321)
    built = SimpleNamespace(state=SimpleNamespace(application=SimpleNamespace(settings=settings)))
    monkeypatch.setattr(api.asgi, "build", lambda: built)
    assert cast(object, api.asgi.create()) is built
    assert gc.get_freeze_count() > 0 and gc.get_threshold()[0] == 4321


@pytest.mark.parametrize("command", ["worker", "scheduler"])
def test_the_worker_and_the_scheduler_apply_it_before_taking_work(
    monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    frozen_when_run: list[int] = []

    def run(*_: Any, **__: Any) -> None:
        frozen_when_run.append(gc.get_freeze_count())

    monkeypatch.setattr(operations, "configure_logging", lambda *_, **__: None)
    monkeypatch.setattr("clearance.app.worker.run", run)
    monkeypatch.setattr("clearance.app.scheduler.run", run)
    monkeypatch.setattr("signal.signal", lambda *_: None)
    settings = Settings(database_url="sqlite://")
    app = cast(Application, SimpleNamespace(settings=settings))
    args = argparse.Namespace(health_port=None, concurrency=1, drain=True, name=None)
    handler = operations._worker if command == "worker" else operations._scheduler
    assert handler(args, app) == 0
    assert len(frozen_when_run) == 1 and frozen_when_run[0] > 0
