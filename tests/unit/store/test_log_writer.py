"""The background conversation-log writer: a locked database delays writes, never loses them."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

from ecomai.store import LoggedMessage, conversation_messages, create_schema, make_engine
from ecomai.store.log_writer import ConversationLogWriter

T0 = datetime(2024, 6, 1, tzinfo=timezone.utc)


def message(i: int) -> LoggedMessage:
    return LoggedMessage(f"e{i}", "s1", "ecomai", None, "user", f"message {i}", T0)


def test_writes_everything_submitted(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'log.db'}")
    create_schema(engine)
    writer = ConversationLogWriter(engine)
    for i in range(50):
        writer.submit(message(i))
    assert writer.flush(timeout_s=5)
    writer.close()
    assert [m.text for m in conversation_messages(engine, "s1")] == [f"message {i}" for i in range(50)]


def test_locked_database_is_retried_until_it_comes_back(tmp_path: Path) -> None:
    path = tmp_path / "log.db"
    engine = make_engine(f"sqlite:///{path}", busy_timeout_ms=20)
    create_schema(engine)
    writer = ConversationLogWriter(engine, max_backoff_s=0.05)
    with closing(sqlite3.connect(path, isolation_level=None)) as locker:
        locker.execute("BEGIN EXCLUSIVE")
        writer.submit(message(1))
        writer.submit(message(2))
        assert not writer.flush(timeout_s=0.5)  # still waiting: the database is locked
        assert writer.backlog == 2
        locker.execute("COMMIT")
    assert writer.flush(timeout_s=5)
    writer.close()
    assert [m.event_id for m in conversation_messages(engine, "s1")] == ["e1", "e2"]


def test_a_message_the_database_rejects_does_not_block_the_others(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'log.db'}")
    create_schema(engine)
    calls: list[int] = []

    def picky_write(eng, batch):  # type: ignore[no-untyped-def]
        calls.append(len(batch))
        if any(m.event_id == "e2" for m in batch):
            raise ValueError("rejected")
        from ecomai.store.conversations import write_messages

        return write_messages(eng, batch)

    writer = ConversationLogWriter(engine, write=picky_write)
    for i in (1, 2, 3):
        writer.submit(message(i))
    assert writer.flush(timeout_s=5)
    writer.close()
    assert [m.event_id for m in conversation_messages(engine, "s1")] == ["e1", "e3"]
