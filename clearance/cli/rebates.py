"""``customs rebates``: exit confirmation, the batches for the tax authority, their answers."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from clearance.app import (
    LOCAL_OPERATOR,
    Application,
    rebates,
)
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
