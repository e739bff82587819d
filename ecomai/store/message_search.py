"""Full-text search over logged messages, for the staff console's search box.

``LIKE '%word%'`` reads every one of a million messages per query. On SQLite we keep an
FTS5 index (external content: it stores only the index, not a second copy of the text)
that triggers update on every insert, update and delete, so no writer can forget it.
On PostgreSQL the query falls back to ``ILIKE``; a ``pg_trgm`` GIN index on
``messages.text`` makes that fast there (an operator's ``CREATE INDEX``, not done here).
"""

from __future__ import annotations

import re

from sqlalchemy import Integer, column, exists, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from ecomai.store.schema import conversations, messages

COMMON_HITS = 2000

_DDL = (
    "CREATE VIRTUAL TABLE messages_fts USING fts5(text, content='messages', content_rowid='id',"
    " tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS messages_fts_insert AFTER INSERT ON messages BEGIN"
    " INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER IF NOT EXISTS messages_fts_delete AFTER DELETE ON messages BEGIN"
    " INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER IF NOT EXISTS messages_fts_update AFTER UPDATE OF text ON messages BEGIN"
    " INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text);"
    " INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text); END",
)
_WORD = re.compile(r"\w+", re.UNICODE)


def ensure_message_search(conn: Connection) -> bool:
    """Create the SQLite full-text index and its triggers if missing, indexing what is
    already logged. A no-op on other databases.

    Returns:
        True when the index was created now.
    """
    if conn.dialect.name != "sqlite":
        return False
    present = conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'messages_fts'")).first()
    if present is None:
        conn.execute(text(_DDL[0]))
    for statement in _DDL[1:]:
        conn.execute(text(statement))
    if present is None:
        conn.execute(text("INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')"))
    return present is None


def fts_query(words: str) -> str | None:
    """A staff member's search words as an FTS5 query: every word must occur, each as a
    prefix ("deliv" finds "delivery"); FTS5 syntax characters are never passed through.

    Returns:
        None when ``words`` holds no word at all.
    """
    tokens = _WORD.findall(words)
    return " ".join(f'"{token}"*' for token in tokens) or None


def _like_all(tokens: list[str]) -> ColumnElement:
    """Some message of the conversation contains every token (correlated EXISTS: with a
    LIMIT, the scan stops as soon as a page of conversations is found)."""
    m = messages.c
    return exists().where(m.conversation_id == conversations.c.id, *(m.text.ilike(f"%{t}%") for t in tokens))


def conversation_matches(conn: Connection, words: str) -> ColumnElement:
    """A WHERE clause on ``conversations``: some message contains every word.

    On SQLite the FTS index answers first. For rare words that is everything (a LIKE
    scan would read the whole log); for common words (more than ``COMMON_HITS``
    messages) materialising every hit costs more than walking the newest conversations
    until a page is full, so those go the EXISTS way, which stops early.
    """
    tokens = _WORD.findall(words)
    if not tokens:
        return conversations.c.id.is_(None)
    if conn.dialect.name != "sqlite":
        return _like_all(tokens)
    query = fts_query(words)
    hits = text("SELECT rowid FROM messages_fts WHERE messages_fts MATCH :q").bindparams(q=query)
    probe = text("SELECT count(*) FROM (SELECT rowid FROM messages_fts WHERE messages_fts MATCH :q LIMIT :n)")
    if conn.execute(probe, {"q": query, "n": COMMON_HITS}).scalar_one() >= COMMON_HITS:
        return _like_all(tokens)
    m = messages.c
    return conversations.c.id.in_(select(m.conversation_id).where(m.id.in_(hits.columns(column("rowid", Integer)))))
