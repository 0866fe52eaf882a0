"""The largest file each channel accepts, and the rejection that names the limit.

The raw bytes are stored first as always (nothing a sender sent is lost); a file over its
channel's limit is then rejected before it is parsed, with an error that says how large it
is, what the limit is and which setting holds it.
"""

from __future__ import annotations

from core.settings import Settings

#: The setting (environment variable) that holds each channel's limit.
LIMIT_SETTINGS = {
    "edifact": "CUSTOMS_MAX_EDIFACT_BYTES",
    "x12": "CUSTOMS_MAX_X12_BYTES",
    "xml": "CUSTOMS_MAX_XML_BYTES",
    "json": "CUSTOMS_MAX_JSON_BYTES",
}


def size_limit(settings: Settings, fmt: str) -> int:
    """The largest file of format ``fmt`` (``edifact``, ``x12``, ``xml``, ``json``) accepted."""
    limits = {
        "edifact": settings.max_edifact_bytes,
        "x12": settings.max_x12_bytes,
        "xml": settings.max_xml_bytes,
        "json": settings.max_json_bytes,
    }
    return limits[fmt]


def oversize_problem(settings: Settings, fmt: str, size: int) -> str | None:
    """Why a file of ``size`` bytes in ``fmt`` is refused, or None when it is within limits."""
    limit = size_limit(settings, fmt)
    if size <= limit:
        return None
    return (
        f"file of {size} bytes exceeds the {fmt.upper()} channel's limit of {limit} bytes "
        f"({LIMIT_SETTINGS[fmt]}); split it into smaller interchanges"
    )


__all__ = ["LIMIT_SETTINGS", "oversize_problem", "size_limit"]
