"""``customs subjects | keys | mandates``: the admin's commands for who may call the service.

Run locally, they act as the operator. A new API key is printed once and never again (only its
hash is kept). ``customs keys check`` reads a key on standard input and says whom it identifies.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import UTC, date, datetime, time
from typing import Any

from clearance.app import LOCAL_OPERATOR, Actor, Application, Role
from clearance.app import identity as identity_cases
from clearance.app import keys as key_cases
from clearance.app import mandates as mandate_cases
from clearance.app import subjects as subject_cases
from clearance.app.errors import ConflictError
from clearance.app.views import View


def register(sub: Any, groups: dict[str, Any]) -> None:
    """Add the ``subjects``, ``keys`` and ``mandates`` groups to the ``customs`` parser."""
    _subjects(sub)
    _keys(sub)
    _mandates(sub)


def _subjects(sub: Any) -> None:
    subjects = sub.add_parser("subjects", help="who may call the service").add_subparsers(
        metavar="ACTION"
    )
    add = subjects.add_parser("add", help="add a subject")
    add.add_argument("id", help="the subject's id (a-z, 0-9, '.', '_', '-')")
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, choices=[r.value for r in Role if r != "operator"])
    add.add_argument(
        "--party",
        action="append",
        default=[],
        metavar="ID",
        help="a party id it is: USCC, EORI, customs code, or edi:SENDER (repeatable)",
    )
    add.add_argument("--office", action="append", default=[], help="an officer's office")
    add.add_argument("--issuer", action="append", default=[], help="an agency's issuer name")
    add.add_argument("--password", action="store_true", help="prompt for a password")
    add.add_argument("--json", action="store_true")
    add.set_defaults(handler=_subjects_add)
    listing = subjects.add_parser("list", help="list subjects")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_subjects_list)
    disable = subjects.add_parser("disable", help="disable a subject (its keys stop working)")
    disable.add_argument("id")
    disable.set_defaults(handler=_subjects_disable)
    password = subjects.add_parser("password", help="set a subject's password (prompted)")
    password.add_argument("id")
    password.set_defaults(handler=_subjects_password)


def _keys(sub: Any) -> None:
    keys = sub.add_parser("keys", help="API keys").add_subparsers(metavar="ACTION")
    issue = keys.add_parser("issue", help="issue an API key (printed once)")
    issue.add_argument("subject")
    issue.add_argument("--label")
    issue.add_argument(
        "--expires", type=_instant, help="expiry date or ISO time (default: in a year)"
    )
    issue.add_argument(
        "--scope",
        action="append",
        default=[],
        metavar="PERMISSION",
        help="limit the key to this permission of the subject's role (read, quote, submit …); "
        "repeatable; none: every permission of the role",
    )
    issue.add_argument("--json", action="store_true")
    issue.set_defaults(handler=_keys_issue)
    listing = keys.add_parser("list", help="list API keys (never their secrets)")
    listing.add_argument("--subject")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_keys_list)
    revoke = keys.add_parser("revoke", help="revoke an API key by its key id")
    revoke.add_argument("key_id")
    revoke.set_defaults(handler=_keys_revoke)
    check = keys.add_parser("check", help="read a key on stdin; print whom it identifies")
    check.set_defaults(handler=_keys_check)


def _mandates(sub: Any) -> None:
    mandates = sub.add_parser("mandates", help="brokers' mandates").add_subparsers(metavar="ACTION")
    grant = mandates.add_parser("grant", help="a trader mandates a broker")
    grant.add_argument("broker", help="the broker's subject id")
    grant.add_argument("trader", help="the trader's party id")
    grant.add_argument("--from", dest="valid_from", type=date.fromisoformat)
    grant.add_argument("--to", dest="valid_to", type=date.fromisoformat)
    grant.add_argument("--json", action="store_true")
    grant.set_defaults(handler=_mandates_grant)
    listing = mandates.add_parser("list", help="list mandates")
    listing.add_argument("--broker")
    listing.add_argument("--trader")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_mandates_list)
    revoke = mandates.add_parser("revoke", help="revoke a mandate")
    revoke.add_argument("id", type=int)
    revoke.set_defaults(handler=_mandates_revoke)


def acting(app: Application, subject_id: str | None) -> Actor:
    """The actor of a command: the local operator, or the named subject (``--as``)."""
    if subject_id is None:
        return LOCAL_OPERATOR
    return identity_cases.act_as(app, LOCAL_OPERATOR, subject_id)


def _subjects_add(args: argparse.Namespace, app: Application) -> int:
    password = _prompt_password() if args.password else None
    new = subject_cases.NewSubject(
        id=args.id,
        name=args.name,
        role=Role(args.role),
        party_ids=args.party,
        offices=args.office,
        issuers=args.issuer,
        password=password,
    )
    view = subject_cases.add_subject(app, LOCAL_OPERATOR, new)
    _print(view, args.json, f"subject {view.id} ({view.role}) added")
    return 0


def _subjects_list(args: argparse.Namespace, app: Application) -> int:
    rows = subject_cases.list_subjects(app, LOCAL_OPERATOR)
    if args.json:
        _json_lines(rows)
        return 0
    for s in rows:
        parties = ", ".join(f"{p.scheme}:{p.party_id}" for p in s.parties) or "-"
        flags = " DISABLED" if s.disabled else ""
        print(f"{s.id:<20} {s.role:<12} {parties:<40} {','.join(s.offices) or '-'}{flags}")
    return 0


def _subjects_disable(args: argparse.Namespace, app: Application) -> int:
    view = subject_cases.disable_subject(app, LOCAL_OPERATOR, args.id)
    print(f"subject {view.id} disabled")
    return 0


def _subjects_password(args: argparse.Namespace, app: Application) -> int:
    subject_cases.set_password(app, LOCAL_OPERATOR, args.id, _prompt_password())
    print(f"password of {args.id} set")
    return 0


def _keys_issue(args: argparse.Namespace, app: Application) -> int:
    issued = key_cases.issue_key(
        app,
        LOCAL_OPERATOR,
        args.subject,
        label=args.label,
        expires_at=args.expires,
        scopes=args.scope,
    )
    if args.json:
        print(json.dumps(issued.as_json(), ensure_ascii=False))
        return 0
    print(
        f"API key {issued.details.key_id} for {issued.details.subject}, "
        f"scopes {_scopes(issued.details.scopes)}, expires {issued.details.expires_at}:"
    )
    print(issued.key)
    print("(shown once: only its hash is kept)", file=sys.stderr)
    return 0


def _keys_list(args: argparse.Namespace, app: Application) -> int:
    rows = key_cases.list_keys(app, LOCAL_OPERATOR, subject_id=args.subject)
    if args.json:
        _json_lines(rows)
        return 0
    for k in rows:
        state = "revoked" if k.revoked_at else "active"
        print(
            f"{k.key_id}  {k.subject:<20} {state:<8} expires {k.expires_at or '-'}  "
            f"last used {k.last_used_at or '-'}  scopes {_scopes(k.scopes)}  {k.label or ''}"
        )
    return 0


def _scopes(scopes: list[str] | None) -> str:
    """A key's scopes for a human: ``read,quote``, or ``all`` (unscoped: the whole role)."""
    return "all" if scopes is None else ",".join(scopes)


