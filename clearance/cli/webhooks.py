"""``customs webhooks add|list|show|remove|rotate-secret|deliveries|deliver``.

Run locally, the commands act as the operator, or as a subject with ``--as SUBJECT`` (whose
endpoints then receive what that subject may see). A new or rotated signing secret is printed
once and never again. ``deliver`` runs the due deliveries now, as the scheduler's job does.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from clearance.app import LOCAL_OPERATOR, Application
from clearance.app import webhook_delivery as delivery_cases
from clearance.app import webhooks as webhook_cases
from clearance.app.webhook_views import WebhookEndpointView
from clearance.cli import printing
from clearance.cli.arguments import positive
from clearance.cli.identity import acting


def register(sub: Any, groups: dict[str, Any]) -> None:
    """Add the ``webhooks`` group to the ``customs`` parser."""
    hooks = sub.add_parser("webhooks", help="webhook endpoints and their deliveries")
    actions = hooks.add_subparsers(metavar="ACTION")

    add = actions.add_parser("add", help="register an endpoint (its secret is printed once)")
    add.add_argument("url")
    add.add_argument(
        "--event",
        action="append",
        default=[],
        dest="events",
        metavar="KIND",
        help="an event kind to send (repeatable; default: every kind)",
    )
    add.add_argument("--description")
    _common(add)
    add.set_defaults(handler=_add)

    listing = actions.add_parser("list", help="list endpoints (never their secrets)")
    _common(listing)
    listing.set_defaults(handler=_list)

    for name, handler, text in (
        ("show", _show, "show one endpoint"),
        ("remove", _remove, "remove an endpoint and its delivery records"),
        ("rotate-secret", _rotate, "a new signing secret (printed once)"),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("endpoint_id")
        _common(action)
        action.set_defaults(handler=handler)

    shown = actions.add_parser("deliveries", help="an endpoint's deliveries, newest first")
    shown.add_argument("endpoint_id")
    shown.add_argument("--limit", type=positive, default=50)
    _common(shown)
    shown.set_defaults(handler=_deliveries)

    deliver = actions.add_parser("deliver", help="fan out new events and post the due deliveries")
    deliver.add_argument("--json", action="store_true")
    deliver.set_defaults(handler=_deliver)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as",
        dest="as_subject",
        metavar="SUBJECT",
        help="as this subject (default: the operator)",
    )
    parser.add_argument("--json", action="store_true")


def _add(args: argparse.Namespace, app: Application) -> int:
    actor = acting(app, args.as_subject)
    created = webhook_cases.register(
        app, actor, args.url, event_types=args.events, description=args.description
    )
    if args.json:
        print(json.dumps(created.as_json()))
        return 0
    _print_endpoint(created.endpoint)
    print(f"secret: {created.secret}")
    print(
        "keep the secret now: it is not shown again (rotate-secret makes a new one)",
        file=sys.stderr,
    )
    return 0


def _list(args: argparse.Namespace, app: Application) -> int:
    rows = webhook_cases.list_endpoints(app, acting(app, args.as_subject))
    if args.json:
        printing.print_json_lines([r.as_json() for r in rows])
        return 0
    for row in rows:
        _print_endpoint(row)
    return 0


def _show(args: argparse.Namespace, app: Application) -> int:
    row = webhook_cases.show(app, acting(app, args.as_subject), args.endpoint_id)
    if args.json:
        print(json.dumps(row.as_json()))
    else:
        _print_endpoint(row)
    return 0


def _remove(args: argparse.Namespace, app: Application) -> int:
    row = webhook_cases.remove(app, acting(app, args.as_subject), args.endpoint_id)
    if args.json:
        print(json.dumps(row.as_json()))
    else:
        print(f"removed {row.id} ({row.url})")
    return 0


def _rotate(args: argparse.Namespace, app: Application) -> int:
    rotated = webhook_cases.rotate_secret(app, acting(app, args.as_subject), args.endpoint_id)
    if args.json:
        print(json.dumps(rotated.as_json()))
    else:
        print(f"secret: {rotated.secret}")
    return 0


def _deliveries(args: argparse.Namespace, app: Application) -> int:
    rows = webhook_cases.deliveries(
        app, acting(app, args.as_subject), args.endpoint_id, limit=args.limit
    )
    if args.json:
        printing.print_json_lines([r.as_json() for r in rows])
        return 0
    for d in rows:
        status = d.last_status_code if d.last_status_code is not None else "-"
        print(
            f"{d.id:>7} event {d.event_id:>8} {d.event_type:<18} {d.status:<9} "
            f"attempts {d.attempts:>2}  last {status}  next {d.next_attempt_at or '-'}"
            + (f"  ({d.last_error})" if d.last_error else "")
        )
    return 0


def _deliver(args: argparse.Namespace, app: Application) -> int:
    run = delivery_cases.deliver(app, LOCAL_OPERATOR)
    if args.json:
        print(json.dumps(run.as_json()))
    else:
        print(
            f"queued {run.queued}, delivered {run.delivered}, retrying {run.retrying}, "
            f"failed {run.failed}, endpoints disabled {run.endpoints_disabled}"
        )
    return 0


def _print_endpoint(row: WebhookEndpointView) -> None:
    kinds = ",".join(row.event_types) or "all events"
    line = f"{row.id}  {row.status:<8} {row.url}  [{kinds}]  owner {row.owner}"
    if row.disabled_reason:
        line += f"  ({row.disabled_reason})"
    print(line)
