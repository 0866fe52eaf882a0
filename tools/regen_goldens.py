"""Rewrite the golden files beside the EDIFACT samples from what the code produces now.

    .venv/bin/python tools/regen_goldens.py

Then read ``git diff samples/`` segment by segment against the specification (CONTRL and
CUSRES segment tables, docs/data-dictionary.md) before committing: a golden file is only as
good as the person who checked it.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from clearance.store.migrate import upgrade  # noqa: E402
from core.db import make_engine  # noqa: E402
from tests.golden_support import (  # noqa: E402
    answers,
    canonical,
    golden_paths,
    interchanges,
    process_all,
    process_profile_samples,
)


def main() -> None:
    """Regenerate every golden file."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'golden.db'}")
        upgrade(engine)
        by_name = process_all(engine)
        engine.dispose()
        other = make_engine(f"sqlite:///{Path(tmp) / 'profiles.db'}")
        upgrade(other)
        by_path = process_profile_samples(other)
        other.dispose()
    results = {path: by_name[path.name] for path in interchanges()} | by_path
    for path, outcome in results.items():
        canonical_path, contrl_path, cusres_path = golden_paths(path)
        canonical_path.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps(canonical(path), ensure_ascii=False, indent=2) + "\n"
        canonical_path.write_text(data, encoding="utf-8")
        contrl, cusres = answers(outcome)
        contrl_path.write_text(contrl, encoding="utf-8")
        cusres_path.write_text(cusres, encoding="utf-8")
        print(f"{path.relative_to(ROOT)}: {outcome.status.value}")


if __name__ == "__main__":
    main()
