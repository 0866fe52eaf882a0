"""The OpenAPI document as committed in ``docs/openapi.json`` (``python3 dev.py openapi``).

The document is generated from the routes; the committed copy lets clients and reviewers see
the contract without running the service, and ``tests/api/test_openapi.py`` fails when it is
stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from api.asgi import build, openapi_document
from clearance.app import open_application
from core.settings import Settings

COMMITTED = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"


def current() -> dict[str, Any]:
    """The document of the routes as they are now (no store is opened: none is needed)."""
    app = open_application(Settings(database_url="sqlite://"), migrate=False)
    return openapi_document(build(application=app))


def render(document: dict[str, Any]) -> str:
    """The committed text of ``document``: sorted keys, two-space indent, final newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    """Write the document to ``argv[0]`` (default: docs/openapi.json)."""
    target = Path(argv[0]) if argv else COMMITTED
    target.write_text(render(current()), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
