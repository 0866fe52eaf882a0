"""Load a schedule file (JSON Lines, docs/tariff-format.md) into a :class:`Schedule`.

All or nothing: every line is parsed and validated, cross-references are checked, and only if no
problem was found is a schedule built. Every problem names file, line and column (the position of
the offending field in the line). Loading is idempotent: the same content gives the same
``content_hash`` (record order and key order do not matter), so a loader of versions can skip a
file it already holds.
"""

from __future__ import annotations

import hashlib
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tariffs.assemble import assemble
from tariffs.jsonpos import column
from tariffs.load_problems import Line, Problems
from tariffs.records import KINDS, RECORD_ADAPTER, Record
from tariffs.schedule import Schedule


def load_schedule(path: str | Path) -> Schedule:
    """Load the schedule file at ``path``; raises :class:`TariffLoadError` on any problem."""
    p = Path(path)
    return loads_schedule(p.read_bytes(), str(p))


def loads_schedule(data: str | bytes, filename: str = "<string>") -> Schedule:
    """Load a schedule from its text (or UTF-8 bytes); ``filename`` names it in errors."""
    problems = Problems(filename)
    lines, canonical = _parse(data, problems)
    problems.raise_if_any()
    content_hash = hashlib.sha256("\n".join(sorted(canonical)).encode("utf-8")).hexdigest()
    schedule = assemble(lines, problems, filename, content_hash)
    problems.raise_if_any()
    assert schedule is not None
    return schedule


def content_hash_of(data: str | bytes, filename: str = "<string>") -> str:
    """The content hash a load of ``data`` would give (parses, does not build)."""
    problems = Problems(filename)
    _, canonical = _parse(data, problems)
    problems.raise_if_any()
    return hashlib.sha256("\n".join(sorted(canonical)).encode("utf-8")).hexdigest()


def _parse(data: str | bytes, problems: Problems) -> tuple[list[Line], list[str]]:
    raw_lines: list[str | bytes] = list(
        data.split(b"\n") if isinstance(data, bytes) else data.split("\n")
    )
    lines: list[Line] = []
    canonical: list[str] = []
    for number, raw in enumerate(raw_lines, start=1):
        text = _decode(raw, number, problems)
        if text is None:
            continue
        if number == 1:
            text = text.removeprefix("\ufeff")
        text = text.rstrip("\r")
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue  # blank lines and '#' comment lines
        obj = _json(text, number, problems)
        if obj is None:
            continue
        record = _record(obj, text, number, problems)
        if record is not None:
            lines.append(Line(number, text, record))
            canonical.append(json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str))
    return lines, canonical


def _decode(raw: str | bytes, number: int, problems: Problems) -> str | None:
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.add(number, exc.start + 1, f"not UTF-8: {exc.reason}")
        return None


def _json(text: str, number: int, problems: Problems) -> dict[str, Any] | None:
    try:
        obj = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        problems.add(number, exc.colno, f"invalid JSON: {exc.msg}")
        return None
    if not isinstance(obj, dict):
        problems.add(number, 1, "a record must be a JSON object")
        return None
    return obj


def _record(obj: dict[str, Any], text: str, number: int, problems: Problems) -> Record | None:
    kind = obj.get("kind")
    if kind not in KINDS:
        col = column(text, ("kind",))
        problems.add(number, col, f"unknown or missing kind {kind!r}; one of: {', '.join(KINDS)}")
        return None
    try:
        return RECORD_ADAPTER.validate_python(obj)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        locs = [tuple(e["loc"][1:]) for e in errors]  # drop the union tag
        for err, loc in zip(errors, locs, strict=True):
            # pydantic also reports the parent of a failed element ("too short"): skip it
            if any(other != loc and other[: len(loc)] == loc for other in locs):
                continue
            loc = _refine(obj, loc, err["msg"])
            field = ".".join(str(p) for p in loc) or kind
            problems.add(number, column(text, loc), f"{kind} {field}: {err['msg']}")
        return None


def _refine(obj: object, loc: tuple[str | int, ...], message: str) -> tuple[str | int, ...]:
    """Point a whole-record (or whole-element) error at the first field its message names."""
    target = obj
    for part in loc:
        in_dict = isinstance(target, dict) and part in target
        in_list = isinstance(target, list) and isinstance(part, int) and part < len(target)
        if in_dict or in_list:
            target = target[part]  # type: ignore[index]
        else:
            return loc
    if not isinstance(target, dict):
        return loc
    for word in re.findall(r"[a-z_]+", message):
        if word in target:
            return (*loc, word)
    return loc
