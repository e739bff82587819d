"""A synthetic conversation log of any size for ``ecomai bench console``: shopper and bot
messages with intents, confidences, sentiment, speech, fallbacks and handoffs in
roughly the proportions a live shop sees, written in bulk.

Rows go in through executemany on one connection (the log writer's per-message
upserts would take many minutes for a million rows); the summary columns are computed
with the writer's own ``summarise``, and the full-text index is filled by its triggers,
so the database is exactly what the writer would have produced.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Iterator

from sqlalchemy import insert
from sqlalchemy.engine import Engine
from tqdm import tqdm

from ecomai.store.conversation_summary import summarise
from ecomai.store.db import create_schema, make_engine
from ecomai.store.schema import conversations, messages

INTENTS = ("greet", "order_status", "return_item", "cancel_order", "ask_shipping", "ask_delivery_time",
           "ask_payment", "ask_sizes", "ask_returns_policy", "search_product", "recommend", "request_human",
           "thank", "goodbye", "inform", "affirm", "deny", "out_of_scope")
WORDS = ("order", "where", "my", "parcel", "delivery", "return", "size", "shoes", "jacket", "blue", "refund",
         "late", "paypal", "dress", "coat", "invoice", "broken", "gift", "cheap", "express", "courier", "discount",
         "wool", "scarf", "voucher", "warranty", "zipper", "customs", "lilac", "tracking")
"""Shopper words; a Zipf-like draw makes the first ones common and the last ones rare, as
in real logs (so searches for rare words, where a scan is worst, are measured too)."""
WEIGHTS = tuple(1.0 / (rank + 1) for rank in range(len(WORDS)))
EPOCH = datetime(2024, 1, 1)


@dataclass(frozen=True)
class _Msg:
    sender: str
    text: str
    intent: str | None
    confidence: float | None
    action: str | None
    sentiment: str | None
    from_speech: bool
    latency_ms: float | None
    created_at: datetime


def _conversation(rng: random.Random, index: int, per_conversation: int) -> tuple[dict, list[_Msg]]:
    start = EPOCH + timedelta(seconds=rng.randrange(90 * 86400))
    speech = rng.random() < 0.05
    msgs, moment = [], start
    for turn in range(max(1, per_conversation // 2)):
        lost = rng.random() < 0.04
        intent = "nlu_fallback" if lost else rng.choice(INTENTS)
        text = " ".join(rng.choices(WORDS, WEIGHTS, k=rng.randint(3, 8)))
        msgs.append(_Msg("user", text, intent, rng.uniform(0.2, 0.5) if lost else rng.uniform(0.45, 1.0),
                         None, "negative" if rng.random() < 0.08 else "neutral", speech and turn == 0, None, moment))
        latency = rng.uniform(80, 900)
        moment += timedelta(milliseconds=latency)
        msgs.append(_Msg("bot", f"Here is what I found about {rng.choice(WORDS)}.", None, None,
                         "utter_default" if lost else f"action_{intent}", None, False, latency, moment))
        moment += timedelta(seconds=rng.randint(5, 120))
    summary = summarise(msgs)
    row = {"id": index + 1, "session_id": f"bench-{index:07d}", "channel": "rest" if rng.random() < 0.15 else "ecomai",
           "customer_id": f"C{rng.randrange(1, 5000):04d}" if rng.random() < 0.5 else None,
           "started_at": start, "last_event_at": msgs[-1].created_at, "handoff_requested": rng.random() < 0.02,
           "message_count": summary.message_count, "min_confidence": summary.min_confidence,
           "has_fallback": summary.has_fallback, "has_negative": summary.has_negative,
           "has_speech": summary.has_speech}
    return row, msgs


def _batches(count: int, per_conversation: int, seed: int, size: int = 2000) -> Iterator[tuple[list, list]]:
    rng = random.Random(seed)
    next_message = 1
    for first in range(0, count, size):
        conv_rows, msg_rows = [], []
        for index in range(first, min(first + size, count)):
            row, msgs = _conversation(rng, index, per_conversation)
            conv_rows.append(row)
            for m in msgs:
                msg_rows.append({"id": next_message, "conversation_id": row["id"], "event_id": f"e{next_message}",
                                 "sender": m.sender, "text": m.text, "intent": m.intent, "confidence": m.confidence,
                                 "entities": "[]", "action": m.action, "latency_ms": m.latency_ms,
                                 "payload": None, "from_speech": m.from_speech, "created_at": m.created_at,
                                 "sentiment": m.sentiment, "sentiment_score": 0.9 if m.sentiment else None})
                next_message += 1
        yield conv_rows, msg_rows


def seed_log(path: Path, conversations_count: int, per_conversation: int, seed: int) -> tuple[Engine, int]:
    """Create ``path`` (SQLite) with the schema and a synthetic log.

    Returns:
        The engine and the number of messages written.
    """
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    written = 0
    with tqdm(total=conversations_count, desc="seeding conversations", unit="conv") as bar:
        for conv_rows, msg_rows in _batches(conversations_count, per_conversation, seed):
            with engine.begin() as conn:
                conn.execute(insert(conversations), conv_rows)
                conn.execute(insert(messages), msg_rows)
            written += len(msg_rows)
            bar.update(len(conv_rows))
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")  # what a long-lived database has: planner statistics
    return engine, written
