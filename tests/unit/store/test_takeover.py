"""Human takeover in the store: who holds a conversation, what the shopper is sent, what the log shows."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from ecomai.errors import ConversationNotFound, InvalidInput, TakeoverConflict, TakeoverNotHeld
from ecomai.store import LoggedMessage, conversation_messages, request_handoff, write_messages
from ecomai.store.schema import agent_events, handoff_requests
from ecomai.store.takeover import (AGENT_MESSAGE, MAX_REPLY_CHARS, TAKEOVER_ENDED, TAKEOVER_STARTED, active_takeover,
                                   hand_back, mark_delivered, post_staff_reply, take_over, undelivered_agent_events)


def start_conversation(engine: Engine, session_id: str = "s1") -> None:
    write_messages(engine, [LoggedMessage(f"{session_id}-e1", session_id, "ecomai", None, "user", "a human please",
                                          datetime(2024, 6, 1, tzinfo=timezone.utc))])


def test_take_over_reply_hand_back_is_pushed_in_order_and_logged(engine: Engine) -> None:
    start_conversation(engine)
    request_handoff(engine, "s1", "shopper_asked")
    take_over(engine, "s1", "sam", display_name="Sam")
    held = active_takeover(engine, "s1")
    assert held is not None and (held.staff, held.display_name) == ("sam", "Sam")
    assert held.since.tzinfo is timezone.utc
    reply_id = post_staff_reply(engine, "s1", "sam", "  Hi, Sam here. Let me look.  ")
    hand_back(engine, "s1", "sam")
    assert active_takeover(engine, "s1") is None

    events = undelivered_agent_events(engine, ["s1"])
    assert [(e.kind, e.agent, e.text) for e in events] == [
        (TAKEOVER_STARTED, "Sam", None), (AGENT_MESSAGE, "Sam", "Hi, Sam here. Let me look."), (TAKEOVER_ENDED, "Sam", None)]
    assert events[1].id == reply_id
    log = [(m.sender, m.action, m.text) for m in conversation_messages(engine, "s1")]
    assert log[1:] == [("event", "takeover_started", "Sam (sam) took over"),
                       ("agent", None, "Hi, Sam here. Let me look."),
                       ("event", "takeover_ended", "Sam (sam) handed back")]
    with engine.connect() as conn:
        assert conn.execute(select(handoff_requests.c.status)).scalars().all() == ["resolved"]


def test_delivered_events_are_not_offered_again_and_sessions_are_separate(engine: Engine) -> None:
    start_conversation(engine, "s1")
    start_conversation(engine, "s2")
    take_over(engine, "s1", "sam")
    take_over(engine, "s2", "kim")
    first = undelivered_agent_events(engine, ["s1"])
    assert [e.session_id for e in first] == ["s1"]
    mark_delivered(engine, [e.id for e in first])
    mark_delivered(engine, [e.id for e in first])  # idempotent
    assert undelivered_agent_events(engine, ["s1"]) == []
    assert [e.agent for e in undelivered_agent_events(engine, ["s1", "s2", "nobody"])] == ["kim"]
    assert undelivered_agent_events(engine, []) == []


def test_many_sessions_are_queried_in_chunks_and_limited(engine: Engine) -> None:
    for index in range(5):
        start_conversation(engine, f"s{index}")
        take_over(engine, f"s{index}", "sam")
    sessions = [f"s{index}" for index in range(5)] + [f"absent{index}" for index in range(20)]
    events = undelivered_agent_events(engine, sessions, chunk=3)
    assert [e.session_id for e in events] == [f"s{index}" for index in range(5)]
    assert [e.session_id for e in undelivered_agent_events(engine, sessions, chunk=3, limit=2)] == ["s0", "s1"]


def test_unknown_conversation_cannot_be_taken_over(engine: Engine) -> None:
    with pytest.raises(ConversationNotFound):
        take_over(engine, "never-logged", "sam")
    assert active_takeover(engine, "never-logged") is None


def test_someone_else_cannot_take_over_reply_or_hand_back(engine: Engine) -> None:
    start_conversation(engine)
    take_over(engine, "s1", "sam")
    take_over(engine, "s1", "sam")  # the holder again: a no-op, not a second takeover
    with pytest.raises(TakeoverConflict):
        take_over(engine, "s1", "kim")
    with pytest.raises(TakeoverNotHeld):
        post_staff_reply(engine, "s1", "kim", "hello")
    with pytest.raises(TakeoverNotHeld):
        hand_back(engine, "s1", "kim")
    assert [e.kind for e in undelivered_agent_events(engine, ["s1"])] == [TAKEOVER_STARTED]
    assert active_takeover(engine, "s1").staff == "sam"  # type: ignore[union-attr]


def test_after_hand_back_someone_else_may_take_over(engine: Engine) -> None:
    start_conversation(engine)
    take_over(engine, "s1", "sam")
    hand_back(engine, "s1", "sam")
    with pytest.raises(TakeoverNotHeld):
        post_staff_reply(engine, "s1", "sam", "too late")
    take_over(engine, "s1", "kim")
    assert active_takeover(engine, "s1").staff == "kim"  # type: ignore[union-attr]


@pytest.mark.parametrize("text", ["", "   \n", "x" * (MAX_REPLY_CHARS + 1)])
def test_bad_reply_text_is_refused_and_stores_nothing(engine: Engine, text: str) -> None:
    start_conversation(engine)
    take_over(engine, "s1", "sam")
    with pytest.raises(InvalidInput):
        post_staff_reply(engine, "s1", "sam", text)
    with engine.connect() as conn:
        assert conn.execute(select(agent_events.c.kind)).scalars().all() == [TAKEOVER_STARTED]
    assert post_staff_reply(engine, "s1", "sam", "x" * MAX_REPLY_CHARS) > 0


@pytest.mark.parametrize("staff", ["", "  ", "s" * 65])
def test_bad_staff_name_is_refused(engine: Engine, staff: str) -> None:
    start_conversation(engine)
    with pytest.raises(InvalidInput):
        take_over(engine, "s1", staff)
    assert active_takeover(engine, "s1") is None
