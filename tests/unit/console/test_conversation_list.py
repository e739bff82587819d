from datetime import datetime

import pytest
from sqlalchemy import select

from ecomai.errors import InvalidInput
from ecomai.store.conversation_list import ConversationQuery, channels, list_conversations
from ecomai.store.conversation_summary import backfill_summaries
from ecomai.store.conversations import write_messages
from ecomai.store.schema import conversations

from .conftest import demo_log, user


def ids(engine, **query) -> list[str]:
    return [row.session_id for row in list_conversations(engine, ConversationQuery(**query)).rows]


def test_default_sort_is_most_recent_first(log_engine) -> None:
    assert ids(log_engine) == ["s-lost", "s-voice", "s-angry", "s-order", "s-plain"]
    assert ids(log_engine, sort="earliest") == ["s-plain", "s-order", "s-angry", "s-voice", "s-lost"]


@pytest.mark.parametrize("query, expected", [
    ({"fallback": True}, ["s-lost"]),
    ({"negative": True}, ["s-angry"]),
    ({"handoff": True}, ["s-angry"]),
    ({"spoken": True}, ["s-voice"]),
    ({"channel": "rest"}, ["s-lost"]),
    ({"intent": "order_status"}, ["s-order"]),
    ({"confidence_below": 0.5}, ["s-lost", "s-angry"]),
    ({"text": "parcel"}, ["s-order"]),
    ({"text": "PARC"}, ["s-order"]),  # prefix, any case
    ({"text": "ship"}, ["s-voice", "s-order"]),  # "shipped" in a bot reply too
    ({"text": "ship france"}, ["s-voice"]),  # every word
    ({"text": "\"*:()"}, []),  # FTS syntax is never passed through
    ({"since": datetime(2024, 6, 2), "until": datetime(2024, 6, 4)}, ["s-voice", "s-angry"]),
    ({"negative": True, "spoken": True}, []),
])
def test_filters(log_engine, query, expected) -> None:
    assert ids(log_engine, **query) == expected


def test_keyset_pages_cover_everything_once(log_engine) -> None:
    seen, cursor = [], None
    while True:
        page = list_conversations(log_engine, ConversationQuery(limit=2, cursor=cursor))
        seen += [row.session_id for row in page.rows]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == ids(log_engine)
    assert len(page.rows) == 1  # 5 rows in pages of 2


def test_rows_carry_the_summary(log_engine) -> None:
    (row,) = list_conversations(log_engine, ConversationQuery(intent="request_human")).rows
    assert (row.message_count, row.min_confidence, row.has_negative, row.handoff_requested) == (2, 0.42, True, True)
    assert row.preview == "this is terrible service"


def test_retried_batch_does_not_count_twice(log_engine) -> None:
    write_messages(log_engine, demo_log())  # the broker retried everything
    (row,) = list_conversations(log_engine, ConversationQuery(intent="request_human")).rows
    assert row.message_count == 2


def test_new_message_updates_summary_and_search(log_engine) -> None:
    write_messages(log_engine, [user("s-plain", 2, "my card was charged twice", 5, sentiment="negative",
                                     confidence=0.2)])
    assert "s-plain" in ids(log_engine, negative=True)
    assert ids(log_engine, text="charged") == ["s-plain"]
    assert "s-plain" in ids(log_engine, confidence_below=0.3)


def test_backfill_matches_what_the_writer_keeps(log_engine) -> None:
    columns = [conversations.c.session_id, conversations.c.message_count, conversations.c.min_confidence,
               conversations.c.has_fallback, conversations.c.has_negative, conversations.c.has_speech]
    with log_engine.begin() as conn:
        kept = conn.execute(select(*columns).order_by(conversations.c.id)).all()
        conn.execute(conversations.update().values(message_count=None, min_confidence=None, has_fallback=None,
                                                   has_negative=None, has_speech=None))
        assert backfill_summaries(conn) == 5
        assert conn.execute(select(*columns).order_by(conversations.c.id)).all() == kept


def test_channels(log_engine) -> None:
    assert channels(log_engine) == ["ecomai", "rest"]


@pytest.mark.parametrize("bad", [{"sort": "random"}, {"limit": 0}, {"limit": 201}, {"cursor": "not-a-cursor"},
                                 {"confidence_below": 1.5}, {"text": "x" * 201},
                                 {"since": datetime(2024, 6, 3), "until": datetime(2024, 6, 2)}])
def test_bad_queries_are_refused_up_front(bad) -> None:
    with pytest.raises(InvalidInput):
        ConversationQuery(**bad)


def test_common_words_take_the_early_stopping_scan_with_the_same_answer(log_engine, monkeypatch) -> None:
    from ecomai.store import message_search

    indexed = ids(log_engine, text="ship france")
    monkeypatch.setattr(message_search, "COMMON_HITS", 1)  # every word counts as common now
    assert ids(log_engine, text="ship france") == indexed == ["s-voice"]
