import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import text

from ecomai.errors import StoreUnavailable
from ecomai.store import LoggedMessage, conversation_messages, create_schema, make_engine, write_messages
from ecomai.store.db import store_errors


def test_sqlite_connections_are_configured(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'a' / 'b' / 'shop.db'}", busy_timeout_ms=1234)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar_one() == 1234


def test_pooled_connections_follow_the_file_and_fail_clearly_once_it_is_gone(tmp_path: Path) -> None:
    """Connections are pooled, but never outlive the file they opened: a restored backup
    is read at once, a removed volume is an error (not writes into a deleted file)."""
    path = tmp_path / "var" / "shop.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE notes (body TEXT)"))
        conn.execute(text("INSERT INTO notes VALUES ('before')"))
    with engine.connect() as conn:  # one connection, back in the pool afterwards
        assert conn.execute(text("SELECT body FROM notes")).scalars().all() == ["before"]
    assert engine.pool.checkedin() == 1
    restored = tmp_path / "backup.db"
    with closing(sqlite3.connect(restored)) as other:
        other.executescript("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('restored');")
    restored.replace(path)
    path.with_name("shop.db-wal").unlink(missing_ok=True)  # the old file's log goes with it
    path.with_name("shop.db-shm").unlink(missing_ok=True)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT body FROM notes")).scalars().all() == ["restored"]
    shutil.rmtree(path.parent)
    with pytest.raises(StoreUnavailable), store_errors(), engine.begin() as conn:
        conn.execute(text("INSERT INTO notes VALUES ('lost?')"))


def test_locked_database_is_unavailable_then_recovers(tmp_path: Path) -> None:
    path = tmp_path / "log.db"
    engine = make_engine(f"sqlite:///{path}", busy_timeout_ms=50)
    create_schema(engine)
    message = LoggedMessage("e1", "s1", "web", None, "user", "hello", datetime(2024, 6, 1, tzinfo=timezone.utc))
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")
        with pytest.raises(StoreUnavailable) as caught:
            write_messages(engine, [message])
        assert caught.value.code == "store_unavailable"
        other.execute("COMMIT")
    assert write_messages(engine, [message]) == 1
    assert [m.event_id for m in conversation_messages(engine, "s1")] == ["e1"]


def test_unreachable_database_is_unavailable(tmp_path: Path) -> None:
    (tmp_path / "dir.db").mkdir()  # a folder where the database file should be
    with pytest.raises(StoreUnavailable):
        create_schema(make_engine(f"sqlite:///{tmp_path / 'dir.db'}"))


def test_store_imports_no_rasa_or_sanic() -> None:
    code = ("import sys, ecomai.store, ecomai.shop; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('rasa', 'rasa_sdk', 'sanic')]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30)


def test_create_schema_adds_new_nullable_columns_to_an_old_database(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import sqlite3
    from contextlib import closing

    from sqlalchemy import inspect

    from ecomai.store import create_schema, make_engine

    path = tmp_path / "old.db"
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    with closing(sqlite3.connect(path)) as conn:  # what an older version's table looked like
        conn.execute("ALTER TABLE messages DROP COLUMN sentiment_score")
        conn.commit()
    engine.dispose()
    create_schema(engine)
    assert "sentiment_score" in {c["name"] for c in inspect(engine).get_columns("messages")}
