"""The shop widget's websocket channel for Rasa: ``/webhooks/ecomai/ws``.

This module only moves bytes. Every rule about frames lives in ``ecomai.chat.protocol``,
tokens in ``ecomai.chat.identity``, buffering in ``ecomai.chat.outbox``, speech in
``ecomai.speech`` (decoding and Whisper run off the event loop), and each text is
classified in a batch with other shoppers' before Rasa parses it
(``bot.components.predict_ahead``).

Bot messages are addressed by session, not by socket: the output channel looks up the
session's *current* socket when it sends, so a shopper who reconnected still gets
replies and pushes (reminders, ``trigger_intent``, a human agent), and a shopper who is
away gets them from the outbox on return. The registry is per process: run one Sanic
worker (Rasa's default with the in-memory lock store) or pin sessions to workers.

Human takeover (``ecomai.chat.takeover_relay``): staff's messages, written to the
database by the console, are polled and pushed to attached sessions; while staff hold a
session its turns skip Rasa (logged for staff, answered by ``turn_complete`` alone).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, Optional, Set, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.engine import Engine
from websockets.exceptions import ConnectionClosed

from bot.components import forget_prediction, predict_ahead
from ecomai.chat import protocol
from ecomai.chat.identity import verify_customer_token
from ecomai.chat.outbox import Outbox, OutboxLimits
from ecomai.chat.takeover_relay import RelayOptions, TakeoverRelay
from ecomai.config import Settings
from ecomai.errors import EcomaiError, InvalidInput, InvalidToken
from ecomai.speech.service import SpeechService
from ecomai.widget.assets import asset_headers, is_not_modified, load_asset
from ecomai.widget.demo import DemoShop
from ecomai.store.db import make_engine
from ecomai.store.log_writer import ConversationLogWriter

logger = logging.getLogger(__name__)

# Frames up to this many times max_frame_bytes (and audio frames up to their own limit
# plus max_frame_bytes) are read and answered with an error frame; bigger ones are cut
# by the websocket layer (close code 1009), so one connection can never make us buffer
# an unbounded frame.
TRANSPORT_SIZE_FACTOR = 4
_OWNER_MEMORY = 100_000  # sessions whose signed-in owner we remember
_PRUNE_EVERY_S = 60.0


@dataclass(eq=False)
class _Connection:
    """One live socket; the lock keeps frames to it in order across concurrent senders."""

    ws: Any  # sanic.server.websockets.impl.WebsocketImplProtocol
    customer_id: Optional[str] = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def send(self, frame: str) -> bool:
        """Send one frame; False when the socket is gone (the caller decides what next)."""
        async with self.lock:
            return await self.send_unlocked(frame)

    async def send_unlocked(self, frame: str) -> bool:
        try:
            await self.ws.send(frame)
        except (ConnectionClosed, SanicException, ConnectionError):
            return False
        return True


class SessionRegistry:
    """Session id -> its current connection, the outbox, and who signed in to each session."""

    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox
        self._live: Dict[str, _Connection] = {}
        self._owners: Dict[str, str] = {}
        self._last_prune = time.monotonic()

    def may_resume(self, session_id: str, customer_id: Optional[str]) -> bool:
        """A session signed in as customer A is never handed to anyone but A."""
        owner = self._owners.get(session_id)
        return owner is None or owner == customer_id

    def claim(self, session_id: str, customer_id: Optional[str]) -> None:
        if customer_id is None:
            return
        self._owners.pop(session_id, None)
        self._owners[session_id] = customer_id
        if len(self._owners) > _OWNER_MEMORY:
            del self._owners[next(iter(self._owners))]

    async def attach(self, session_id: str, conn: _Connection) -> None:
        """Make ``conn`` the session's socket and flush what waited for it, in order."""
        async with conn.lock:  # pushes arriving meanwhile queue behind the backlog
            self._live[session_id] = conn
            backlog = self._outbox.drain(session_id)
            for index, frame in enumerate(backlog):
                if not await conn.send_unlocked(frame):  # dropped again: keep the rest
                    self.detach(session_id, conn)
                    for unsent in backlog[index:]:
                        self._outbox.push(session_id, unsent)
                    break
        if time.monotonic() - self._last_prune > _PRUNE_EVERY_S:
            self._last_prune = time.monotonic()
            self._outbox.prune()

    def sessions(self) -> list[str]:
        """Sessions with a live socket here (the takeover relay polls for these)."""
        return list(self._live)

    def detach(self, session_id: str, conn: _Connection) -> None:
        if self._live.get(session_id) is conn:
            del self._live[session_id]

    async def deliver(self, session_id: str, frame: str) -> None:
        """Send to the session's current socket, else keep the frame in the outbox."""
        for _ in range(2):  # a dead socket may have been replaced while we sent
            conn = self._live.get(session_id)
            if conn is None:
                break
            if await conn.send(frame):
                return
            self.detach(session_id, conn)
        self._outbox.push(session_id, frame)
        logger.debug("session=%s offline; frame kept in outbox", session_id)


