"""Files named on the command line, as the documents the use cases take."""

from __future__ import annotations

from pathlib import Path

from clearance.app import Document
from core.errors import CustomsError


def read_documents(paths: list[Path]) -> list[Document]:
    """The files at ``paths`` (``CustomsError`` naming the first that cannot be read)."""
    documents = []
    for path in paths:
        try:
            documents.append(Document.read(path))
        except OSError as exc:
            raise CustomsError(f"cannot read {path}: {exc.strerror}") from exc
    return documents
