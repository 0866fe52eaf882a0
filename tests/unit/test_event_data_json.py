"""An event's data is stored as ``json.dumps(data, ensure_ascii=False, sort_keys=True)``: the
encoder built once (stop 29) writes exactly that, and refuses what that refuses."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from clearance.lifecycle import events

CASES: list[dict[str, Any]] = [
    {},
    {"sender_reference": "REF000123", "items": 5},
    {"b": 1, "a": [1, 2.5, None, True, False, 'é\n"x\\', "中文"]},
    {"z": {"y": {"x": [{"k": float("inf"), "m": -0.0}]}}, "n": 10**30, "f": 0.1},
    {"reasons": ["declaration 1 is already released"], "version": 2, "after_release": False},
]


@pytest.mark.parametrize("data", CASES)
def test_event_data_is_written_as_json_dumps_writes_it(data: dict[str, Any]) -> None:
    assert events._encode(data) == json.dumps(data, ensure_ascii=False, sort_keys=True)


def test_what_json_dumps_refuses_is_refused() -> None:
    with pytest.raises(TypeError, match="Decimal"):
        events._encode({"amount": Decimal("1.5")})


def test_an_event_queued_carries_its_data_so_encoded() -> None:
    batch = events.EventBatch(at=None, inbound_message_id=7)  # type: ignore[arg-type]
    batch.add(events.EventKind.REGISTERED, declaration_number="N1", data={"b": 2, "a": "ü"})
    batch.add(events.EventKind.RECEIVED)
    assert [row["data"] for row in batch._rows] == ['{"a": "ü", "b": 2}', "{}"]
