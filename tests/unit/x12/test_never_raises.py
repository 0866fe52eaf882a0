"""Property: whatever the bytes, ``read_x12`` answers, and a readable interchange can be acked."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edi.x12 import AckControl, X12ReadResult, read_x12, render_997, render_999, render_ta1
from tests.unit.x12.helpers import SAMPLES

CONTROL = AckControl(1, 1, 1, datetime(2026, 11, 28, 10, 0, tzinfo=UTC))
SEEDS = [p.read_bytes() for p in sorted(SAMPLES.glob("0[1-4]-*.x12")) if p.name.count(".") == 1]
NOISE = st.sampled_from([b"~", b"*", b">", b"^", b"\xc2\xa7", b"\r\n", b" ", b"", b"\xff", b"9"])


def _answer(result: X12ReadResult) -> None:
    assert isinstance(result, X12ReadResult)
    if result.interchange is None:
        return
    render_ta1(result, CONTROL)
    if result.groups:
        render_997(result, CONTROL)
        render_999(result, CONTROL)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes(data: bytes) -> None:
    _answer(read_x12(data))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(SEEDS),
    st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 3), NOISE), max_size=4),
)
def test_mutated_samples(seed: bytes, edits: list[tuple[int, int, bytes]]) -> None:
    data = bytearray(seed)
    for at, cut, noise in edits:
        i = at % (len(data) + 1)
        data[i : i + cut] = noise
    _answer(read_x12(bytes(data)))
