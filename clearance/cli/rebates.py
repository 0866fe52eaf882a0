"""``customs rebates``: exit confirmation, the batches for the tax authority, their answers."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from clearance.app import (
    LOCAL_OPERATOR,
    Application,
    rebate_versions,
    rebates,
)
from clearance.cli import printing
from clearance.cli.files import read_documents


def register(sub: Any, groups: dict[str, Any]) -> None:
    """Add the commands of this group to the ``customs`` parser."""
    reb = sub.add_parser("rebates", help="export-rebate records").add_subparsers(metavar="ACTION")
    ex = reb.add_parser("export", help="write a batch file for the tax authority")
    ex.add_argument("--from", dest="date_from", type=date.fromisoformat, required=True)
    ex.add_argument("--to", dest="date_to", type=date.fromisoformat, required=True)
    ex.add_argument("--out", type=Path, default=Path("."))
    ex.set_defaults(handler=_rebates_export)
    conf = reb.add_parser("confirm-exit", help="exit confirmed for a declaration's goods")
    conf.add_argument("number")
    conf.set_defaults(handler=_confirm_exit)
    batch = reb.add_parser("batch", help="a stored batch; --out writes its files again")
    batch.add_argument("reference")
    batch.add_argument("--out", type=Path, help="write RB….csv and RB….xml into this directory")
    batch.add_argument("--json", action="store_true")
    batch.set_defaults(handler=_batch)
    ack = reb.add_parser("acknowledge", help="import the tax authority's acknowledgement file")
    ack.add_argument("file", type=Path, metavar="FILE")
    ack.add_argument("--json", action="store_true")
    ack.set_defaults(handler=_acknowledge)
    # Versions of records already sent (issue 14): corrections and cancellations.
    cor = reb.add_parser("correct", help="correct or cancel a rebate record already sent")
    cor.add_argument("number", help="declaration number")
    cor.add_argument("item", type=int, help="item sequence")
    cor.add_argument("--reason", required=True)
    cor.add_argument("--fob-cny", type=Decimal, help="the corrected FOB value in CNY")
    cor.add_argument("--rate", type=Decimal, help="the corrected rebate rate, e.g. 0.13")
    cor.add_argument("--cancel", action="store_true", help="cancel the record instead")
    cor.add_argument("--json", action="store_true")
    cor.set_defaults(handler=_correct)
    recs = reb.add_parser("records", help="a declaration's rebate records with every version")
    recs.add_argument("number")
    recs.add_argument("--json", action="store_true")
    recs.set_defaults(handler=_records)


def _rebates_export(args: argparse.Namespace, app: Application) -> int:
    batch = rebates.export_batch(app, LOCAL_OPERATOR, args.date_from, args.date_to)
    # The batch is committed (records transmitted, files kept): now write the files.
    paths = _write(batch, args.out)
    if paths is None:
        return 1
    print(f"batch {batch.reference}: {batch.records} records, {', '.join(map(str, paths))}")
    return 0


def _batch(args: argparse.Namespace, app: Application) -> int:
    batch = rebates.batch(app, LOCAL_OPERATOR, args.reference)
    if args.out is not None:
        if not batch.files:
            print(
                f"customs: batch {batch.reference} was exported before batch files were kept "
                "in the store; they cannot be written again",
                file=sys.stderr,
            )
            return 1
        paths = _write(batch, args.out)
        if paths is None:
            return 1
        print(f"batch {batch.reference}: {', '.join(map(str, paths))}")
        return 0
    if args.json:
        print(json.dumps(batch.as_json(), ensure_ascii=False, indent=2))
        return 0
    answer = (
        "not acknowledged"
        if batch.acknowledged_at is None
        else f"acknowledged {batch.acknowledged_at}: {batch.accepted} accepted, "
        f"{batch.rejected} rejected"
    )
    print(
        f"batch {batch.reference} ({batch.date_from}..{batch.date_to}): {batch.records} records, "
        f"FOB {batch.fob_total or '-'} CNY, estimated {batch.total_amount} CNY, "
        f"CSV sha256 {batch.csv_sha256 or '-'}; {answer}"
    )
    return 0


def _write(batch: rebates.RebateBatchView, directory: Path) -> list[Path] | None:
    """Write the batch's stored files into ``directory``; None (after saying why) on failure."""
    paths = []
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for file in batch.files:
            path = directory / file.name
            path.write_bytes(file.content.encode("utf-8"))
            paths.append(path)
    except OSError as exc:
        print(
            f"customs: cannot write the files of batch {batch.reference} into {directory}: "
            f"{exc.strerror}; the batch is stored, write them again with: "
            f"customs rebates batch {batch.reference} --out DIR",
            file=sys.stderr,
        )
        return None
    return paths


def _acknowledge(args: argparse.Namespace, app: Application) -> int:
    (document,) = read_documents([args.file])
    done = rebates.acknowledge_batch(app, LOCAL_OPERATOR, None, document)
    if args.json:
        print(json.dumps(done.as_json(), ensure_ascii=False))
        return 0
    moved = f"{done.accepted} accepted, {done.rejected} rejected, {done.unchanged} unchanged"
    print(
        f"batch {done.reference}: {done.rows} rows, {moved}; batch now {done.batch_accepted} "
        f"accepted, {done.batch_rejected} rejected, {done.batch_pending} awaiting an answer"
    )
    return 0


def _confirm_exit(args: argparse.Namespace, app: Application) -> int:
    done = rebates.confirm_exit(app, LOCAL_OPERATOR, args.number)
    when = (
        "" if done.confirmed_at is None else f" on {done.confirmed_at[:16].replace('T', ' ')} UTC"
    )
    state = f"exit already confirmed{when}" if done.already else f"exit confirmed{when}"
    print(f"{args.number}: {state}; {done.records} rebate record(s) confirmed")
    return 0


def _correct(args: argparse.Namespace, app: Application) -> int:
    view = rebate_versions.correct_record(
        app,
        LOCAL_OPERATOR,
        args.number,
        args.item,
        args.reason,
        cancel=args.cancel,
        fob_cny=args.fob_cny,
        rebate_rate=args.rate,
    )
    if args.json:
        print(json.dumps(view.as_json(), ensure_ascii=False))
        return 0
    new = view.versions[-1]
    print(
        f"{view.declaration_number} item {view.item}: version {new.version} ({new.kind} of "
        f"version {new.supersedes_version}) waits for the next batch: FOB {new.fob_cny} CNY, "
        f"rate {new.rebate_rate}, estimated {new.estimated_amount} CNY"
    )
    return 0


def _records(args: argparse.Namespace, app: Application) -> int:
    views = rebate_versions.records(app, LOCAL_OPERATOR, args.number)
    if args.json:
        printing.print_json_lines([v.as_json() for v in views])
        return 0
    for view in views:
        head = f"{view.declaration_number} item {view.item}"
        print(f"{head} ({view.commodity_code}, {view.export_date})")
        for v in view.versions:
            answer = f" {v.answer_code}" if v.answer_code else ""
            why = f" — {v.reason}" if v.reason else ""
            print(
                f"  v{v.version} {v.kind:<12} {v.status:<26}{answer} FOB {v.fob_cny} rate "
                f"{v.rebate_rate} estimated {v.estimated_amount}{why}"
            )
    return 0
