"""``customs tariff``: load schedule versions, show the measures in force, quote a line."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from clearance.assessment import tariff_store
from clearance.assessment.adapter import unit_symbol
from clearance.store.migrate import upgrade
from core.clock import SystemClock
from core.db import UnitOfWork, session_factory
from core.errors import CustomsError
from core.settings import Settings
from tariffs import (
    Quantity,
    Schedule,
    TariffError,
    measures_in_force,
    quote,
    render_assessment,
    render_measures,
    select_regime,
)


def register(sub: Any, groups: dict[str, Any]) -> None:
    """Add the ``tariff`` command group to the ``customs`` parser."""
    tariff = sub.add_parser("tariff", help="tariff schedules: load, show, quote").add_subparsers(
        metavar="ACTION"
    )
    load = tariff.add_parser("load", help="load schedule files (docs/tariff-format.md)")
    load.add_argument("files", nargs="+", type=Path, metavar="FILE")
    load.set_defaults(handler=_load)

    listing = tariff.add_parser("versions", help="list the loaded schedule versions")
    listing.set_defaults(handler=_versions)

    show = tariff.add_parser("show", help="the measures in force for a commodity code")
    _common(show)
    show.set_defaults(handler=_show)

    ask = tariff.add_parser("quote", help="customs value, duties and taxes of one item")
    _common(ask)
    ask.add_argument("--value", nargs=2, required=True, metavar=("AMOUNT", "CURRENCY"))
    ask.add_argument("--quantity", nargs=2, action="append", default=[], metavar=("N", "UNIT"))
    ask.add_argument("--incoterm", default="CIF")
    ask.add_argument("--freight", help="an amount in the value currency, or a rate such as 2%%")
    ask.add_argument("--insurance", help="an amount, or a rate such as 0.3%%")
    ask.add_argument("--document", action="append", default=[], metavar="CODE[:AGREEMENT]")
    ask.add_argument("--preference", help="agreement claimed (e.g. ACFTA)")
    ask.add_argument("--direction", choices=("import", "export"), default="import")
    ask.set_defaults(handler=_quote)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("code", metavar="CODE")
    parser.add_argument("--origin", required=True, metavar="CC")
    parser.add_argument("--on", type=date.fromisoformat, required=True, metavar="YYYY-MM-DD")
    parser.add_argument("--regime", choices=("cn", "eu"), help="default: by configuration")
    parser.add_argument("--version", help="a loaded schedule version (default: the latest)")
    parser.add_argument("--json", action="store_true")


def _load(args: argparse.Namespace, settings: Settings, engine: Engine) -> int:
    upgrade(engine)
    return load_files(engine, args.files)


def load_files(engine: Engine, paths: list[Path]) -> int:
    """Load each schedule file in its own transaction; print what happened; exit status."""
    status = 0
    for path in paths:
        try:
            with UnitOfWork(session_factory(engine)) as uow:
                loaded = tariff_store.load_file(uow.session, path, SystemClock().now())
                uow.commit()
        except OSError as exc:
            print(f"customs: cannot read {path}: {exc.strerror}", file=sys.stderr)
            status = 1
            continue
        except TariffError as exc:
            print(f"customs: {exc.message}", file=sys.stderr)
            status = 1
            continue
        state = "loaded as new version" if loaded.created else "already loaded as version"
        print(f"{path}: {state} {loaded.version_id} ({loaded.name})")
    return status


def _versions(args: argparse.Namespace, settings: Settings, engine: Engine) -> int:
    upgrade(engine)
    with UnitOfWork(session_factory(engine)) as uow:
        for row in tariff_store.versions(uow.session):
            print(
                f"{row.version_id:<24} {row.regime or '-':<4} published {row.published} "
                f"loaded {row.loaded_at:%Y-%m-%d %H:%M} {row.content_hash[:12]}  {row.name}"
            )
    return 0


def _schedule(args: argparse.Namespace, engine: Engine, regime: str) -> Schedule:
    with UnitOfWork(session_factory(engine)) as uow:
        if args.version:
            return tariff_store.get(uow.session, args.version)
        schedule = tariff_store.latest(uow.session, regime)
    if schedule is None:
        raise CustomsError(
            f"no tariff schedule of regime {regime} is loaded: customs tariff load FILE"
        )
    return schedule


def _show(args: argparse.Namespace, settings: Settings, engine: Engine) -> int:
    upgrade(engine)
    regime = select_regime(args.regime or settings.regime)
    schedule = _schedule(args, engine, regime.id)
    if args.json:
        views = measures_in_force(schedule, args.code, args.origin, args.on)
        print(json.dumps([_jsonable(v._asdict()) for v in views], ensure_ascii=False, indent=2))
    else:
        print(render_measures(schedule, args.code, args.origin, args.on))
    return 0


def _quote(args: argparse.Namespace, settings: Settings, engine: Engine) -> int:
    upgrade(engine)
    regime = select_regime(args.regime or settings.regime)
    schedule = _schedule(args, engine, regime.id)
    amount, currency = args.value
    try:
        Decimal(amount)
    except InvalidOperation:
        raise CustomsError(f"--value {amount!r} is not a number") from None
    quantities = []
    for number, unit in args.quantity:
        symbol = unit_symbol(unit)
        if symbol is None:
            raise CustomsError(f"unknown unit {unit!r} (UN/ECE Rec. 20 code or kg, l, pce …)")
        quantities.append(Quantity(value=Decimal(number), unit=symbol, kind="statutory"))
    try:
        assessment = quote(
            schedule,
            regime,
            code=args.code,
            origin=args.origin,
            as_of=args.on,
            value=amount,
            currency=currency.upper(),
            quantities=quantities,
            incoterm=args.incoterm,
            freight=args.freight,
            insurance=args.insurance,
            documents=args.document,
            preference=args.preference,
            direction=args.direction,
        )
    except (TariffError, ValueError) as exc:
        raise CustomsError(str(exc)) from exc
    if args.json:
        print(assessment.model_dump_json(indent=2))
    else:
        print(render_assessment(assessment))
    return 0


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    # Dates and Decimals as strings, as everywhere in the CLI's JSON.
    result: dict[str, Any] = json.loads(json.dumps(data, default=str))
    return result