def _keys_revoke(args: argparse.Namespace, app: Application) -> int:
    view = key_cases.revoke_key(app, LOCAL_OPERATOR, args.key_id)
    print(f"API key {view.key_id} revoked at {view.revoked_at}")
    return 0


def _keys_check(args: argparse.Namespace, app: Application) -> int:
    actor = identity_cases.authenticate_key(app, sys.stdin.readline().strip())
    print(json.dumps(subject_cases.describe(app, actor).as_json(), ensure_ascii=False))
    return 0


def _mandates_grant(args: argparse.Namespace, app: Application) -> int:
    view = mandate_cases.grant_mandate(
        app,
        LOCAL_OPERATOR,
        args.broker,
        args.trader,
        valid_from=args.valid_from,
        valid_to=args.valid_to,
    )
    _print(view, args.json, f"mandate {view.id}: {view.trader_party_id} -> {view.broker}")
    return 0


def _mandates_list(args: argparse.Namespace, app: Application) -> int:
    rows = mandate_cases.list_mandates(
        app, LOCAL_OPERATOR, broker_id=args.broker, trader_party_id=args.trader
    )
    if args.json:
        _json_lines(rows)
        return 0
    for m in rows:
        state = "in force" if m.in_force else ("revoked" if m.revoked_at else "not in force")
        print(
            f"{m.id:>5}  {m.trader_party_id:<20} -> {m.broker:<20} "
            f"{m.valid_from} .. {m.valid_to or 'open'}  {state}"
        )
    return 0


