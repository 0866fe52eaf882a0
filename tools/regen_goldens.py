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
)


def main() -> None:
    """Regenerate every golden file."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'golden.db'}")
        upgrade(engine)
        outcomes = process_all(engine)
        engine.dispose()
    for path in interchanges():
        canonical_path, contrl_path, cusres_path = golden_paths(path)
        data = json.dumps(canonical(path), ensure_ascii=False, indent=2) + "\n"
        canonical_path.write_text(data, encoding="utf-8")
        contrl, cusres = answers(outcomes[path.name])
        contrl_path.write_text(contrl, encoding="utf-8")
        cusres_path.write_text(cusres, encoding="utf-8")
        print(f"{path.name}: {outcomes[path.name].status.value}")


if __name__ == "__main__":
    main()
