"""Bulk changes of the registry by an issuing agency: add, amend and revoke, one file, one load.

The file is JSON Lines (docs/agencies.md), one change a line::

    {"action": "add", "record": {"record": "licence", "number": "…", …}}
    {"action": "amend", "record": {…the whole record as it now reads…}}
    {"action": "revoke", "kind": "licence", "number": "…", "reason": "…"}

Every line is checked against the registry in force (under the lock every registry change
takes) before anything is stored: a record the registry format refuses, an ``add`` of a number
in force, an ``amend`` or ``revoke`` of one that is not (or that the caller may not see), a
document twice in the file, an allowance below what its ledger holds. Any problem refuses the
whole file, each named by its line. A clean file becomes ONE new load in force with one
registry change per line, so decisions switch to it at once, and earlier loads stay replayable.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from clearance.decisions import registry_store
from clearance.decisions.registry_ledgers import (
    RegistryChangeError,
    RegistryDocument,
    check_ledgers,
    update_heads,
)
from clearance.store.control_tables import LedgerHead, RegistryLoad
from clearance.store.counters import serialise
from core.errors import CustomsError
from rules.errors import RegistryLoadError
from rules.registry import (
    CertificateOfOrigin,
    CertificateStatus,
    Licence,
    LicenceStatus,
    Registries,
    RegistryRecord,
    read_registry_record,
    records_digest,
)

ACTIONS = ("add", "amend", "revoke")
MAX_PROBLEMS = 100

#: The caller's tenancy check for one line: (new record or None, record in force or None) →
#: a problem to report, or None. It must word a record it may not see as an unknown one.
Check = Callable[[RegistryDocument | None, RegistryDocument | None], str | None]


class BulkError(CustomsError):
    """The file was refused whole; ``problems`` names each by line."""

    code = "registry_bulk_refused"

    def __init__(self, name: str, problems: list[str]) -> None:
        shown = "; ".join(f"{name}:{p}" for p in problems[:10])
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        super().__init__(f"bulk change refused, {len(problems)} problem(s): {shown}{more}")
        self.problems = problems[:MAX_PROBLEMS]


@dataclass(frozen=True, slots=True)
class Change:
    """One line of the file, read: what to do to which document."""

    line: int
    action: str
    kind: str
    number: str
    record: RegistryDocument | None  # add / amend: the record as it should read
    reason: str | None  # revoke


@dataclass(frozen=True, slots=True)
class BulkApplied:
    """What a bulk file did: the load now in force and the lines per action."""

    load_id: int
    based_on: int | None
    record_count: int
    added: int
    amended: int
    revoked: int


def read_changes(name: str, content: bytes) -> list[Change]:
    """The lines of a bulk file; :class:`BulkError` naming every problem by line (and column)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BulkError(name, [f"1: not UTF-8 (byte {exc.start + 1})"]) from exc
    changes: list[Change] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            changes.append(_read_line(name, number, line))
        except _LineError as exc:
            problems.append(f"{number}: {exc}")
    if problems:
        raise BulkError(name, problems)
    if not changes:
        raise BulkError(name, ["1: no changes"])
    return changes


