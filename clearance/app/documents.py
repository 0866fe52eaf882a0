"""A file handed to a use case: its name (for error messages) and its bytes.

Use cases take documents, never paths, so that a file uploaded over HTTP and a file named on
the command line go through the same code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Document:
    """A named file's content."""

    name: str
    content: bytes

    @classmethod
    def read(cls, path: Path) -> Document:
        """The document at ``path`` (``OSError`` if it cannot be read)."""
        return cls(str(path), path.read_bytes())
