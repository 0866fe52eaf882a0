"""How the golden files beside each sample are produced (used by the tests and the tool).

For ``samples/edifact/NAME.edi``, in ``samples/edifact/expected/``:

* ``NAME.canonical.json``: every message mapped through the default profile, as canonical
  JSON, or the mapping issues when it does not map;
* ``NAME.contrl.edi``: the CONTRL we answer;
* ``NAME.cusres.edi``: the CUSRES interchanges we answer, one per declaration, in order.

The samples are processed in file-name order into one fresh database at
:data:`GOLDEN_INSTANT`, because later samples (amendment, cancellation) cite the numbers the
earlier ones got. Samples written to another guide live in ``samples/edifact/profiles/NAME/``
(NAME = the profile that reads them) with their own ``expected/``; they are processed into
another fresh database with that profile. Regenerate with ``python tools/regen_goldens.py``
and then *read the diff* against the specification before committing it.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from clearance.flow.outcome import SubmissionOutcome
from clearance.intake.pipeline import Pipeline
from core.clock import FixedClock
from core.settings import Settings
from edi.edifact.cusdec import map_cusdec
from edi.edifact.envelope import read_interchange
from edi.edifact.profile import load_profile

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "edifact"
GOLDEN_INSTANT = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


EXPECTED = SAMPLES / "expected"
PROFILE_SAMPLES = SAMPLES / "profiles"


def interchanges() -> list[Path]:
    """The sample interchanges in processing order."""
    return sorted(SAMPLES.glob("*.edi"))


def profile_interchanges() -> list[Path]:
    """Samples written to other guides: ``profiles/PROFILE/*.edi``, in order."""
    return sorted(PROFILE_SAMPLES.glob("*/*.edi"))


def profile_of(path: Path) -> str:
    """The profile that reads a sample: its folder's name under ``profiles/``, else default."""
    return path.parent.name if path.parent.parent == PROFILE_SAMPLES else "default"


def canonical(path: Path) -> dict[str, Any]:
    """The mapping of every message of one sample, as stored in ``NAME.canonical.json``."""
    interchange = read_interchange(path.read_bytes())
    header = interchange.header
    decimal = header.delimiters.decimal if header is not None else "."
    profile = load_profile(profile_of(path))
    messages = []
    for message in interchange.messages:
        result = map_cusdec(message.segments, profile, decimal_mark=decimal)
        entry: dict[str, Any] = {"message_reference": message.reference}
        if result.declaration is not None:
            entry["declaration"] = json.loads(result.declaration.model_dump_json())
        else:
            entry["issues"] = [
                {**asdict(issue), "code": issue.code.value} for issue in result.issues
            ]
        messages.append(entry)
    return {"sample": path.name, "messages": messages}


def process_all(engine: Engine) -> dict[str, SubmissionOutcome]:
    """Process every sample, in order, into ``engine``'s (empty, migrated) database."""
    pipeline = Pipeline(engine, Settings(database_url=str(engine.url)), FixedClock(GOLDEN_INSTANT))
    return {
        path.name: pipeline.submit(path.read_bytes(), filename=path.name) for path in interchanges()
    }


def process_profile_samples(engine: Engine) -> dict[Path, SubmissionOutcome]:
    """Process every other-guide sample with its profile into ``engine``'s empty database."""
    out = {}
    for path in profile_interchanges():
        settings = Settings(database_url=str(engine.url), edifact_profile=profile_of(path))
        pipeline = Pipeline(engine, settings, FixedClock(GOLDEN_INSTANT))
        out[path] = pipeline.submit(path.read_bytes(), filename=path.name)
    return out


def answers(outcome: SubmissionOutcome) -> tuple[str, str]:
    """The CONTRL text and the CUSRES texts of one outcome, as the golden files hold them."""
    contrl = outcome.acknowledgement.text if outcome.acknowledgement is not None else ""
    cusres = "".join(d.response for d in outcome.declarations if d.response)
    return contrl, cusres


def golden_paths(path: Path) -> tuple[Path, Path, Path]:
    """``NAME.canonical.json``, ``NAME.contrl.edi`` and ``NAME.cusres.edi`` for a sample."""
    stem = path.name.removesuffix(".edi")
    expected = path.parent / "expected"
    return (
        expected / f"{stem}.canonical.json",
        expected / f"{stem}.contrl.edi",
        expected / f"{stem}.cusres.edi",
    )
