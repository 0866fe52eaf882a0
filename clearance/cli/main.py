"""The ``customs`` command. Names and JSON fields here are a contract (docs/cli.md)."""

# A thin front door: each command parses its arguments, calls one use case of
# clearance.app as the local operator, and prints the result. It never touches the store.
# (A developer's note: ``customs --help`` shows DESCRIPTION, written for the tool's users.)

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from clearance.app import (
    LOCAL_OPERATOR,
    Actor,
    Application,
    ProcessingError,
    SubmissionOutcome,
    open_application,
)
from clearance.app import declarations as declaration_cases
from clearance.app import events as event_cases
from clearance.app import messages as message_cases
from clearance.app import queueing as queue_cases
from clearance.app.views import MessageSummary
from clearance.cli import analysis as cli_analysis
from clearance.cli import changes as cli_changes
from clearance.cli import fx as cli_fx
from clearance.cli import identity as cli_identity
from clearance.cli import ledgers as cli_ledgers
from clearance.cli import officer as cli_officer
from clearance.cli import offices as cli_offices
from clearance.cli import operations as cli_operations
from clearance.cli import printing
from clearance.cli import rebates as cli_rebates
from clearance.cli import registry as cli_registry
from clearance.cli import serve as cli_serve
from clearance.cli import stats as cli_stats
from clearance.cli import tariff as cli_tariff
from clearance.cli import webhooks as cli_webhooks
from clearance.cli.arguments import positive
from core.errors import CustomsError

SAMPLES = Path(__file__).resolve().parents[2] / "samples"

#: What ``customs --help`` says the tool is for (users read it, not the module's docstring).
DESCRIPTION = """\
Golden Customs on this machine: process customs declarations and answer them in the
sender's own format (EDIFACT CUSDEC/CUSRES, ANSI X12 309/355/350, WCO DEC-DMS and China
Single Window DecMessage XML, JSON), and look after what the decisions rest on: tariffs,
licences and certificates, the customs offices, the officers' queue, export rebates, FX
monitoring, trade statistics, API keys, the HTTP service and its background jobs.

Every command works on the database named by CUSTOMS_DATABASE_URL (default: customs.db in
the working directory) and migrates it first. Start with 'customs demo' to see it work on
the samples."""
EPILOG = "'customs COMMAND --help' describes a command; docs/cli.md is the full reference."

