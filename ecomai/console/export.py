"""Exports: staff corrections as Rasa NLU training data, and conversations as CSV or
JSON. Pure writers over store rows; masking (pii.py) is on unless the caller turns it
off explicitly."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any, Iterable, Iterator, Sequence

from sqlalchemy.engine import Engine

from ecomai.console.domain import OUT_OF_SCOPE_INTENT
from ecomai.console.pii import MaskStyle, mask_entities, mask_pii
from ecomai.errors import InvalidInput
from ecomai.store.conversation_list import ConversationQuery, list_conversations
from ecomai.store.reviews import Correction
from ecomai.store.transcripts import TranscriptMessage, transcripts

CSV_COLUMNS = ("session_id", "channel", "customer_id", "message_id", "created_at", "sender", "text", "intent",
               "confidence", "sentiment", "sentiment_score", "entities", "action", "latency_ms", "from_speech",
               "reviewed_intent", "out_of_scope")
_NOT_TEXT = re.compile(r"[\r\n\t\x00-\x1f]+")


def _example(text: str, style: MaskStyle | None) -> str:
    """One training line: masked, on one line, and with no ``[...]`` that Rasa would
    read as an entity annotation (staff corrected the intent, not entities)."""
    masked = mask_pii(text, style) if style else text
    return _NOT_TEXT.sub(" ", masked or "").replace("[", "(").replace("]", ")").strip()


def nlu_yaml(corrections: Iterable[Correction], intents: Sequence[str], *, masked: bool = True) -> str:
    """Corrections as a Rasa 3 NLU file (``version: "3.1"``, one block per intent).

    Out-of-scope verdicts go under ``out_of_scope``. When the same text got different
    verdicts, the latest wins; duplicates are written once. PII is replaced by
    realistic placeholders (``masked``), so examples still read naturally.

    Raises:
        InvalidInput: a correction names an intent the domain does not have, or there is
            an out-of-scope verdict and the domain has no ``out_of_scope`` intent.
    """
    known = set(intents)
    latest: dict[str, str] = {}
    for correction in corrections:
        intent = OUT_OF_SCOPE_INTENT if correction.out_of_scope else correction.intent
        if intent not in known:
            raise InvalidInput(f"message {correction.message_id}: intent {intent!r} is not in the domain")
        example = _example(correction.text, "placeholder" if masked else None)
        if example:
            latest.pop(example, None)
            latest[example] = intent
    by_intent: dict[str, list[str]] = {}
    for example, intent in latest.items():
        by_intent.setdefault(intent, []).append(example)
    lines = ['version: "3.1"', "nlu:"]
    for intent in [i for i in intents if i in by_intent]:
        lines += [f"- intent: {intent}", "  examples: |"] + [f"    - {e}" for e in by_intent[intent]]
    if not by_intent:
        lines[-1] = "nlu: []"
    return "\n".join(lines) + "\n"


def _row(message: TranscriptMessage, conversation: dict[str, Any], masked: bool) -> dict[str, Any]:
    entities = mask_entities(message.entities) if masked else message.entities
    return {
        "session_id": message.session_id, "channel": conversation["channel"],
        "customer_id": conversation["customer_id"], "message_id": message.id,
        "created_at": message.created_at.isoformat() + "Z", "sender": message.sender,
        "text": mask_pii(message.text) if masked else message.text, "intent": message.intent,
        "confidence": message.confidence, "sentiment": message.sentiment,
        "sentiment_score": message.sentiment_score, "entities": entities, "action": message.action,
        "latency_ms": message.latency_ms, "from_speech": message.from_speech,
        "reviewed_intent": message.reviewed_intent, "out_of_scope": message.out_of_scope,
    }


def conversation_batches(engine: Engine, query: ConversationQuery, *,
                         masked: bool = True) -> Iterator[list[dict[str, Any]]]:
    """Conversations matching ``query`` (cursor/limit ignored) as lists of message rows,
    one page of conversations at a time so memory stays bounded on any log size."""
    page_query = ConversationQuery(**{**query.__dict__, "cursor": None, "limit": 200})
    while True:
        page = list_conversations(engine, page_query)
        info = {row.session_id: {"channel": row.channel, "customer_id": row.customer_id} for row in page.rows}
        messages = transcripts(engine, list(info))
        by_session: dict[str, list[dict[str, Any]]] = {sid: [] for sid in info}
        for message in messages:
            by_session[message.session_id].append(_row(message, info[message.session_id], masked))
        yield from by_session.values()
        if page.next_cursor is None:
            return
        page_query = ConversationQuery(**{**page_query.__dict__, "cursor": page.next_cursor})


def csv_chunks(conversations: Iterable[list[dict[str, Any]]]) -> Iterator[str]:
    """CSV text, header first, one message per row (entities as JSON)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for rows in conversations:
        for row in rows:
            writer.writerow({**row, "entities": json.dumps(row["entities"], ensure_ascii=False)})
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def json_chunks(conversations: Iterable[list[dict[str, Any]]]) -> Iterator[str]:
    """A JSON array of ``{session_id, channel, customer_id, messages: [...]}``, streamed."""
    yield "["
    first = True
    for rows in conversations:
        if not rows:
            continue
        head = rows[0]
        item = {"session_id": head["session_id"], "channel": head["channel"], "customer_id": head["customer_id"],
                "messages": [{k: v for k, v in r.items() if k not in ("session_id", "channel", "customer_id")}
                             for r in rows]}
        yield ("" if first else ",\n") + json.dumps(item, ensure_ascii=False)
        first = False
    yield "]\n"
