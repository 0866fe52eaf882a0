"""The JSON Lines registry format: reading files all-or-nothing, with located errors.

One JSON object per line, UTF-8; blank lines are ignored. The ``record`` member says what the line
is (``licence``, ``certificate``, ``membership``, ``trader``, ``price_range``); the other members
are the fields of the matching model in :mod:`rules.registry.types`. Numbers may be JSON numbers
or strings (they are read as ``Decimal``, never ``float``). Every problem in every file is reported
with file, line and column, and nothing is returned unless all files are clean.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Annotated

from pydantic import Field, TypeAdapter, ValidationError

from core.jsontext import BOM, locate
from rules.errors import RegistryIssue, RegistryLoadError
from rules.registry.snapshot import Registries
from rules.registry.types import (
    AgreementMembership,
    CertificateOfOrigin,
    Licence,
    PriceRange,
    RegistryRecord,
    TraderProfile,
)

_ADAPTER: TypeAdapter[RegistryRecord] = TypeAdapter(
    Annotated[RegistryRecord, Field(discriminator="record")]
)
#: Stop collecting after this many problems; the rest of a hopeless file adds nothing.
MAX_ISSUES = 100


def parse_registry_lines(
    lines: Iterable[str], source: str
) -> tuple[list[tuple[int, RegistryRecord]], list[RegistryIssue]]:
    """Parse registry lines; return ``(line number, record)`` pairs and the problems found."""
    records: list[tuple[int, RegistryRecord]] = []
    issues: list[RegistryIssue] = []
    for number, raw in enumerate(lines, start=1):
        text = raw.lstrip("\ufeff") if number == 1 else raw
        if not text.strip():
            continue
        try:
            data = json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            issues.append(RegistryIssue(source, number, exc.colno, f"invalid JSON: {exc.msg}"))
            continue
        if not isinstance(data, dict):
            issues.append(RegistryIssue(source, number, 1, "a line must hold one JSON object"))
            continue
        try:
            records.append((number, _ADAPTER.validate_python(data)))
        except ValidationError as exc:
            issues.extend(_validation_issues(exc, text, source, number))
    return records, issues


def _validation_issues(
    exc: ValidationError, text: str, source: str, line: int
) -> list[RegistryIssue]:
    issues = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        # The first part of ``loc`` is the record tag; a bad tag is reported on ``record``.
        path = ("record",) if error["type"].startswith("union_tag") else loc[1:]
        where = ".".join(str(part) for part in path) or "record"
        column = _column(text, path)
        issues.append(RegistryIssue(source, line, column, f"{where}: {error['msg']}"))
    return issues


def _column(text: str, path: Sequence[object]) -> int:
    """1-based column of the value of the deepest member of ``path`` found in ``text`` (else 1)."""
    position = 0
    found = False
    for part in path:
        if isinstance(part, str):
            name = json.dumps(part)
            index = text.find(name + ":", position)
            if index < 0:
                index = text.find(name, position)
            if index >= 0:
                position, found = index, True
    if not found:
        return 1
    rest = text[position:]
    colon = rest.find(":")
    if colon < 0:
        return position + 1
    value = colon + 1 + (len(rest[colon + 1 :]) - len(rest[colon + 1 :].lstrip()))
    return position + value + 1


def read_registry_record(name: str, content: bytes) -> RegistryRecord:
    """One record held as a single JSON object, possibly over several lines (one licence or
    certificate to register). Raises :class:`RegistryLoadError` with every problem located by
    line and column in ``content``."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RegistryLoadError((RegistryIssue(name, 1, 1, f"cannot read file: {exc}"),)) from exc
    text = " " + text[1:] if text.startswith(BOM) else text
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        issue = RegistryIssue(name, exc.lineno, exc.colno, f"invalid JSON: {exc.msg}")
        raise RegistryLoadError((issue,)) from exc
    except RecursionError as exc:
        raise RegistryLoadError((RegistryIssue(name, 1, 1, "nested too deeply"),)) from exc
    if not isinstance(data, dict):
        raise RegistryLoadError((RegistryIssue(name, 1, 1, "a record is one JSON object"),))
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as exc:
        issues = []
        for error in exc.errors(include_url=False):
            loc = tuple(error["loc"])
            path = ("record",) if error["type"].startswith("union_tag") else loc[1:]
            line, column = locate(text, tuple(p if isinstance(p, int) else str(p) for p in path))
            where = ".".join(str(part) for part in path) or "record"
            issues.append(RegistryIssue(name, line, column, f"{where}: {error['msg']}"))
        raise RegistryLoadError(tuple(issues[:MAX_ISSUES])) from exc