#: A command handler: parsed arguments and the application → exit status.
Handler = Callable[[argparse.Namespace, Application], int]
#: Functions that add a group of sub-commands (tariff, registry, officer …) to the parser;
#: each area keeps its commands in its own ``clearance/cli/<area>.py``.
#: Each gets the top-level sub-parsers and the groups defined here (e.g. ``declarations``)
#: that it may add actions to.
COMMAND_GROUPS: list[Callable[[Any, dict[str, Any]], None]] = [
    cli_tariff.register,
    cli_registry.register,
    cli_offices.register,
    cli_ledgers.register,
    cli_analysis.register,
    cli_officer.register,
    cli_rebates.register,
    cli_changes.register,
    cli_identity.register,
    cli_serve.register,
    cli_fx.register,
    cli_operations.register,
    cli_stats.register,
    cli_webhooks.register,
]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``customs`` console script; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        # A group without its action ("customs tariff") shows that group's actions.
        shown: argparse.ArgumentParser = getattr(args, "help_parser", parser)
        shown.print_help()
        return 2
    try:
        app = open_application()  # every command migrates the database first
        handler: Handler = args.handler
        status = handler(args, app)
        sys.stdout.flush()  # a closed pipe is met here, inside the try, not at exit
        return status
    except CustomsError as exc:
        print(f"customs: {exc.message}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (``customs events | head``): what was done is committed, the
        # rest of the output has nowhere to go. No traceback; the interpreter's own flush at
        # exit must not meet the closed pipe again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="customs",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(metavar="COMMAND")

    init = sub.add_parser("init", help="create or migrate the database")
    init.set_defaults(handler=_init)

    submit = sub.add_parser("submit", help="process interchange files")
    submit.add_argument("files", nargs="+", type=Path, metavar="FILE")
    submit.add_argument("--sender", help="sender id (default: the interchange's own UNB sender)")
    submit.add_argument(
        "--as",
        dest="as_subject",
        metavar="SUBJECT",
        help="submit as this subject: its envelope senders are checked (default: the operator)",
    )
    submit.add_argument("--json", action="store_true", help="one JSON object per file")
    submit.add_argument(
        "--queue", action="store_true", help="store and queue for the workers (PostgreSQL)"
    )
    submit.add_argument(
        "--batch",
        type=positive,
        default=SUBMIT_BATCH,
        metavar="N",
        help=f"process up to N consecutive small files in one unit of work (default "
        f"{SUBMIT_BATCH}; 1: one unit per file); each is still received and answered on its own",
    )
    submit.set_defaults(handler=_submit)

    demo = sub.add_parser("demo", help="load sample tariffs and registries, process the samples")
    demo.add_argument("--samples", type=Path, default=SAMPLES)
    demo.set_defaults(handler=_demo)

    messages = sub.add_parser("messages", help="inbound messages").add_subparsers(metavar="ACTION")
    m_list = messages.add_parser("list", help="list received messages")
    m_list.add_argument("--json", action="store_true")
    m_list.add_argument("--limit", type=positive, default=100)
    m_list.set_defaults(handler=_messages_list)
    m_retry = messages.add_parser("retry", help="process a failed message again")
    m_retry.add_argument("message_id", type=int)
    m_retry.add_argument("--json", action="store_true")
    m_retry.set_defaults(handler=_messages_retry)
    m_stuck = messages.add_parser(
        "stuck", help="list messages still received long after they arrived (retry them)"
    )
    m_stuck.add_argument("--json", action="store_true")
    m_stuck.add_argument("--limit", type=positive, default=100)
    m_stuck.set_defaults(handler=_messages_stuck)

    events = sub.add_parser("events", help="follow the lifecycle event log")
    events.add_argument(
        "--since",
        type=int,
        default=0,
        metavar="CURSOR",
        help="the last event id already seen (0: from the start)",
    )
    events.add_argument("--limit", type=positive, default=100)
    events.add_argument("--json", action="store_true")
    events.set_defaults(handler=_events)

    decls = sub.add_parser("declarations", help="registered declarations").add_subparsers(
        metavar="ACTION"
    )
    d_list = decls.add_parser("list", help="list declarations")
    d_list.add_argument("--json", action="store_true")
    d_list.add_argument("--limit", type=positive, default=100)
    d_list.set_defaults(handler=_declarations_list)
    d_show = decls.add_parser("show", help="show one declaration")
    d_show.add_argument("number")
    d_show.add_argument("--json", action="store_true")
    d_show.set_defaults(handler=_declarations_show)
    for register in COMMAND_GROUPS:
        register(sub, {"declarations": decls, "messages": messages})
    _describe(sub)
    return parser


def _describe(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Give every command the line the list above it shows as its own description, so
    ``customs tariff --help`` says what the group is for; a group also remembers its parser,
    for ``customs tariff`` alone to show the group's actions."""
    for action in sub._choices_actions:
        command = sub.choices[action.dest]
        if command.description is None:
            command.description = action.help
        for nested in command._actions:
            if isinstance(nested, argparse._SubParsersAction):
                command.set_defaults(help_parser=command)
                _describe(nested)


#: ``customs submit``: up to this many consecutive small files in one unit of work (group
#: commit, ADR 0006 stop 27: about 0.65 ms of fixed cost saved a file; more than ten saved no
#: more in the measurements).
SUBMIT_BATCH = 10


def _init(args: argparse.Namespace, app: Application) -> int:
    print(f"database ready: {app.database}")
    return 0


def _submit(args: argparse.Namespace, app: Application) -> int:
    if getattr(args, "queue", False):
        return cli_operations.submit_queued(args, app)
    status = 0
    actor = cli_identity.acting(app, getattr(args, "as_subject", None))
    if args.sender is not None and actor.sees_everything:
        print(
            f"customs: filing under sender {args.sender}, whatever the files' envelopes say",
            file=sys.stderr,
        )
    batch = getattr(args, "batch", SUBMIT_BATCH)
    files = _read_files(args.files, args.sender)
    for run in queue_cases.runs(files, batch, _alone):
        readable: list[tuple[Path, message_cases.Interchange]] = []
        for path, read in run:
            if isinstance(read, OSError):  # alone in its run: the files before it went first
                print(f"customs: cannot read {path}: {read.strerror}", file=sys.stderr)
                status = 1
            else:
                readable.append((path, read))
        status |= _submit_run(app, actor, readable, args.json)
    return status


def _read_files(
    paths: Sequence[Path], sender: str | None
) -> Iterator[tuple[Path, message_cases.Interchange | OSError]]:
    """Each file as an interchange, or the error reading it; read only when its run is taken
    (:func:`queue_cases.runs`), so at most one run of files is held at a time."""
    for path in paths:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            yield path, exc
            continue
        yield path, message_cases.Interchange(raw, filename=str(path), sender=sender)


def _alone(entry: tuple[Path, message_cases.Interchange | OSError]) -> bool:
    """A file submitted in a unit of work of its own: a large one (as always), or one that
    could not be read (reported in its place, after the files before it)."""
    read = entry[1]
    return isinstance(read, OSError) or len(read.content) >= queue_cases.BATCH_BYTES


def _submit_run(
    app: Application,
    actor: Actor,
    run: Sequence[tuple[Path, message_cases.Interchange]],
    as_json: bool,
) -> int:
    """Submit ``run`` (one file alone, or several small ones in one unit of work) and print
    each file's outcome in order; 1 if any failed."""
    if not run:
        return 0
    results: Sequence[SubmissionOutcome | ProcessingError]
    if len(run) == 1:
        try:
            results = [message_cases.submit(app, actor, run[0][1])]
        except ProcessingError as exc:
            results = [exc]
    else:
        results = queue_cases.submit_batch(app, actor, [interchange for _, interchange in run])
    status = 0
    for (path, _), result in zip(run, results, strict=True):
        if isinstance(result, ProcessingError):
            print(
                f"customs: {path}: {result.message} (kept as message {result.message_id}; "
                f"retry with: customs messages retry {result.message_id})",
                file=sys.stderr,
            )
            status = 1
        else:
            printing.print_outcome(result, as_json=as_json)
    return status


def _demo(args: argparse.Namespace, app: Application) -> int:
    root = args.samples
    # The carrier's manifest first (declarations on it are reconciled at once), then every
    # EDIFACT interchange and every XML declaration, good and bad.
    files = [
        *sorted(p for p in (root / "x12").glob("01-*.x12") if p.name.count(".") == 1),
        *sorted((root / "edifact").glob("*.edi")),
        *sorted((root / "xml").glob("*.xml")),
    ]
    if not files:
        print(f"customs: no sample files under {root}", file=sys.stderr)
        return 1
    print(f"database: {app.database}")
    schedules = sorted((root / "tariffs").glob("*.jsonl"))
    if schedules:
        print(f"loading the sample tariff schedules ({', '.join(p.name for p in schedules)})")
        cli_tariff.load_files(app, schedules)
    registries = sorted((root / "registries").glob("*.jsonl"))
    if registries:
        print(f"loading the sample registries ({', '.join(p.name for p in registries)})")
        cli_registry.load_registry_files(app, registries)
    # The customs-offices registry (issue 12): kept apart from samples/registries/, whose files
    # ``customs registry load`` takes together as one snapshot.
    office_files = sorted((root / "offices").glob("*.jsonl"))
    if office_files:
        print(f"loading the sample customs offices ({', '.join(p.name for p in office_files)})")
        cli_offices.load_office_files(app, office_files)
    print(f"processing {len(files)} sample files from {root}\n")
    status = _submit(argparse.Namespace(files=files, sender=None, json=False), app)
    print()
    _declarations_list(argparse.Namespace(json=False, limit=50), app)
    cli_identity.create_demo_subjects(app)  # issue 12: one subject of each role, with keys
    return status


def _messages_list(args: argparse.Namespace, app: Application) -> int:
    rows = message_cases.list_messages(app, LOCAL_OPERATOR, limit=args.limit)
    return _print_messages(rows, as_json=args.json)


def _messages_stuck(args: argparse.Namespace, app: Application) -> int:
    rows = message_cases.list_stuck(app, LOCAL_OPERATOR, limit=args.limit)
    if not args.json:
        print(f"{len(rows)} stuck message(s); retry each with: customs messages retry ID")
    return _print_messages(rows, as_json=args.json)


def _print_messages(rows: list[MessageSummary], *, as_json: bool) -> int:
    if as_json:
        printing.print_json_lines([r.as_json() for r in rows])
        return 0
    print(f"{'id':>5}  {'received':<25} {'sender':<16} {'format':<8} {'ref':<14} status")
    for r in rows:
        print(
            f"{r.message_id:>5}  {r.received_at:<25} {r.sender:<16} "
            f"{r.format or '-':<8} {r.control_reference or '-':<14} {r.status}"
            + (f"  ({r.error})" if r.error else "")
        )
    return 0


def _messages_retry(args: argparse.Namespace, app: Application) -> int:
    outcome = message_cases.retry(app, LOCAL_OPERATOR, args.message_id)
    printing.print_outcome(outcome, as_json=args.json)
    return 0


def _events(args: argparse.Namespace, app: Application) -> int:
    page = event_cases.pull(app, LOCAL_OPERATOR, after=args.since, limit=args.limit)
    if args.json:
        printing.print_json_lines([e.as_json() for e in page.events])
    else:
        for e in page.events:
            print(
                f"{e.id:>7}  {e.occurred_at:<32} {e.kind:<16} "
                f"{e.declaration_number or '-':<18} message {e.message_id or '-'}"
            )
    print(f"next: customs events --since {page.next_cursor}", file=sys.stderr)
    return 0


def _declarations_list(args: argparse.Namespace, app: Application) -> int:
    rows = declaration_cases.list_declarations(app, LOCAL_OPERATOR, limit=args.limit)
    if args.json:
        printing.print_json_lines([r.as_json() for r in rows])
        return 0
    print(f"{'number':<18}  {'dir':<6} {'status':<12} {'lane':<6} {'sender':<16} reference")
    for r in rows:
        print(
            f"{r.number:<18}  {r.direction:<6} {r.status:<12} {r.lane or '-':<6} "
            f"{r.sender:<16} {r.sender_reference}"
        )
    return 0


def _declarations_show(args: argparse.Namespace, app: Application) -> int:
    data = declaration_cases.show(app, LOCAL_OPERATOR, args.number).as_json()
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    printing.print_declaration(data)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
