"""Command line: ``python -m recommender {migrate,import,load-demo,serve}``."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from recommender import constants as C
from recommender.config import Settings, SettingsError
from recommender.importers import (
    ImportFailed,
    database_reason,
    import_file,
    import_item_rows,
    import_offer_rows,
    import_order_rows,
)
from recommender.storage import queries
from recommender.storage.db import create_db_engine, session_factory
from recommender.storage.migrate import upgrade
from recommender.storage.models import Interaction, Item

logger = logging.getLogger("recommender")
APP_FACTORY = "recommender.api.app:create_app"  # import string: uvicorn needs one to start several workers


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"port must be a number, got {value!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError("port must be 1..65535")
    return port


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (defaults from constants and the environment)."""
    parser = argparse.ArgumentParser(
        prog="python -m recommender", description="Dianxiaoer recommender service"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="upgrade the database schema to the latest revision")
    importer = commands.add_parser("import", help="import items, orders or offers from a .csv or .json file")
    importer.add_argument("kind", choices=("items", "orders", "offers"))
    importer.add_argument("file", type=Path)
    demo = commands.add_parser("load-demo", help="load the demo catalog, shoppers, history and offers")
    demo.add_argument("--if-empty", action="store_true", help="do nothing when the catalog already has items")
    serve = commands.add_parser("serve", help="run the HTTP API with uvicorn")
    serve.add_argument(
        "--host", default=None, help=f"bind address (default ${C.ENV_RECO_HOST} or {C.DEFAULT_HOST})"
    )
    serve.add_argument(
        "--port", type=_port, default=None, help=f"port (default ${C.ENV_RECO_PORT} or {C.DEFAULT_PORT})"
    )
    serve.add_argument("--no-migrate", action="store_true", help="do not upgrade the schema before serving")
    return parser


def _as_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif value:
        moment = datetime.fromisoformat(str(value))
    else:
        moment = datetime.now(UTC)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _load_shoppers(session: Session, rows: Sequence[dict[str, Any]], settings: Settings) -> None:
    for row in rows:
        shopper_id = str(row.get("id") or row.get("shopper_id"))
        shopper = queries.get_or_create_shopper(
            session,
            shopper_id,
            default_consent=settings.default_consent,
            channel=row.get("channel") or C.DEMO_SOURCE,
            language=row.get("language"),
        )
        consent = row.get("consent")
        queries.update_shopper(
            session,
            shopper,
            channel=row.get("channel"),
            language=row.get("language"),
            consent=bool(consent) if consent is not None else None,
            profile=row.get("profile") or None,
        )


def _load_interactions(session: Session, rows: Sequence[dict[str, Any]], settings: Settings) -> int:
    session.execute(delete(Interaction).where(Interaction.source == C.DEMO_SOURCE))
    known = set(session.scalars(select(Item.id)))
    count = 0
    for row in rows:
        if row.get("item_id") not in known or row.get("type") not in C.INTERACTION_TYPES:
            raise ValueError(f"demo interaction refers to unknown item or type: {row!r:.120}")
        shopper = queries.get_or_create_shopper(
            session, str(row["shopper_id"]), default_consent=settings.default_consent
        )
        value = row.get("value")
        queries.add_interaction(
            session,
            shopper=shopper,
            item_id=row["item_id"],
            type_=row["type"],
            value=None if value is None else float(value),
            source=C.DEMO_SOURCE,
            created_at=_as_datetime(row.get("created_at")),
        )
        count += 1
    return count


def load_demo(settings: Settings, *, if_empty: bool) -> str:
    """Load the demo data in one transaction; returns a one-line summary."""
    from recommender.demo.catalog import build_catalog
    from recommender.demo.history import demo_reference_date, generate_history
    from recommender.demo.offers import OFFERS

    engine = create_db_engine(settings.database_url)
    try:
        with session_factory(engine).begin() as session:
            if if_empty and session.scalar(select(func.count(Item.id))):
                return "catalog not empty: demo data not loaded"
            items = build_catalog()
            import_item_rows(session, [(f"demo catalog:{i}", row) for i, row in enumerate(items)])
            history = generate_history(items, seed=C.ENGINE_SEED, reference_date=demo_reference_date())
            _load_shoppers(session, history.get("shoppers", []), settings)
            orders = history.get("orders", [])
            import_order_rows(session, [(f"demo orders:{i}", row) for i, row in enumerate(orders)], settings)
            interactions = _load_interactions(session, history.get("interactions", []), settings)
            import_offer_rows(session, [(f"demo offer {row['code']}", row) for row in OFFERS])
            return (
                f"loaded {len(items)} items, {len(history.get('shoppers', []))} shoppers, "
                f"{len(orders)} order lines, {interactions} interactions, {len(OFFERS)} offers"
            )
    finally:
        engine.dispose()


def main_from_args(args: argparse.Namespace, settings: Settings) -> int:
    """Run one parsed command; returns the exit status."""
    if args.command == "migrate":
        upgrade(settings.database_url)
        print("database schema is up to date")
        return 0
    if args.command == "import":
        engine = None
        try:
            engine = create_db_engine(settings.database_url)
            result = import_file(session_factory(engine), args.kind, args.file, settings)
        except ImportFailed as failed:
            for line in failed.errors:
                print(line, file=sys.stderr)
            print(f"nothing imported: {len(failed.errors)} error(s)", file=sys.stderr)
            return 1
        except (SQLAlchemyError, OverflowError) as exc:  # import_file turns these into ImportFailed; a backstop
            print(f"{args.file}: database error ({database_reason(exc)})", file=sys.stderr)
            print("nothing imported: 1 error(s)", file=sys.stderr)
            return 1
        finally:
            if engine is not None:
                engine.dispose()
        print(f"imported {result.rows} {args.kind} rows ({result.created} new, {result.updated} updated)")
        return 0
    if args.command == "load-demo":
        print(load_demo(settings, if_empty=args.if_empty))
        return 0
    if args.command == "serve":
        import uvicorn

        from recommender.api.app import create_app

        if not args.no_migrate:
            upgrade(settings.database_url)
        host, port = args.host or settings.host, args.port or settings.port
        # Several workers: each process builds the app from the environment and fits its own engine.
        if settings.workers > 1:
            uvicorn.run(
                APP_FACTORY, factory=True, workers=settings.workers, host=host, port=port,
                access_log=settings.access_log,
            )
        else:
            uvicorn.run(create_app(settings), host=host, port=port, access_log=settings.access_log)
        return 0
    raise AssertionError(args.command)  # argparse enforces the choices


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the command."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    return main_from_args(args, settings)
