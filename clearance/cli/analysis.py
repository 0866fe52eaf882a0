"""``customs declarations explain / reassess`` and ``customs replay``: decisions recomputed."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

from clearance.app import (
    LOCAL_OPERATOR,
    Application,
    analysis,
    declarations,
)
from clearance.cli.files import read_documents


def register(sub: Any, groups: dict[str, Any]) -> None:
    """Add the commands of this group to the ``customs`` parser."""
    decls = groups["declarations"]
    exp = decls.add_parser("explain", help="the decision of a declaration in plain words")
    exp.add_argument("number")
    exp.add_argument("--json", action="store_true")
    exp.set_defaults(handler=_explain)
    again = decls.add_parser("reassess", help="recompute a past decision exactly")
    again.add_argument("number")
    again.add_argument("--as-of", type=date.fromisoformat, required=True, metavar="DATE")
    again.set_defaults(handler=_reassess)

    rep = sub.add_parser("replay", help="what a candidate ruleset would change (read-only)")
    rep.add_argument("--ruleset", type=Path, required=True, metavar="FILE")
    rep.add_argument("--from", dest="date_from", type=date.fromisoformat, required=True)
    rep.add_argument("--to", dest="date_to", type=date.fromisoformat, required=True)
    rep.set_defaults(handler=_replay)


def _explain(args: argparse.Namespace, app: Application) -> int:
    result = declarations.explain(app, LOCAL_OPERATOR, args.number)
    if args.json:
        data = result.as_json()
        del data["text"], data["decided_at"]  # the contract's fields (docs/cli.md)
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print(result.text)
    if result.decided_by != "auto":
        when = result.decided_at[:16].replace("T", " ")
        print(f"Decided by officer {result.decided_by} at {when}: {result.note} / 关员决定")
    return 0


def _reassess(args: argparse.Namespace, app: Application) -> int:
    result = declarations.reassess(app, LOCAL_OPERATOR, args.number, args.as_of)
    stored, again = result.stored, result.recomputed
    print(
        f"decision of {args.number} in force on {args.as_of}: version "
        f"{result.declaration_version}, ruleset {result.ruleset_version[:12]}"
    )
    print(f"stored:     {stored.lane} {stored.decision} digest {stored.inputs_digest[:16]}")
    print(f"recomputed: {again.lane} {again.decision} digest {again.inputs_digest[:16]}")
    print("identical" if result.identical else "DIFFERENT")
    return 0 if result.identical else 1


def _replay(args: argparse.Namespace, app: Application) -> int:
    (document,) = read_documents([args.ruleset])
    report = analysis.replay(app, LOCAL_OPERATOR, document, args.date_from, args.date_to)
    print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    return 0
