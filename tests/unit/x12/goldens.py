"""Golden outputs of the X12 samples: what is expected beside every ``samples/x12/*.x12``.

For ``NN-name.x12``: ``NN-name.read.json`` (the read summary: envelopes, statuses, issues
with positions), ``NN-name.canonical.json`` (the manifests, a JSON list) and the answers
the sample calls for (``.997.x12``, ``.999.x12``, ``.ta1.x12``, ``.355.x12``, ``.350.x12``).

``test_goldens.py`` compares against the files. After an intended change, regenerate with
``.venv/bin/python -m tests.unit.x12.goldens`` and review the diff before committing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from edi.x12 import (
    AckControl,
    CustomsStatus,
    Disposition,
    Envelope,
    X12ReadResult,
    read_x12,
    render_350,
    render_355,
    render_997,
    render_999,
    render_ta1,
)

SAMPLES = Path(__file__).resolve().parents[3] / "samples" / "x12"
#: The instant every golden answer is dated (as tests/conftest.py's GOLDEN_INSTANT).
INSTANT = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
CONTROL = AckControl(
    interchange_control=900001, group_control=9001, set_control=1, timestamp=INSTANT
)


def _355(result: X12ReadResult) -> bytes:
    return render_355(result, result.transaction_sets[0], CONTROL)


def _350(result: X12ReadResult) -> bytes:
    manifest = result.manifests[0]
    envelope = Envelope("ZZ", "CNCUSTOMS", "ZZ", "COSU", 900002, 9002, 1, INSTANT)
    statuses = [
        CustomsStatus(
            "COSU6123456780", Disposition.RELEASED, datetime(2026, 12, 1, 9, 15, tzinfo=UTC)
        ),
        CustomsStatus(
            "COSU6123456791",
            Disposition.HOLD,
            datetime(2026, 12, 1, 9, 20, tzinfo=UTC),
            remarks=("DOCUMENTS REQUIRED",),
        ),
    ]
    return render_350(manifest, statuses, envelope)


#: sample stem -> {answer suffix: how to render it}
ANSWERS: dict[str, dict[str, Callable[[X12ReadResult], bytes]]] = {
    "01-manifest-v123e-4010": {
        "997": lambda r: render_997(r, CONTROL),
        "355": _355,
        "350": _350,
    },
    "02-manifest-v123e-5010-utf8": {"999": lambda r: render_999(r, CONTROL)},
    "03-wrong-se-count-4010": {"997": lambda r: render_997(r, CONTROL)},
    "04-empty-segment-5010": {"999": lambda r: render_999(r, CONTROL)},
    "05-unknown-version-00403": {"ta1": lambda r: render_ta1(r, CONTROL)},
    "06-isa-short-sender": {"ta1": lambda r: render_ta1(r, CONTROL)},
    "07-content-errors-4010": {"997": lambda r: render_997(r, CONTROL), "355": _355},
}


def expected(stem: str) -> dict[str, bytes]:
    """What the code produces now for sample ``stem``: file suffix -> bytes."""
    result = read_x12((SAMPLES / f"{stem}.x12").read_bytes())
    summary = json.dumps(result.summary(), indent=2, ensure_ascii=False) + "\n"
    manifests = [m.model_dump(mode="json") for m in result.manifests]
    out = {
        "read.json": summary.encode(),
        "canonical.json": (json.dumps(manifests, indent=2, ensure_ascii=False) + "\n").encode(),
    }
    for suffix, render in ANSWERS.get(stem, {}).items():
        out[f"{suffix}.x12"] = render(result)
    return out


def regenerate() -> None:
    """Write every golden file (review the diff: goldens are checked by eye, then frozen)."""
    for sample in sorted(SAMPLES.glob("[0-9][0-9]-*.x12")):
        if sample.name.count(".") > 1:
            continue  # an answer, not a sample
        for suffix, data in expected(sample.stem).items():
            (SAMPLES / f"{sample.stem}.{suffix}").write_bytes(data)
            print(f"wrote {sample.stem}.{suffix}")


if __name__ == "__main__":
    regenerate()
