"""Where each member of a JSON text starts: path → 1-based column (for error messages).

Used only on texts that already parsed, to point an error at the offending field (tariff
schedules, CUSDEC mapping profiles).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

_WS = re.compile(r"[ \t\n\r]*")
_SCALAR = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null")
Path = tuple[str | int, ...]
#: The stdlib's JSON string scanner (undocumented but stable since Python 2.6).
scanstring: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]


def positions(text: str) -> dict[Path, int]:
    """Map every object member (to its key) and array element (to its value) to a column."""
    out: dict[Path, int] = {}
    _value(text, _WS.match(text, 0).end(), (), out)  # type: ignore[union-attr]
    return out


def column(text: str, path: Path) -> int:
    """The column of ``path`` in ``text``, or of its longest existing prefix, or 1."""
    try:
        found = positions(text)
    except (ValueError, IndexError, AttributeError):
        return 1
    for n in range(len(path), 0, -1):
        if path[:n] in found:
            return found[path[:n]] + 1
    return 1


def _ws(text: str, i: int) -> int:
    m = _WS.match(text, i)
    assert m is not None  # the pattern matches the empty string
    return m.end()


def _value(text: str, i: int, path: Path, out: dict[Path, int]) -> int:
    c = text[i]
    if c == "{":
        return _object(text, i + 1, path, out)
    if c == "[":
        return _array(text, i + 1, path, out)
    if c == '"':
        return int(scanstring(text, i + 1)[1])
    m = _SCALAR.match(text, i)
    if m is None:
        raise ValueError(f"unexpected character at {i}")
    return m.end()


def _object(text: str, i: int, path: Path, out: dict[Path, int]) -> int:
    i = _ws(text, i)
    if text[i] == "}":
        return i + 1
    while True:
        start = i
        key, i = scanstring(text, i + 1)
        out[(*path, key)] = start
        i = _ws(text, _ws(text, i) + 1)  # past ':'
        i = _ws(text, _value(text, i, (*path, key), out))
        if text[i] == "}":
            return i + 1
        i = _ws(text, i + 1)  # past ','


def _array(text: str, i: int, path: Path, out: dict[Path, int]) -> int:
    i = _ws(text, i)
    if text[i] == "]":
        return i + 1
    n = 0
    while True:
        out[(*path, n)] = i
        i = _ws(text, _value(text, i, (*path, n), out))
        if text[i] == "]":
            return i + 1
        i = _ws(text, i + 1)
        n += 1
