"""Where things sit in a JSON text: 1-based line and column, for errors that point at them.

:mod:`json` locates a syntax error but forgets where the values it parsed came from, and
pydantic names a bad value by its path (``("items", 0, "commodity_code")``). :func:`locate`
walks a well-formed text along such a path and returns where the value starts, or where the
deepest member of the path that exists starts, so that an error can name line and column.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

_DECODER = json.JSONDecoder()
_BLANK = " \t\n\r"
#: Replaces a leading byte order mark: ``json`` refuses one, and a space keeps the columns.
BOM = "\ufeff"


def line_column(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of character ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def locate(text: str, path: Sequence[str | int]) -> tuple[int, int]:
    """Line and column of the value at ``path`` in the well-formed JSON ``text``.

    Where the path leaves the text (a member that is missing, an index past the end), the
    position of the last value found on the way is returned: the object that lacks it.
    """
    return line_column(text, value_offset(text, path))


def value_offset(text: str, path: Sequence[str | int]) -> int:
    """Character offset of the value at ``path`` (or of the deepest value found on the way)."""
    position = _skip(text, 0)
    for part in path:
        inner = _child(text, position, part)
        if inner is None:
            break
        position = inner
    return position


def dotted(path: Sequence[str | int]) -> str:
    """``("items", 0, "code")`` as ``items[0].code`` (how the docs and answers name a path)."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _skip(text: str, position: int) -> int:
    while position < len(text) and text[position] in _BLANK:
        position += 1
    return position


def _next(text: str, position: int) -> int:
    """Past one value and the comma after it, if any."""
    _, position = _DECODER.raw_decode(text, position)
    position = _skip(text, position)
    if position < len(text) and text[position] == ",":
        position = _skip(text, position + 1)
    return position


def _child(text: str, position: int, part: str | int) -> int | None:
    if position >= len(text):
        return None
    if text[position] == "{" and isinstance(part, str):
        position = _skip(text, position + 1)
        while position < len(text) and text[position] == '"':
            key, position = _DECODER.raw_decode(text, position)
            position = _skip(text, _skip(text, position) + 1)  # past the colon
            if key == part:
                return position
            position = _next(text, position)
        return None
    if text[position] == "[" and isinstance(part, int):
        position, index = _skip(text, position + 1), 0
        while position < len(text) and text[position] != "]":
            if index == part:
                return position
            position, index = _next(text, position), index + 1
    return None
