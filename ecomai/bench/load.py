"""`ecomai bench load`: many shoppers at once, our websocket channel vs Rasa's REST channel.

N clients each hold one conversation of T turns (a fixed, varied shopper script) and
measure every turn from send to the end of the bot's answer: ``turn_complete`` on the
websocket, the HTTP response on REST. Both run against the same Rasa service in the
same run, websocket first, each after one unmeasured warm-up turn. A turn that never
gets a bot message is LOST; the number that matters most is that this stays 0.

Only localhost URLs are accepted and every count and wait is bounded, so the bench
cannot be pointed at someone else's shop.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any, Awaitable, Callable
from urllib.parse import urlsplit

import aiohttp
import websockets
import websockets.client
import websockets.exceptions
from websockets.exceptions import ConnectionClosed

from ecomai.bench.stats import EMPTY, ERROR, NOT_SENT, OK, TIMEOUT, TurnResult, format_table, summarize
from ecomai.chat import protocol
from ecomai.chat.client import TurnTimeout, read_turn
from ecomai.errors import InvalidInput

__all__ = ["SCRIPT", "check_options", "format_table", "run_load", "script_for"]

# What shoppers say, in a mix of intents; client i starts at line i so turns interleave.
SCRIPT: tuple[str, ...] = (
    "hi there",
    "what is your return policy?",
    "do you have running shoes?",
    "can you recommend something for me?",
    "how long does shipping take?",
    "show me wireless headphones under 100",
    "thanks!",
    "hello",
    "what payment methods do you accept?",
    "I'm looking for a rain jacket",
    "any recommendations for a gift?",
    "do you ship internationally?",
    "search for a coffee grinder",
    "thank you, that helps",
    "good morning",
    "how do I return an item?",
    "I need a backpack for travel",
    "what would you suggest for a runner?",
    "can I change my delivery address?",
    "great, thanks a lot",
)
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
_MAX_CLIENTS = 500
_MAX_TURNS = 1000
_MAX_TIMEOUT_S = 600.0


def check_options(ws_url: str, rest_url: str, clients: int, turns: int, timeout_s: float) -> None:
    """Refuse non-local URLs and unbounded runs before any connection is made.

    Raises:
        InvalidInput: naming the offending option.
    """
    for url, schemes in ((ws_url, {"ws"}), (rest_url, {"http"})):
        parts = urlsplit(url)
        if parts.scheme not in schemes or parts.hostname not in _LOCAL_HOSTS:
            raise InvalidInput(f"{url!r}: only {'/'.join(schemes)} URLs on localhost are allowed")
    if not 1 <= clients <= _MAX_CLIENTS:
        raise InvalidInput(f"clients must be within 1..{_MAX_CLIENTS}, got {clients}")
    if not 1 <= turns <= _MAX_TURNS:
        raise InvalidInput(f"turns must be within 1..{_MAX_TURNS}, got {turns}")
    if not 0 < timeout_s <= _MAX_TIMEOUT_S:
        raise InvalidInput(f"timeout_s must be within (0, {_MAX_TIMEOUT_S}], got {timeout_s}")


def script_for(client: int, turns: int) -> list[str]:
    """The lines client number ``client`` sends: the script, rotated so clients differ."""
    return [SCRIPT[(client + turn) % len(SCRIPT)] for turn in range(turns)]


def _ws_outcome(frames: list[dict[str, Any]]) -> str:
    if any(frame["type"] == "error" for frame in frames):
        return ERROR
    return OK if any(frame["type"] == "bot" for frame in frames) else EMPTY


async def _ws_conversation(url: str, texts: list[str], timeout_s: float) -> list[TurnResult]:
    """One shopper on the websocket; after a timeout or a drop the rest count as not sent."""
    results: list[TurnResult] = []
    try:
        async with websockets.client.connect(url, open_timeout=timeout_s, max_size=None) as ws:
            for text in texts:
                message_id = protocol.new_message_id()
                started = time.perf_counter()
                await ws.send(protocol.encode_text(text, message_id))
                try:
                    frames = await read_turn(ws, message_id, timeout_s=timeout_s)
                except TurnTimeout:
                    results.append(TurnResult(TIMEOUT, time.perf_counter() - started))
                    break
                results.append(TurnResult(_ws_outcome(frames), time.perf_counter() - started))
    except (OSError, ConnectionClosed, websockets.exceptions.InvalidHandshake, asyncio.TimeoutError):
        results.append(TurnResult(ERROR))
    return results + [TurnResult(NOT_SENT)] * (len(texts) - len(results))


async def _rest_conversation(
    http: aiohttp.ClientSession, url: str, texts: list[str], timeout_s: float
) -> list[TurnResult]:
    """One shopper on Rasa's REST channel, with its own sender id."""
    sender = f"bench-{uuid.uuid4().hex}"
    results: list[TurnResult] = []
    limit = aiohttp.ClientTimeout(total=timeout_s)
    for text in texts:
        started = time.perf_counter()
        try:
            async with http.post(url, json={"sender": sender, "message": text}, timeout=limit) as reply:
                body = await reply.json() if reply.status == 200 else None
        except asyncio.TimeoutError:
            results.append(TurnResult(TIMEOUT, time.perf_counter() - started))
            break
        except (aiohttp.ClientError, ValueError):
            results.append(TurnResult(ERROR, time.perf_counter() - started))
            continue
        outcome = ERROR if body is None else (OK if isinstance(body, list) and body else EMPTY)
        results.append(TurnResult(outcome, time.perf_counter() - started))
    return results + [TurnResult(NOT_SENT)] * (len(texts) - len(results))


async def _measure(
    conversation: Callable[[list[str]], Awaitable[list[TurnResult]]], clients: int, turns: int
) -> dict[str, Any]:
    await conversation(script_for(0, 1))  # warm-up, not measured
    started = time.perf_counter()
    per_client = await asyncio.gather(*(conversation(script_for(i, turns)) for i in range(clients)))
    wall_s = time.perf_counter() - started
    return summarize([result for client in per_client for result in client], wall_s)


async def run_load(
    ws_url: str, rest_url: str, *, clients: int, turns: int, timeout_s: float
) -> dict[str, Any]:
    """Drive the running service with ``clients`` concurrent shoppers x ``turns`` each.

    Args:
        ws_url: our channel, e.g. ``ws://127.0.0.1:5005/webhooks/ecomai/ws``.
        rest_url: Rasa's REST channel, e.g. ``http://127.0.0.1:5005/webhooks/rest/webhook``.
        clients: concurrent conversations (1-500).
        turns: turns per conversation (1-1000).
        timeout_s: longest wait for one turn's answer, in seconds.

    Returns:
        ``{"benchmark", "config", "results": {"ecomai_websocket": {...}, "rasa_rest": {...}}}``
        with the fields of ``summarize``.

    Raises:
        InvalidInput: a non-local URL or an out-of-range count.
    """
    check_options(ws_url, rest_url, clients, turns, timeout_s)
    websocket = await _measure(
        lambda texts: _ws_conversation(ws_url, texts, timeout_s), clients, turns
    )
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=clients)) as http:
        rest = await _measure(
            lambda texts: _rest_conversation(http, rest_url, texts, timeout_s), clients, turns
        )
    config = {"clients": clients, "turns": turns, "timeout_s": timeout_s}
    return {
        "benchmark": "load",
        "config": {**config, "ws_url": ws_url, "rest_url": rest_url},
        "results": {"ecomai_websocket": websocket, "rasa_rest": rest},
    }