class EcomaiOutputChannel(OutputChannel):
    """Sends each Rasa bot message as one ``bot`` frame to the session's current socket.

    ``sent`` counts the frames, so a turn can tell when the bot said nothing at all.
    """

    def __init__(self, registry: SessionRegistry) -> None:
        self._registry = registry
        self.sent = 0

    @classmethod
    def name(cls) -> Text:
        return EcomaiWebsocketInput.name()

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        frame = protocol.bot_frame_from_rasa_message(message)
        if frame is not None:
            self.sent += 1
            await self._registry.deliver(recipient_id, protocol.encode_bot(frame))

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: list, **kwargs: Any
    ) -> None:
        await self.send_response(recipient_id, {"text": text, "buttons": buttons})

    async def send_custom_json(
        self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any
    ) -> None:
        await self.send_response(recipient_id, {"custom": json_message})

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"image": image})

    async def send_attachment(self, recipient_id: Text, attachment: Text, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"attachment": attachment})


class _TransportLimitBlueprint(Blueprint):
    """Raises the app's ``WEBSOCKET_MAX_SIZE`` when registered.

    Sanic 21.12 reads that setting once, when the server is built (before any
    ``before_server_start`` listener), and its default (1 MiB) equals our default
    ``max_frame_bytes``: over-limit frames would be cut with close code 1009 before we
    could explain. Registration happens before the server is built, both under
    ``rasa run`` and with ``app.create_server``. The limit is only ever raised, never
    lowered, so other routes keep theirs.
    """

    def __init__(self, *args: Any, transport_max_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ctx.transport_max_bytes = transport_max_bytes

    def register(self, app: Sanic, options: Dict[str, Any]) -> None:
        if app.config.WEBSOCKET_MAX_SIZE < self.ctx.transport_max_bytes:
            app.config.WEBSOCKET_MAX_SIZE = self.ctx.transport_max_bytes
        super().register(app, options)


def _asset_response(request: Request, name: str) -> HTTPResponse:
    """A widget file, or 304 when the browser's copy is current (``ecomai.widget.assets``)."""
    asset = load_asset(name)
    headers = asset_headers(asset)
    if is_not_modified(request.headers.get("if-none-match"), asset.etag):
        return HTTPResponse(status=304, headers=headers)
    return response.raw(asset.body, headers=headers, content_type=asset.content_type)


class EcomaiWebsocketInput(InputChannel):
    """Rasa input channel for the shop widget (JSON frames, see ``ecomai.chat.protocol``)."""

    @classmethod
    def name(cls) -> Text:
        return "ecomai"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "EcomaiWebsocketInput":
        """Build from ``credentials.yml``; unset values come from ``Settings.from_env()``."""
        settings = Settings.from_env()
        credentials = credentials or {}
        limits = protocol.ProtocolLimits(
            max_text_chars=int(credentials.get("max_text_chars", settings.max_text_chars)),
            max_frame_bytes=int(credentials.get("max_frame_bytes", settings.max_frame_bytes)),
            max_audio_bytes=settings.max_audio_bytes,
        )
        return cls(limits=limits, token_secret=settings.token_secret, speech=SpeechService.from_settings(settings),
                   demo=DemoShop.from_settings(settings),
                   takeover_engine=make_engine(settings.database_url),
                   takeover_options=RelayOptions(poll_interval_s=settings.takeover_poll_ms / 1000))

    def __init__(
        self,
        limits: protocol.ProtocolLimits,
        token_secret: str,
        outbox_limits: OutboxLimits = OutboxLimits(),
        speech: Optional[SpeechService] = None,
        demo: Optional[DemoShop] = None,
        takeover_engine: Optional[Engine] = None,
        takeover_options: RelayOptions = RelayOptions(),
    ) -> None:
        """``speech`` None turns voice messages off (they get ``speech_unavailable``);
        ``takeover_engine`` (the shop database) None turns human takeover off."""
        if not token_secret:
            raise InvalidInput("the websocket channel needs a token secret")
        self.limits = limits
        self.speech = speech
        self.demo = demo  # None: no demo page (404), as in production
        self._token_secret = token_secret
        self.registry = SessionRegistry(Outbox(outbox_limits))
        self._output = EcomaiOutputChannel(self.registry)
        self._turns: Set["asyncio.Task[None]"] = set()
        self.takeover = None if takeover_engine is None else TakeoverRelay(
            takeover_engine, self.registry.deliver, self.registry.sessions, ConversationLogWriter(takeover_engine),
            takeover_options)

    @property
    def transport_max_bytes(self) -> int:
        """Frames above this are cut by the websocket layer (1009) instead of answered."""
        largest_audio = max(self.limits.max_audio_frame_bytes, self.limits.max_audio_bytes)
        return max(self.limits.max_frame_bytes * TRANSPORT_SIZE_FACTOR, largest_audio + self.limits.max_frame_bytes)

    def get_output_channel(self) -> OutputChannel:
        """Lets Rasa push (reminders, ``trigger_intent``, an agent) without a user message."""
        return self._output

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = _TransportLimitBlueprint("ecomai_webhook", transport_max_bytes=self.transport_max_bytes)

        @bp.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/widget.js", methods=["GET"])
        async def widget_js(request: Request) -> HTTPResponse:
            return _asset_response(request, "widget.js")

        @bp.route("/widget.css", methods=["GET"])
        async def widget_css(request: Request) -> HTTPResponse:
            return _asset_response(request, "widget.css")

        @bp.route("/demo", methods=["GET"])
        async def demo_page(request: Request) -> HTTPResponse:
            if self.demo is None:
                return response.text("Not found", status=404)
            signed_in = request.args.get("signed_in") == "1"
            try:
                body, headers = await asyncio.get_running_loop().run_in_executor(None, self.demo.page, signed_in)
            except EcomaiError as exc:  # e.g. the shop database is down: say so, no traceback page
                logger.warning("demo page unavailable code=%s detail=%s", exc.code, exc)
                return response.text("The demo shop is not available right now.", status=503)
            return response.html(body, headers=headers)

        @bp.listener("before_server_stop")
        async def stop_takeover_relay(app: Sanic, loop: Any) -> None:
            if self.takeover is not None:
                await self.takeover.stop()

        @bp.websocket("/ws")
        async def websocket(request: Request, ws: Any) -> None:
            await self._serve_connection(ws, on_new_message)

        return bp

    async def _serve_connection(
        self, ws: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        """Read frames one at a time, so a connection's turns run in the order sent."""
        conn = _Connection(ws)
        session_id: Optional[str] = None
        try:
            while True:
                raw = await ws.recv()
                if raw is None:
                    continue
                try:
                    session_id = await self._handle_frame(conn, raw, session_id, on_new_message)
                except Exception:  # never let one frame take the server or socket down
                    logger.exception("unexpected error handling a frame session=%s", session_id)
                    await conn.send(protocol.encode_error(protocol.INTERNAL_ERROR))
        except (ConnectionClosed, SanicException) as exc:
            logger.debug("connection closed session=%s reason=%s", session_id, type(exc).__name__)
        finally:
            if session_id is not None:
                self.registry.detach(session_id, conn)

    async def _handle_frame(
        self,
        conn: _Connection,
        raw: str | bytes,
        session_id: Optional[str],
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> Optional[str]:
        """Handle one frame; returns the connection's session id afterwards."""
        try:
            frame = protocol.parse_client_frame(raw, self.limits)
        except protocol.ProtocolError as exc:
            logger.debug("frame refused code=%s session=%s detail=%s", exc.code, session_id, exc)
            await conn.send(protocol.encode_error(exc.code, exc.message_id))
            return session_id
        if isinstance(frame, protocol.Hello):
            if session_id is not None:
                logger.debug("late hello refused session=%s", session_id)
                await conn.send(protocol.encode_error(protocol.INVALID_FRAME))
                return session_id
            return await self._open_session(conn, frame)
        if session_id is None:
            session_id = await self._open_session(conn, protocol.Hello())
        await self._run_turn(conn, session_id, frame, on_new_message)
        return session_id

    async def _open_session(self, conn: _Connection, hello: protocol.Hello) -> str:
        """Verify the token, pick the session (resumed or new), flush its outbox."""
        if hello.customer_token is not None:
            try:
                conn.customer_id = verify_customer_token(self._token_secret, hello.customer_token)
            except InvalidToken as exc:
                # Stay open as a guest: a stale token must not cost the shopper the chat,
                # and a guest can see nothing private.
                logger.info("customer token refused: %s", exc)
                await conn.send(protocol.encode_error(protocol.INVALID_TOKEN))
        session_id = hello.session_id
        if session_id is None or not self.registry.may_resume(session_id, conn.customer_id):
            session_id = protocol.new_session_id()
        self.registry.claim(session_id, conn.customer_id)
        await conn.send(protocol.encode_session(session_id, conn.customer_id is not None))
        await self.registry.attach(session_id, conn)
        if self.takeover is not None:  # started here, in the server's loop; wake: staff's messages come at once
            self.takeover.start()
            self.takeover.wake()
        logger.debug("session open session=%s resumed=%s", session_id, session_id == hello.session_id)
        return session_id

    async def _run_turn(
        self,
        conn: _Connection,
        session_id: str,
        frame: protocol.TextMessage | protocol.AudioMessage,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        """received -> (audio: transcript) -> the bot's frames (via the registry) -> turn_complete.

        Sanic cancels the connection handler when the socket drops; the turn (speech
        included) runs in its own shielded task so it still finishes and its replies
        reach the outbox.
        """
        message_id = frame.message_id or protocol.new_message_id()
        await conn.send(protocol.encode_received(message_id))
        task = asyncio.ensure_future(self._turn(conn, session_id, frame, message_id, on_new_message))
        self._turns.add(task)  # a strong reference, so a detached turn is not collected
        task.add_done_callback(self._turns.discard)
        await asyncio.shield(task)

    async def _turn(
        self,
        conn: _Connection,
        session_id: str,
        frame: protocol.TextMessage | protocol.AudioMessage,
        message_id: str,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        metadata = {"customer_id": conn.customer_id, "channel": "websocket", "client_message_id": frame.message_id}
        if isinstance(frame, protocol.AudioMessage):
            text = await self._transcribe(conn, session_id, frame, message_id)
            if text is None:
                await conn.send(protocol.encode_turn_complete(message_id))
                return
            metadata["from_speech"] = True
        else:
            text = frame.text
        if self.takeover is not None and await self.takeover.hold_turn(
            session_id, text, customer_id=conn.customer_id, channel=self.name(), from_speech="from_speech" in metadata
        ):  # staff hold the conversation: logged for them, and the bot stays silent
            await conn.send(protocol.encode_turn_complete(message_id))
            return
        message = UserMessage(
            text,
            EcomaiOutputChannel(self.registry),  # one per turn: it counts this turn's replies
            sender_id=session_id,
            input_channel=self.name(),
            metadata=metadata,
        )
        await self._bot_turn(conn, message, message_id, on_new_message)

    async def _transcribe(
        self, conn: _Connection, session_id: str, frame: protocol.AudioMessage, message_id: str
    ) -> Optional[str]:
        """The words heard, echoed to the shopper as a transcript; None after an error frame."""
        try:
            if self.speech is None:
                raise InvalidInput("voice messages are turned off on this channel")
            text = await self.speech.transcribe(frame.data)
        except Exception as exc:  # the shopper gets a fixed text; the detail goes to the log only
            code = protocol.speech_error_code(exc)
            if isinstance(exc, EcomaiError):
                logger.info("audio refused session=%s code=%s detail=%s", session_id, code, exc)
            else:
                logger.exception("speech failed session=%s", session_id)
            await conn.send(protocol.encode_error(code, message_id))
            return None
        # Through the registry like the bot's replies, so a shopper who reconnects sees it too.
        await self.registry.deliver(session_id, protocol.encode_transcript(text, message_id))
        return text

    async def _bot_turn(
        self,
        conn: _Connection,
        message: UserMessage,
        message_id: str,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        started = time.perf_counter()
        try:
            await predict_ahead(message.message_id, message.text or "")
            await on_new_message(message)
        except Exception:
            logger.exception("bot failed on a turn session=%s", message.sender_id)
            await conn.send(protocol.encode_error(protocol.BOT_UNAVAILABLE, message_id))
        else:
            # Rasa swallows a failing custom action (e.g. the action server is down)
            # and ends the turn silently; every turn of ours has a reply, so say sorry.
            if isinstance(message.output_channel, EcomaiOutputChannel) and message.output_channel.sent == 0:
                logger.warning("turn ended without a reply session=%s", message.sender_id)
                await conn.send(protocol.encode_error(protocol.BOT_UNAVAILABLE, message_id))
        finally:
            forget_prediction(message.message_id)
        await conn.send(protocol.encode_turn_complete(message_id))
        elapsed_ms = (time.perf_counter() - started) * 1000
        logger.debug("turn done session=%s ms=%.1f", message.sender_id, elapsed_ms)