def _mandates_revoke(args: argparse.Namespace, app: Application) -> int:
    view = mandate_cases.revoke_mandate(app, LOCAL_OPERATOR, args.id)
    print(f"mandate {view.id} revoked at {view.revoked_at}")
    return 0


def _instant(text: str) -> datetime:
    """A date (end of that day, UTC) or an ISO time (UTC unless it names a zone)."""
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), time.max, tzinfo=UTC)
    instant = datetime.fromisoformat(text)
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)


def _prompt_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    return getpass.getpass("password: ")


def _print(view: View, as_json: bool, line: str) -> None:
    print(json.dumps(view.as_json(), ensure_ascii=False) if as_json else line)


def _json_lines(rows: list[Any]) -> None:
    for row in rows:
        print(json.dumps(row.as_json(), ensure_ascii=False))


#: The demo's subjects, one of each role, matched to the sample files' parties and offices.
DEMO_SUBJECTS = (
    subject_cases.NewSubject("demo-admin", "Demo administrator", Role.ADMIN),
    subject_cases.NewSubject(
        "demo-trader",
        "深圳前海电子科技有限公司 (sends sample 02 itself)",
        Role.TRADER,
        party_ids=["91440300MA5DC8E3L9"],
    ),
    subject_cases.NewSubject(
        "demo-broker",
        "PUDONG CUSTOMS BROKERAGE CO LTD (sends samples 01, 06, 07 as BROKER01)",
        Role.BROKER,
        party_ids=["91310115MA1H7TQ2X4", "edi:BROKER01"],
    ),
    subject_cases.NewSubject(
        "demo-officer", "Officer of office 2201", Role.OFFICER, offices=["2201"]
    ),
    subject_cases.NewSubject(
        "demo-agency", "MOFCOM Shanghai", Role.AGENCY, issuers=["MOFCOM Shanghai"]
    ),
    subject_cases.NewSubject("demo-statistician", "Demo statistician", Role.STATISTICIAN),
)
#: SHANGHAI OCEAN FOODS (the consignee of sample 01) mandates the demo broker.
DEMO_MANDATE = ("demo-broker", "91310000MA1FL0XQ8W")


def create_demo_subjects(app: Application) -> None:
    """One subject of each role with a fresh API key each, printed (a local demo store only)."""
    print("\ndemo subjects (keys shown once; this is a local demo store):")
    for new in DEMO_SUBJECTS:
        try:
            subject_cases.add_subject(app, LOCAL_OPERATOR, new)
            if new.id == DEMO_MANDATE[0]:
                mandate_cases.grant_mandate(app, LOCAL_OPERATOR, *DEMO_MANDATE)
        except ConflictError:
            pass  # the demo ran before on this store: a new key for the same subject
        issued = key_cases.issue_key(app, LOCAL_OPERATOR, new.id, label="demo")
        print(f"  {new.role.value:<13} {new.id:<18} {issued.key}")
    print("check a key with: echo KEY | customs keys check")