def apply(
    session: Session, name: str, changes: list[Change], now: datetime, actor: str, check: Check
) -> BulkApplied:
    """Apply ``changes`` to the registry in force as one new load (all or nothing)."""
    serialise(session, registry_store.LOCK)
    based_on, registries = registry_store.latest(session)
    problems: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    records: dict[tuple[str, str] | int, RegistryRecord] = dict(enumerate(_others(registries)))
    documents: list[RegistryDocument] = [*registries.licences.values()]
    documents += registries.certificates.values()
    for document in documents:
        records[(document.record, document.number)] = document
    heads: list[tuple[RegistryDocument, dict[str, LedgerHead]]] = []
    for change in changes:
        key = (change.kind, change.number)
        if key in seen:
            problems.append(
                f"{change.line}: {change.kind} {change.number} is also on line {seen[key]}"
            )
            continue
        seen[key] = change.line
        current = records.get(key)
        assert current is None or isinstance(current, Licence | CertificateOfOrigin)
        problem = _problem(change, current) or check(change.record, current)
        if problem is not None:
            problems.append(f"{change.line}: {problem}")
            continue
        new = change.record if change.record is not None else _revoked(current)
        try:
            heads.append((new, check_ledgers(session, new)))
        except RegistryChangeError as exc:
            problems.append(f"{change.line}: {exc.message}")
            continue
        records[key] = new
    if problems:
        raise BulkError(name, problems)
    final = list(records.values())
    try:
        Registries.from_records(final)  # the snapshot checks of a file load
    except (RegistryLoadError, ValueError) as exc:
        raise BulkError(name, [f"1: the registry would not be consistent: {exc}"]) from exc
    load_id = _store(session, final, name, now)
    for change in changes:
        registry_store.record_change(
            session,
            load_id,
            based_on,
            change.action,
            now,
            kind=change.kind,
            number=change.number,
            reason=change.reason,
            actor=actor,
        )
    for record, record_heads in heads:
        update_heads(record, record_heads)
    count = {a: sum(c.action == a for c in changes) for a in ACTIONS}
    return BulkApplied(load_id, based_on, len(final), count["add"], count["amend"], count["revoke"])


class _LineError(Exception):
    """A problem of one line (the message without the line number)."""


def _read_line(name: str, number: int, line: str) -> Change:
    try:
        data = json.loads(line, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise _LineError(f"column {exc.colno}: invalid JSON: {exc.msg}") from exc
    if not isinstance(data, dict):
        raise _LineError("a line is one JSON object")
    action = data.get("action")
    if action not in ACTIONS:
        raise _LineError(f"action must be one of {', '.join(ACTIONS)}, not {action!r}")
    if action == "revoke":
        kind, doc, reason = data.get("kind"), data.get("number"), data.get("reason")
        if set(data) - {"action", "kind", "number", "reason"}:
            raise _LineError("a revoke names only kind, number and reason")
        if kind not in ("licence", "certificate") or not isinstance(doc, str) or not doc:
            raise _LineError("a revoke names kind (licence or certificate) and number")
        if not isinstance(reason, str) or not reason.strip():
            raise _LineError("a revoke needs a reason")
        return Change(number, action, kind, doc, None, reason.strip())
    if set(data) - {"action", "record"} or not isinstance(data.get("record"), dict):
        raise _LineError(f"an {action} holds the whole record under 'record'")
    text = json.dumps(data["record"], default=str).encode()
    try:
        record = read_registry_record(f"{name}:{number}", text)
    except RegistryLoadError as exc:
        raise _LineError("; ".join(f"record.{issue.message}" for issue in exc.issues)) from exc
    if not isinstance(record, Licence | CertificateOfOrigin):
        raise _LineError(f"a {record.record} is not changed in bulk: licences and certificates")
    return Change(number, action, record.record, record.number, record, None)


def _problem(change: Change, current: RegistryDocument | None) -> str | None:
    if change.action == "add" and current is not None:
        return f"{change.kind} {change.number} is in force already: amend it"
    if change.action != "add" and current is None:
        return f"no {change.kind} {change.number} in the registry in force"
    return None


def _revoked(current: RegistryDocument | None) -> RegistryDocument:
    assert current is not None
    if isinstance(current, Licence):
        return current.model_copy(update={"status": LicenceStatus.REVOKED})
    return current.model_copy(update={"status": CertificateStatus.CANCELLED})


def _others(registries: Registries) -> list[RegistryRecord]:
    return [
        *(m for periods in registries.memberships.values() for m in periods),
        *(t for periods in registries.traders.values() for t in periods),
        *(p for ranges in registries.price_ranges.values() for p in ranges),
    ]


def _store(session: Session, records: list[RegistryRecord], name: str, now: datetime) -> int:
    content_hash = records_digest(records)
    existing = session.scalar(
        select(RegistryLoad.id).where(RegistryLoad.content_hash == content_hash)
    )
    if existing is not None:  # back to the content of an earlier load: in force again
        return int(existing)
    names = [json.dumps(f"bulk {name}", ensure_ascii=False)]
    return registry_store.store_load(session, records, content_hash, names, now).id