def read_registry_file(path: Path) -> tuple[RegistryRecord, ...]:
    """Read one registry file; raise :class:`RegistryLoadError` listing every problem."""
    return _read_all([path])[0]


def load_registries(paths: Iterable[Path]) -> Registries:
    """Read ``paths`` together into one snapshot, all or nothing."""
    records, _ = _read_all(list(paths))
    return Registries.from_records(records)


def read_registry_sources(sources: Sequence[tuple[str, bytes]]) -> tuple[RegistryRecord, ...]:
    """Read ``(name, content)`` sources together, all or nothing, checking repeats across them.

    Raises :class:`RegistryLoadError` listing every problem with its source, line and column.
    """
    return _check_all(_decode(name, content) for name, content in sources)[0]


def _decode(name: str, content: bytes) -> tuple[str, str | RegistryIssue]:
    try:
        return name, content.decode("utf-8")
    except UnicodeDecodeError as exc:
        return name, RegistryIssue(name, 1, 1, f"cannot read file: {exc}")


def _read_all(paths: list[Path]) -> tuple[tuple[RegistryRecord, ...], list[RegistryIssue]]:
    texts: list[tuple[str, str | RegistryIssue]] = []
    for path in paths:
        try:
            texts.append((str(path), path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            texts.append((str(path), RegistryIssue(str(path), 1, 1, f"cannot read file: {exc}")))
    return _check_all(texts)


def _check_all(
    texts: Iterable[tuple[str, str | RegistryIssue]],
) -> tuple[tuple[RegistryRecord, ...], list[RegistryIssue]]:
    located: list[tuple[str, int, RegistryRecord]] = []
    issues: list[RegistryIssue] = []
    for source, text in texts:
        if isinstance(text, RegistryIssue):
            issues.append(text)
            continue
        parsed, problems = parse_registry_lines(text.splitlines(), source)
        issues.extend(problems)
        located.extend((source, line, record) for line, record in parsed)
    issues.extend(_duplicates(located))
    if issues:
        raise RegistryLoadError(tuple(issues[:MAX_ISSUES]))
    return tuple(record for _, _, record in located), issues


def _duplicates(located: list[tuple[str, int, RegistryRecord]]) -> list[RegistryIssue]:
    """Repeated keys and overlapping trader periods, reported at the later line."""
    seen: dict[tuple[object, ...], tuple[str, int]] = {}
    traders: dict[str, list[tuple[TraderProfile, str, int]]] = {}
    issues = []
    for source, line, record in located:
        if isinstance(record, TraderProfile):
            for other, other_source, other_line in traders.get(record.uscc, []):
                if _overlap(record, other):
                    message = f"trader {record.uscc}: period overlaps {other_source}:{other_line}"
                    issues.append(RegistryIssue(source, line, 1, message))
            traders.setdefault(record.uscc, []).append((record, source, line))
            continue
        key = _key(record)
        if key in seen:
            first = seen[key]
            message = f"{key[0]} {' '.join(map(str, key[1:]))} repeats {first[0]}:{first[1]}"
            issues.append(RegistryIssue(source, line, 1, message))
        else:
            seen[key] = (source, line)
    return issues


def _key(record: RegistryRecord) -> tuple[object, ...]:
    if isinstance(record, Licence | CertificateOfOrigin):
        return (record.record, record.number)
    if isinstance(record, AgreementMembership):
        return (record.record, record.agreement, record.country, record.valid_from)
    assert isinstance(record, PriceRange)
    return (record.record, record.commodity_code, record.origin, record.unit, record.valid_from)


def _overlap(a: TraderProfile, b: TraderProfile) -> bool:
    a_before = a.valid_to is not None and a.valid_to < b.valid_from
    b_before = b.valid_to is not None and b.valid_to < a.valid_from
    return not (a_before or b_before)
