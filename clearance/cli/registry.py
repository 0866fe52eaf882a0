"""``customs registry``: licences, certificates, memberships, traders, price ranges."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from clearance.app import (
    LOCAL_OPERATOR,
    Application,
    agencies,
    registries,
)
from clearance.app.registry_views import DocumentChanged, DocumentSummary
from clearance.cli import printing
from clearance.cli.files import read_documents
from core.errors import CustomsError

KINDS = ("licence", "certificate")


def register(sub: Any, groups: dict[str, Any]) -> None:
    """Add the commands of this group to the ``customs`` parser."""
    registry = sub.add_parser("registry", help="licences, certificates, traders …").add_subparsers(
        metavar="ACTION"
    )
    load = registry.add_parser("load", help="load registry files together (docs/rules.md)")
    load.add_argument("files", nargs="+", type=Path, metavar="FILE")
    load.set_defaults(handler=_registry_load)
    add = registry.add_parser("add", help="register one licence or certificate (a new load)")
    add.add_argument("file", type=Path, metavar="FILE.json")
    add.set_defaults(handler=_add)
    revoke = registry.add_parser("revoke", help="revoke a licence or certificate (a new load)")
    revoke.add_argument("kind", choices=KINDS)
    revoke.add_argument("number")
    revoke.add_argument("--reason", required=True)
    revoke.set_defaults(handler=_revoke)
    show = registry.add_parser("show", help="a licence or certificate with its ledgers")
    show.add_argument("kind", choices=KINDS)
    show.add_argument("number")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=_show)
    listing = registry.add_parser("list", help="the licences or certificates in force")
    listing.add_argument("kind", choices=KINDS)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)
    # Agencies (issue 14): bulk changes from one file, and a licence's write-off report.
    bulk = registry.add_parser("bulk", help="add, amend and revoke documents from one file")
    bulk.add_argument("file", type=Path, metavar="FILE.jsonl")
    bulk.add_argument("--json", action="store_true")
    bulk.set_defaults(handler=_bulk)
    wo = registry.add_parser("write-off", help="a licence's draw-downs by declaration (核销)")
    wo.add_argument("number")
    wo.add_argument("--json", action="store_true")
    wo.set_defaults(handler=_write_off)


def _registry_load(args: argparse.Namespace, app: Application) -> int:
    return load_registry_files(app, args.files)


def load_registry_files(app: Application, paths: list[Path]) -> int:
    """Load registry files together as one snapshot; print what happened; exit status."""
    try:
        loaded = registries.load(app, LOCAL_OPERATOR, read_documents(paths))
    except CustomsError as exc:
        print(f"customs: {exc.message}", file=sys.stderr)
        return 1
    state = "loaded as" if loaded.created else "already loaded as"
    print(f"{loaded.record_count} records {state} load {loaded.id} ({loaded.content_hash[:12]})")
    return 0


def _add(args: argparse.Namespace, app: Application) -> int:
    (document,) = read_documents([args.file])
    _print_change(registries.register_document(app, LOCAL_OPERATOR, document), "registered")
    return 0


def _revoke(args: argparse.Namespace, app: Application) -> int:
    done = registries.revoke(app, LOCAL_OPERATOR, args.kind, args.number, args.reason)
    _print_change(done, "revoked")
    return 0


def _print_change(done: DocumentChanged, verb: str) -> None:
    if not done.changed:
        print(f"{done.kind} {done.number} unchanged ({done.status}); load {done.load_id} in force")
        return
    load = f"load {done.load_id} ({done.content_hash[:12]}, {done.record_count} records)"
    again = "" if done.created else ", an earlier load with this content, in force again"
    print(f"{done.kind} {done.number} {verb} ({done.status}): {load}{again}")


def _show(args: argparse.Namespace, app: Application) -> int:
    detail = registries.show_document(app, LOCAL_OPERATOR, args.kind, args.number)
    if args.json:
        print(json.dumps(detail.as_json(), ensure_ascii=False, indent=2))
        return 0
    _print_summary(detail)
    print(f"  in force in load {detail.load_id}")
    for change in detail.changes:
        why = f": {change.reason}" if change.reason else ""
        print(f"  {change.changed_at} {change.action} by {change.actor or '-'}{why}")
    return 0


def _list(args: argparse.Namespace, app: Application) -> int:
    rows = registries.list_documents(app, LOCAL_OPERATOR, args.kind)
    if args.json:
        printing.print_json_lines([r.as_json() for r in rows])
        return 0
    for row in rows:
        _print_summary(row)
    return 0


def _print_summary(doc: DocumentSummary) -> None:
    until = doc.valid_to or "open"
    print(
        f"{doc.kind} {doc.number} ({doc.status}) {doc.valid_from}..{until} "
        f"holder {doc.holder or '-'} issuer {doc.issuer or '-'}"
    )
    for ledger in doc.ledgers:
        line = "" if ledger.line is None else f"line {ledger.line}: "
        uses = "" if ledger.max_uses is None else f", uses {ledger.uses}/{ledger.max_uses}"
        print(
            f"  {line}allowance {ledger.allowance or 'unlimited'} {ledger.unit or ''} "
            f"(limit {ledger.limit or '-'}), reserved {ledger.reserved}, used {ledger.used}, "
            f"remaining {ledger.remaining or '-'}{uses}"
        )


def _bulk(args: argparse.Namespace, app: Application) -> int:
    (document,) = read_documents([args.file])
    done = agencies.bulk_change(app, LOCAL_OPERATOR, document)
    if args.json:
        print(json.dumps(done.as_json(), ensure_ascii=False))
        return 0
    print(
        f"registry load {done.load_id} in force ({done.record_count} records): {done.added} "
        f"added, {done.amended} amended, {done.revoked} revoked"
    )
    return 0


def _write_off(args: argparse.Namespace, app: Application) -> int:
    report = agencies.write_off(app, LOCAL_OPERATOR, args.number)
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
        return 0
    ledger = report.ledger
    print(
        f"licence {report.number} ({report.status}), holder {report.holder}, issuer "
        f"{report.issuer or '-'}, {report.valid_from}..{report.valid_to or '-'}: allowance "
        f"{ledger.allowance or 'unlimited'} {ledger.unit or ''}, used {ledger.used}, reserved "
        f"{ledger.reserved}, remaining {ledger.remaining or 'unlimited'}"
    )
    for d in report.draws:
        print(
            f"  {d.declaration_number}  consumed {d.consumed:>12}  reserved {d.reserved:>12}  "
            f"returned {d.returned:>12}  {d.first_at[:10]}..{d.last_at[:10]}"
        )
    return 0
