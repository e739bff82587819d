"""Engine creation and the one place database failures become ``StoreUnavailable``.

SQLite is the default (a file under ``var/``); PostgreSQL works through its URL. For
SQLite every new connection gets WAL (readers never block the one writer, so the
console can read while the bot logs), a busy timeout (a briefly locked database waits
instead of failing at once) and foreign keys (off by default in SQLite). Connections to
a SQLite file are pooled, as SQLAlchemy 2.0 does by default: 1.4's NullPool opened a
connection, set the pragmas and closed it (a WAL checkpoint when it was the last one) for
every session. Rasa's conversation tracker uses the same engine (``bot.tracker_store``).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Engine, create_engine, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import QueuePool

from ecomai.errors import InvalidInput, StoreUnavailable
from ecomai.store.conversation_summary import backfill_summaries
from ecomai.store.message_search import ensure_message_search
from ecomai.store.schema import metadata


def make_engine(url: str, *, busy_timeout_ms: int = 5000, echo: bool = False) -> Engine:
    """Create a SQLAlchemy engine (1.4, ``future=True``) for ``url``.

    Args:
        url: SQLAlchemy database URL, e.g. ``sqlite:///var/ecomai.db`` or
            ``postgresql+psycopg2://user:pw@host/db``.
        busy_timeout_ms: SQLite only: how long a statement waits for a lock held by
            another connection before failing (then surfacing as ``StoreUnavailable``).
        echo: log every SQL statement (debugging).

    Returns:
        The engine; no connection is opened until first use.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, future=True, pool_pre_ping=True, echo=echo)
    on_disk = bool(parsed.database) and parsed.database != ":memory:" and not parsed.database.startswith("file:")
    if not on_disk:
        engine = create_engine(url, future=True, echo=echo)
    else:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # A pooled connection may serve another thread later, never two at once: SQLite allows that.
        engine = create_engine(url, future=True, echo=echo, poolclass=QueuePool,
                               connect_args={"check_same_thread": False})

    def configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")  # before WAL: that may wait too
        cursor.execute("PRAGMA journal_mode = WAL")
        # In WAL mode NORMAL never corrupts the database; it only lets a power cut drop
        # the last commits, and it saves an fsync per commit (the log writes often).
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    event.listen(engine, "connect", configure_sqlite)
    if on_disk:
        _reconnect_when_the_file_changes(engine, Path(parsed.database))
    return engine


def _reconnect_when_the_file_changes(engine: Engine, path: Path) -> None:
    """A pooled connection keeps the file it opened even after the file is deleted or
    replaced (a volume unmounted, a backup restored): reads would still work and writes
    would go where nobody finds them. So a connection is handed out only while ``path``
    is still the file it opened; otherwise SQLAlchemy drops it and opens ``path`` anew,
    which fails clearly (``StoreUnavailable``) when the file is gone. One ``stat`` per
    checkout."""

    def file_id() -> tuple[int, int] | None:
        try:
            status = path.stat()
        except OSError:
            return None
        return status.st_dev, status.st_ino

    def remember_file(_dbapi_connection: Any, record: Any) -> None:
        record.info["file"] = file_id()

    def check_file(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if record.info.get("file") != file_id():
            raise DisconnectionError(f"{path} was removed or replaced since this connection opened it")

    event.listen(engine, "connect", remember_file)
    event.listen(engine, "checkout", check_file)


@contextlib.contextmanager
def store_errors() -> Iterator[None]:
    """Turn "the database is unreachable / locked / gone" into ``StoreUnavailable``.

    Usable as ``with store_errors():`` or as a decorator ``@store_errors()``. Only
    operational failures are translated (callers may retry those); programming
    errors such as an ``IntegrityError`` propagate unchanged.

    Raises:
        StoreUnavailable: wrapping the SQLAlchemy error as ``__cause__``.
    """
    try:
        yield
    except OperationalError as exc:
        raise StoreUnavailable(f"database unavailable: {exc.orig!r}") from exc
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        raise StoreUnavailable("database connection lost") from exc
    except PoolTimeout as exc:
        raise StoreUnavailable("no database connection free in the pool") from exc


@store_errors()
def create_schema(engine: Engine) -> None:
    """Create every table and index that does not exist yet, and add columns that later
    versions introduced to existing tables (safe to call repeatedly).

    Only additive, nullable columns are ever introduced, so adding them is the whole
    migration; a change that rewrites data would need a real migration tool (Alembic).
    """
    metadata.create_all(engine)
    existing = inspect(engine)
    with engine.begin() as conn:
        for table in metadata.sorted_tables:
            present = {column["name"] for column in existing.get_columns(table.name)}
            for column in table.columns:
                if column.name not in present:
                    if not column.nullable:
                        raise InvalidInput(f"cannot add NOT NULL column {table.name}.{column.name} in place")
                    type_sql = column.type.compile(dialect=engine.dialect)
                    conn.execute(text(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {type_sql}'))
            for index in table.indexes:  # create_all makes indexes only with a new table
                index.create(conn, checkfirst=True)
        ensure_message_search(conn)
        backfill_summaries(conn)
