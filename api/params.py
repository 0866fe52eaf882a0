"""Parameter types shared by the routes: ids are positive and fit a 64-bit column."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

#: The largest row id or cursor a store column holds (signed 64 bits).
MAX_ID = 2**63 - 1
#: A row id in a path (a message, an answer, a version).
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]
