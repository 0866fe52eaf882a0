"""Where each member of a JSON text starts (moved to :mod:`core.jsonpos`, shared with ``edi``)."""

from __future__ import annotations

from core.jsonpos import Path, column, positions

__all__ = ["Path", "column", "positions"]
