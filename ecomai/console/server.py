"""Running the console as its own process (``ecomai console``): it needs only the
database, never the Rasa process, so staff keep working while the bot is down."""

from __future__ import annotations

import logging

from aiohttp import web

from ecomai.config import Settings
from ecomai.console.app import create_app
from ecomai.console.options import ConsoleOptions
from ecomai.store.db import create_schema, make_engine


def console_options(settings: Settings, *, host: str | None = None, port: int | None = None,
                    secure_cookie: bool = False) -> ConsoleOptions:
    return ConsoleOptions(host=host or settings.console_host, port=settings.console_port if port is None else port,
                          secure_cookie=secure_cookie)


def serve_console(settings: Settings, options: ConsoleOptions) -> None:
    """Create missing tables (staff, sessions, reviews, search index), then serve until Ctrl-C."""
    engine = make_engine(settings.database_url)
    create_schema(engine)
    print(f"Support console: http://{options.host}:{options.port}/  (accounts: ecomai staff add NAME)", flush=True)
    web.run_app(create_app(engine, options), host=options.host, port=options.port, print=None,
                access_log=logging.getLogger("ecomai.console.access"))
