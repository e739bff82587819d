"""``ecomai bench console``: the staff console's conversation-list queries at scale.

Ours is ``list_conversations`` (summary columns, FTS5 search, keyset pages). The peer is
the naive way to answer the same questions: every filter an ``EXISTS`` over the messages
table, text search with ``LIKE '%word%'``, and ``OFFSET`` pagination — what the list
would be without the summary, the search index and the cursor. Both run in one process
on the same seeded database, each query ``repeats`` times after a warm-up; the bench
also checks that both return the same conversations, so the speed is not bought with
different answers.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import and_, exists, select
from sqlalchemy.engine import Engine
from sqlalchemy.sql import Select
from tqdm import tqdm

from ecomai.bench.console_seed import EPOCH, seed_log
from ecomai.bench.stats import percentile
from ecomai.errors import InvalidInput
from ecomai.store.conversation_list import ConversationQuery, list_conversations, sort_order, with_preview
from ecomai.store.conversation_summary import FALLBACK_ACTIONS, FALLBACK_INTENTS
from ecomai.store.schema import conversations, messages

DEEP_PAGE = 200


@dataclass(frozen=True)
class ConsoleBenchOptions:
    conversations: int = 100_000
    messages_per_conversation: int = 10
    repeats: int = 20
    seed: int = 7
    keep_db: Path | None = None

    def __post_init__(self) -> None:
        if self.conversations < 100 or self.messages_per_conversation < 2 or self.repeats < 1:
            raise InvalidInput("need conversations >= 100, messages_per_conversation >= 2, repeats >= 1")
        if self.keep_db is not None and self.keep_db.exists():
            raise InvalidInput(f"{self.keep_db} exists; the bench seeds a fresh database")


def bench_queries() -> list[tuple[str, ConversationQuery, int]]:
    """(name, query, page number) for every list query the console makes."""
    last_month = {"since": EPOCH + timedelta(days=60), "until": EPOCH + timedelta(days=90)}
    cases: list[tuple[str, dict[str, Any], int]] = [
        ("recent, first page", {}, 0),
        (f"recent, page {DEEP_PAGE}", {}, DEEP_PAGE),
        ("started, first page", {"sort": "started"}, 0),
        ("intent order_status", {"intent": "order_status"}, 0),
        ("fallback", {"fallback": True}, 0),
        ("low confidence < 0.3", {"confidence_below": 0.3}, 0),
        ("last 30 days", last_month, 0),
        ("negative, last 30 days", {"negative": True, **last_month}, 0),
        ("handoff requested", {"handoff": True}, 0),
        ("spoken", {"spoken": True}, 0),
        ("channel rest", {"channel": "rest"}, 0),
        ("text 'order' (common)", {"text": "order"}, 0),
        ("text 'refund'", {"text": "refund"}, 0),
        ("text 'lilac scarf' (rare)", {"text": "lilac scarf"}, 0),
        ("text 'EC999999' (absent)", {"text": "EC999999"}, 0),
        ("return_item+negative+rest", {"intent": "return_item", "negative": True, "channel": "rest"}, 0),
        ("fallback, page 20", {"fallback": True}, 20),
    ]
    return [(name, ConversationQuery(**kwargs), page) for name, kwargs, page in cases]


def naive_statement(query: ConversationQuery, page: int) -> Select:
    """The peer: the same filters straight from the messages table, OFFSET pages."""
    c, m = conversations.c, messages.c

    def has(*conditions: Any) -> Any:
        return exists().where(and_(m.conversation_id == c.id, *conditions))

    where: list[Any] = []
    if query.since:
        where.append(c.started_at >= query.since)
    if query.until:
        where.append(c.started_at < query.until)
    if query.channel:
        where.append(c.channel == query.channel)
    if query.intent:
        where.append(has(m.intent == query.intent))
    if query.confidence_below is not None:
        where.append(has(m.sender == "user", m.confidence < query.confidence_below))
    if query.fallback:
        where.append(has(m.intent.in_(sorted(FALLBACK_INTENTS)) | (m.action.in_(sorted(FALLBACK_ACTIONS))
                                                                      & (m.sender == "bot"))))
    if query.negative:
        where.append(has(m.sender == "user", m.sentiment == "negative"))
    if query.spoken:
        where.append(has(m.sender == "user", m.from_speech.is_(True)))
    if query.handoff:
        where.append(c.handoff_requested.is_(True))
    if query.text.split():  # every word in one message, as ours
        where.append(has(*(m.text.like(f"%{word}%") for word in query.text.split())))
    return with_preview(select(c.id).where(*where).order_by(*sort_order(query.sort))
                        .offset(page * query.limit).limit(query.limit), query.sort)


def _cursor_for(engine: Engine, query: ConversationQuery, page: int) -> tuple[ConversationQuery, int]:
    """Walk to ``page`` once (untimed), as a staff member clicking "next" would have;
    a smaller log has fewer pages, so it stops at the last one and says which."""
    for reached in range(page):
        cursor = list_conversations(engine, query).next_cursor
        if cursor is None:
            return query, reached
        query = replace(query, cursor=cursor)
    return query, page


def _time(run: Callable[[], list[str]], repeats: int) -> tuple[dict[str, float], list[str]]:
    result = run()  # warm-up: the page cache, as in a console that is in use
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return {"p50_ms": round(percentile(samples, 50), 3), "p95_ms": round(percentile(samples, 95), 3)}, result


def _measure(engine: Engine, name: str, query: ConversationQuery, page: int, repeats: int) -> dict[str, Any]:
    paged, page = _cursor_for(engine, query, page)
    ours, ours_ids = _time(lambda: [r.session_id for r in list_conversations(engine, paged).rows], repeats)
    statement = naive_statement(query, page)

    def naive() -> list[str]:
        with engine.connect() as conn:
            return [row["session_id"] for row in conn.execute(statement).mappings()]

    peer, peer_ids = _time(naive, repeats)
    return {"query": name, "page": page, "ours": ours, "naive": peer, "rows": len(ours_ids),
            "same_results": ours_ids == peer_ids,
            "speedup_p50": round(peer["p50_ms"] / ours["p50_ms"], 1) if ours["p50_ms"] else None}


def run_console_bench(options: ConsoleBenchOptions) -> dict[str, Any]:
    """Seed, then time every query of ``bench_queries`` for both implementations."""
    with tempfile.TemporaryDirectory(prefix="ecomai-console-bench-") as tmp:
        path = options.keep_db or Path(tmp) / "log.db"
        started = time.perf_counter()
        engine, written = seed_log(path, options.conversations, options.messages_per_conversation, options.seed)
        seed_s = time.perf_counter() - started
        results = [_measure(engine, name, query, page, options.repeats)
                   for name, query, page in tqdm(bench_queries(), desc="timing queries", unit="query")]
        size_mb = path.stat().st_size / 1e6
        engine.dispose()
    return {
        "bench": "console list queries",
        "ours": "list_conversations: summary columns + FTS5 + keyset pages",
        "peer": "naive: EXISTS over messages + LIKE + OFFSET pages",
        "database": {"conversations": options.conversations, "messages": written, "seed_s": round(seed_s, 1),
                     "size_mb": round(size_mb, 1), "engine": "sqlite"},
        "repeats": options.repeats,
        "results": results,
    }


def format_table(result: dict[str, Any]) -> str:
    header = f"{'query':<28}{'ours p50':>10}{'ours p95':>10}{'naive p50':>11}{'naive p95':>11}{'x':>8}{'same':>6}"
    rows = [header, "-" * len(header)]
    for r in result["results"]:
        rows.append(f"{r['query']:<28}{r['ours']['p50_ms']:>10.2f}{r['ours']['p95_ms']:>10.2f}"
                    f"{r['naive']['p50_ms']:>11.2f}{r['naive']['p95_ms']:>11.2f}{r['speedup_p50'] or 0:>8.1f}"
                    f"{'yes' if r['same_results'] else 'NO':>6}")
    db = result["database"]
    rows.append(f"{db['conversations']:,} conversations, {db['messages']:,} messages, {db['size_mb']} MB "
                f"(seeded in {db['seed_s']} s); times in ms over {result['repeats']} runs")
    return "\n".join(rows)
