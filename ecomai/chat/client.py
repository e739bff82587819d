"""`ecomai chat`: talk to the shop assistant from a terminal, plus `converse` for scripts.

Both speak the protocol in ``ecomai.chat.protocol`` over python-websockets' asyncio API.
A turn is over when the server says ``turn_complete`` for it (or refuses it with an
error frame naming it), never after a guessed delay, so tests and the load bench
measure real turns.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from typing import Any, AsyncIterator, Callable, TextIO

import websockets
import websockets.client
import websockets.exceptions
from websockets.exceptions import ConnectionClosed

from ecomai.chat import protocol
from ecomai.errors import EcomaiError

Frame = dict[str, Any]
_MAX_RECONNECTS = 5
# Largest server frame we accept; bot frames are small, this only stops a runaway server.
MAX_SERVER_FRAME_BYTES = 16 * 2**20
_QUIT = {"/quit", "/exit"}


class ChatUnavailable(EcomaiError):
    """The chat server could not be reached or dropped the connection for good."""

    code = "chat_unavailable"


class TurnTimeout(EcomaiError):
    """The server did not finish a turn in time."""

    code = "turn_timeout"


def _ends_turn(frame: Frame, message_id: str, accepted: bool) -> bool:
    """A turn ends with its turn_complete, or with an error refusing it before acceptance."""
    kind = frame["type"]
    if kind == "turn_complete":
        return frame.get("message_id") == message_id
    if kind == "error" and not accepted:
        return frame.get("message_id") in (message_id, None) and frame["code"] != "invalid_token"
    return False


async def read_turn(
    ws: Any,
    message_id: str,
    *,
    timeout_s: float,
    on_frame: Callable[[Frame], None] | None = None,
) -> list[Frame]:
    """Collect server frames until the turn started by ``message_id`` ends.

    Frames pushed meanwhile (a reminder, an agent's message) are included in order.

    Raises:
        TurnTimeout: no end of turn within ``timeout_s`` seconds.
        websockets.exceptions.ConnectionClosed: the connection dropped mid-turn.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    frames: list[Frame] = []
    accepted = False
    while True:
        try:
            raw = await asyncio.wait_for(ws.recv(), max(deadline - loop.time(), 0.0))
        except asyncio.TimeoutError:
            raise TurnTimeout(f"no turn_complete for {message_id} within {timeout_s}s") from None
        frame = protocol.decode_server_frame(raw)
        frames.append(frame)
        if on_frame is not None:
            on_frame(frame)
        accepted = accepted or (frame["type"] == "received" and frame.get("message_id") == message_id)
        if _ends_turn(frame, message_id, accepted):
            return frames


async def open_session(
    ws: Any,
    *,
    customer_token: str | None,
    session_id: str | None,
    timeout_s: float,
) -> list[Frame]:
    """Send ``hello`` and read its answer: ``session`` (maybe after ``invalid_token``),
    then any frames the outbox kept for the session, or one error refusing the hello."""
    await ws.send(protocol.encode_hello(session_id=session_id, customer_token=customer_token))
    frames: list[Frame] = []
    while not frames or frames[-1]["type"] not in ("session", "error") or (
        frames[-1].get("code") == "invalid_token"
    ):
        try:
            raw = await asyncio.wait_for(ws.recv(), timeout_s)
        except asyncio.TimeoutError:
            raise TurnTimeout(f"no answer to hello within {timeout_s}s") from None
        frames.append(protocol.decode_server_frame(raw))
    return frames


async def converse(
    url: str,
    texts: list[str],
    *,
    customer_token: str | None = None,
    session_id: str | None = None,
    timeout_s: float = 30,
) -> list[list[Frame]]:
    """Send each text on one connection and return each turn's server frames.

    A ``hello`` is sent first when a token or session id is given; its answer
    (``session``, maybe ``invalid_token``) opens the first turn's list. Outbox frames
    delivered on resume arrive after ``session`` and land there too.

    Raises:
        TurnTimeout: a turn did not end within ``timeout_s`` seconds.
        ChatUnavailable: the server could not be reached or closed the connection.
    """
    turns: list[list[Frame]] = []
    try:
        async with websockets.client.connect(url, open_timeout=timeout_s, max_size=MAX_SERVER_FRAME_BYTES) as ws:
            preamble: list[Frame] = []
            if customer_token is not None or session_id is not None:
                preamble = await open_session(
                    ws, customer_token=customer_token, session_id=session_id, timeout_s=timeout_s
                )
            for text in texts:
                message_id = protocol.new_message_id()
                await ws.send(protocol.encode_text(text, message_id))
                turns.append(preamble + await read_turn(ws, message_id, timeout_s=timeout_s))
                preamble = []
    except (OSError, ConnectionClosed, websockets.exceptions.InvalidHandshake) as exc:
        raise ChatUnavailable(f"chat connection to {url} failed: {type(exc).__name__}") from exc
    return turns


class _TerminalView:
    """Renders server frames as lines of text and remembers the last buttons offered."""

    def __init__(self, out: TextIO, prompt: str = "") -> None:
        self._out = out
        self.prompt = prompt
        self.buttons: list[Frame] = []
        self.session_id: str | None = None
        self.sessions_opened = 0

    def say(self, line: str) -> None:
        print(line, file=self._out, flush=True)

    def show_prompt(self) -> None:
        if self.prompt:
            print(self.prompt, end="", file=self._out, flush=True)

    def show(self, frame: Frame) -> None:
        kind = frame["type"]
        if kind == "session":
            self.session_id = frame["session_id"]
            self.sessions_opened += 1
            who = "signed in" if frame.get("authenticated") else "as a guest"
            self.say(f"(connected {who}; session {self.session_id})")
        elif kind == "error":
            self.say(f"! {frame.get('message', 'Something went wrong.')} [{frame.get('code')}]")
        elif kind == "bot":
            self._show_bot(frame)
        elif kind == "agent_message":
            self.say(f"{frame.get('agent', 'agent')}> {frame.get('text', '')}")
        elif kind in protocol.AGENT_FRAME_TYPES:  # a takeover starting or ending
            self.say(f"({frame.get('text', '')})")

    def _show_bot(self, frame: Frame) -> None:
        if frame.get("text"):
            self.say(f"bot> {frame['text']}")
        if frame.get("buttons"):
            self.buttons = list(frame["buttons"])
            for number, button in enumerate(self.buttons, start=1):
                self.say(f"  [{number}] {button['title']}")
        if isinstance(frame.get("custom"), dict):
            for line in format_custom(frame["custom"]):
                self.say(f"  {line}")
        for key in ("image", "attachment"):
            if frame.get(key):
                self.say(f"  [{key}] {frame[key]}")

    def resolve(self, line: str) -> tuple[str, str]:
        """(what to send, what to echo): a number picks that button's payload."""
        text = line.strip()
        if text.isdigit() and 1 <= int(text) <= len(self.buttons):
            button = self.buttons[int(text) - 1]
            return button["payload"], button["title"]
        return text, text


def format_custom(custom: dict[str, Any]) -> list[str]:
    """Compact lines for a custom payload; product cards get one line each.

    Product cards are ``{"products": [{"sku", "name"|"title", "price", "currency"?}, ...]}``.
    """
    products = custom.get("products")
    if isinstance(products, list):
        lines = []
        for item in products:
            if not isinstance(item, dict):
                continue
            parts = [item.get("sku"), item.get("name") or item.get("title")]
            if item.get("price") is not None:
                parts.append(f"{item['price']} {item.get('currency', '')}".strip())
            lines.append("* " + "  ".join(str(part) for part in parts if part))
        return lines
    text = json.dumps(custom, ensure_ascii=False, separators=(",", ":"))
    return [f"[card] {text[:200]}{'...' if len(text) > 200 else ''}"]


async def _stdin_lines() -> AsyncIterator[str]:
    """Lines from stdin read on a daemon thread, so a pending read never blocks exit."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def pump() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(queue.put_nowait, line.rstrip("\n"))
        loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=pump, daemon=True).start()
    while (line := await queue.get()) is not None:
        yield line


async def _next_line(
    ws: Any, lines: AsyncIterator[str], pending: list[asyncio.Future[str]], view: _TerminalView
) -> str | None:
    """Wait for the shopper's next line while showing frames the server pushes meanwhile."""
    if not pending:
        view.show_prompt()
        pending.append(asyncio.ensure_future(lines.__anext__()))
    line_task = pending[0]
    while True:
        recv_task = asyncio.ensure_future(ws.recv())
        done, _ = await asyncio.wait({line_task, recv_task}, return_when=asyncio.FIRST_COMPLETED)
        if recv_task in done:
            view.show(protocol.decode_server_frame(recv_task.result()))
            continue
        recv_task.cancel()  # safe in websockets: no message is lost
        pending.clear()
        try:
            return line_task.result()
        except StopAsyncIteration:
            return None


async def _chat_once(
    url: str,
    customer_token: str | None,
    lines: AsyncIterator[str],
    pending: list[asyncio.Future[str]],
    view: _TerminalView,
    timeout_s: float,
) -> None:
    """One connection's worth of chatting; returns when the shopper is done."""
    async with websockets.client.connect(url, max_size=MAX_SERVER_FRAME_BYTES) as ws:
        for frame in await open_session(
            ws, customer_token=customer_token, session_id=view.session_id, timeout_s=timeout_s
        ):
            view.show(frame)
        while (line := await _next_line(ws, lines, pending, view)) is not None:
            if line.strip() in _QUIT:
                return
            text, echo = view.resolve(line)
            if not text:
                continue
            if echo != line.strip():
                view.say(f"  -> {echo}")
            message_id = protocol.new_message_id()
            await ws.send(protocol.encode_text(text, message_id))
            try:
                await read_turn(ws, message_id, timeout_s=timeout_s, on_frame=view.show)
            except TurnTimeout:
                view.say("! The assistant is taking too long; please try again.")


async def chat(
    url: str,
    *,
    customer_token: str | None,
    session_id: str | None,
    input_lines: AsyncIterator[str] | None = None,
    out: TextIO = sys.stdout,
    timeout_s: float = 60,
) -> None:
    """Interactive chat: numbered buttons, compact product cards, clear errors.

    Waits for each turn's ``turn_complete`` before reading the next line, shows frames
    pushed while the shopper is typing, and on a dropped connection reconnects with the
    same session so the conversation (and anything sent meanwhile) carries on.

    Raises:
        ChatUnavailable: the server stayed unreachable after several attempts.
    """
    view = _TerminalView(out, prompt="" if input_lines is not None else "you> ")
    view.session_id = session_id
    lines = input_lines if input_lines is not None else _stdin_lines()
    pending: list[asyncio.Future[str]] = []  # the line being read survives a reconnect
    failures = 0
    try:
        while True:
            opened_before = view.sessions_opened
            try:
                await _chat_once(url, customer_token, lines, pending, view, timeout_s)
                return
            except (OSError, ConnectionClosed, websockets.exceptions.InvalidHandshake, TurnTimeout) as exc:
                # count only consecutive failures: a drop after a good session starts afresh
                failures = 1 if view.sessions_opened > opened_before else failures + 1
                if failures > _MAX_RECONNECTS:
                    raise ChatUnavailable(f"cannot reach {url}: {type(exc).__name__}") from exc
                view.say("(connection lost; reconnecting...)")
                await asyncio.sleep(min(0.25 * 2**failures, 5.0))
    finally:
        for task in pending:
            task.cancel()

