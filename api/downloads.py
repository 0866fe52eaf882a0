"""Raw bytes as downloads: received interchanges and the answers we sent, untouched."""

from __future__ import annotations

from fastapi import Response

from clearance.app.submissions import RawContent

#: The media type of an interchange or an answer, by its format.
MEDIA_TYPES = {
    "edifact": "application/EDIFACT",
    "x12": "application/EDI-X12",
    "xml": "application/xml",
    "json": "application/json",
}


def media_type(format_: str | None) -> str:
    """The media type of a file in ``format_`` (octet-stream when unknown)."""
    return MEDIA_TYPES.get(format_ or "", "application/octet-stream")


def download(content: RawContent) -> Response:
    """``content`` as an attachment, its name reduced to safe characters."""
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in content.name.split("/")[-1])
    return Response(
        content.content,
        media_type=media_type(content.format),
        headers={"Content-Disposition": f'attachment; filename="{safe}"'},
    )
