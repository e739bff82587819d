from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.engine import Engine

from ecomai.store import LoggedMessage, request_handoff, write_messages
from ecomai.store.schema import conversations, handoff_requests


def test_handoff_is_queued_and_flags_the_conversation(engine: Engine) -> None:
    write_messages(engine, [LoggedMessage("e1", "s1", "web", None, "user", "I want a human",
                                          datetime(2024, 6, 1, tzinfo=timezone.utc))])
    first = request_handoff(engine, "s1", "asked_for_human")
    second = request_handoff(engine, "no-conversation-yet", "negative_sentiment")
    assert second > first
    with engine.connect() as conn:
        rows = conn.execute(select(handoff_requests.c.session_id, handoff_requests.c.status)
                            .order_by(handoff_requests.c.id)).all()
        flagged = conn.execute(select(conversations.c.handoff_requested)
                               .where(conversations.c.session_id == "s1")).scalar_one()
    assert rows == [("s1", "open"), ("no-conversation-yet", "open")]
    assert flagged is True
