"""``customs declarations amend / invalidate``: change a declaration without an EDI file.

Both send a canonical JSON request through the intake (docs/json-channel.md) and print the
outcome exactly as ``customs submit`` does, ``--json`` included; a refused change exits 1
(docs/cli.md, "Exit status").
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from clearance.app import (
    LOCAL_OPERATOR,
    Application,
    InterchangeStatus,
    ProcessingError,
    SubmissionOutcome,
)
from clearance.app import declarations_changes as changes
from clearance.cli import printing
from clearance.cli.files import read_documents


def register(sub: Any, groups: dict[str, Any]) -> None:
    """Add ``amend`` and ``invalidate`` to the ``declarations`` group."""
    decls = groups["declarations"]
    amend = decls.add_parser("amend", help="a new version from a canonical declaration JSON file")
    amend.add_argument("number")
    amend.add_argument("file", type=Path, metavar="FILE.json")
    _common(amend)
    amend.set_defaults(handler=_amend)
    invalidate = decls.add_parser("invalidate", help="cancel a declaration")
    invalidate.add_argument("number")
    invalidate.add_argument("--reason", required=True, help="why (kept with the cancellation)")
    _common(invalidate)
    invalidate.set_defaults(handler=_invalidate)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--reference",
        help="the request's own reference (default: derived from number, version and content)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object, as customs submit")


def _amend(args: argparse.Namespace, app: Application) -> int:
    (document,) = read_documents([args.file])
    declaration = changes.read_declaration(document)

    def send() -> SubmissionOutcome:
        return changes.amend(
            app,
            LOCAL_OPERATOR,
            args.number,
            declaration,
            reference=args.reference,
            channel="cli",
            filename=str(args.file),
        )

    return _print(send, args.json)


def _invalidate(args: argparse.Namespace, app: Application) -> int:
    def send() -> SubmissionOutcome:
        return changes.invalidate(
            app, LOCAL_OPERATOR, args.number, args.reason, reference=args.reference, channel="cli"
        )

    return _print(send, args.json)


def _print(send: Callable[[], SubmissionOutcome], as_json: bool) -> int:
    try:
        outcome = send()
    except ProcessingError as exc:
        print(
            f"customs: {exc.message} (kept as message {exc.message_id}; "
            f"retry with: customs messages retry {exc.message_id})",
            file=sys.stderr,
        )
        return 1
    printing.print_outcome(outcome, as_json=as_json)
    refused = refusal(outcome)
    if refused is None:
        return 0
    # The one change asked for was not made: the command failed, whatever it printed (a
    # script's `customs declarations invalidate … && …` must not go on). `customs submit`
    # still exits 0 for a rejected interchange: there the rejection is the answer to the
    # partner's file, and the command did what it was asked, file it.
    print(f"customs: refused: {refused}", file=sys.stderr)
    return 1


def refusal(outcome: SubmissionOutcome) -> str | None:
    """Why the change ``outcome`` answers was refused (None: it was made, or had been): the
    request rejected as a whole, or its declaration answered ``rejected``."""
    whole = outcome.status is InterchangeStatus.REJECTED
    reasons = [e.text for e in outcome.errors] if whole else []
    rejected = [d for d in outcome.declarations if d.status == "rejected"]
    for declaration in rejected:
        reasons += [r.text for r in declaration.reasons]
    if not whole and not rejected:
        return None
    return "; ".join(dict.fromkeys(reasons)) or "rejected"
