"""The real websocket channel in-process: a Sanic server on a free localhost port, a real
websockets client, and a stand-in for Rasa's ``on_new_message`` (the channel's input
contract) that answers through the channel's own output channel."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import socket
import uuid
from typing import Any, AsyncIterator

import pytest
import websockets
from rasa.core.channels.channel import UserMessage, register
from rasa.core.channels.rest import RestInput
from sanic import Sanic

from bot.channel import TRANSPORT_SIZE_FACTOR, EcomaiWebsocketInput
from ecomai.bench.load import run_load
from ecomai.chat import protocol
from ecomai.chat.client import chat, converse, open_session, read_turn
from ecomai.chat.identity import sign_customer_token
from ecomai.chat.protocol import ProtocolLimits

SECRET = "test-secret-for-the-websocket-channel-0123456789abcdef"
LIMITS = ProtocolLimits(max_text_chars=50, max_frame_bytes=2048, max_audio_bytes=2048)


class FakeRasa:
    """Answers like a bot would: through ``message.output_channel``, by session id."""

    def __init__(self) -> None:
        self.messages: list[UserMessage] = []

    async def __call__(self, message: UserMessage) -> None:
        self.messages.append(message)
        if message.text == "boom":
            raise RuntimeError("action server exploded: secret stack detail")
        if message.text == "silence":  # what Rasa does when a custom action fails
            return
        if message.text == "slow":
            await asyncio.sleep(0.05)
        if message.text == "products":
            products = [{"sku": "SKU-00001", "name": "Trail Runner", "price": 89.0, "currency": "EUR"}]
            await message.output_channel.send_custom_json(message.sender_id, {"products": products})
            return
        await message.output_channel.send_response(
            message.sender_id,
            {"text": f"echo: {message.text}", "buttons": [{"title": "Again", "payload": "/again"}]},
        )


class Server:
    def __init__(self, channel: EcomaiWebsocketInput, rasa: FakeRasa, port: int) -> None:
        self.channel, self.rasa, self.port = channel, rasa, port
        self.url = f"ws://127.0.0.1:{port}/webhooks/ecomai/ws"
        self.rest_url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"


@contextlib.asynccontextmanager
async def serving(channel: EcomaiWebsocketInput) -> AsyncIterator[Server]:
    """The channel (and Rasa's REST channel, the load bench's peer) on a free port."""
    rasa = FakeRasa()
    app = Sanic(f"test_channel_{uuid.uuid4().hex}")
    app.config.WEBSOCKET_MAX_SIZE = 1024  # so the channel must raise it, and 1009 is cheap to hit
    app.blueprint(channel.blueprint(rasa), url_prefix="/webhooks/ecomai")
    app.blueprint(RestInput().blueprint(rasa), url_prefix="/webhooks/rest")  # the bench's peer
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    asyncio_server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
    await asyncio_server.startup()
    await asyncio_server.before_start()
    await asyncio_server.start_serving()
    try:
        yield Server(channel, rasa, sock.getsockname()[1])
    finally:
        await asyncio_server.before_stop()
        asyncio_server.close()
        await asyncio_server.wait_closed()
        await asyncio_server.after_stop()


@pytest.fixture()
async def server(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Server]:
    # Sanic 21.12 rewrites its HTTP class on each start unless in test mode, which
    # breaks the second app started in one process.
    monkeypatch.setattr(Sanic, "test_mode", True)
    async with serving(EcomaiWebsocketInput(limits=LIMITS, token_secret=SECRET)) as running:
        yield running


async def recv(ws: Any) -> dict:
    return protocol.decode_server_frame(await asyncio.wait_for(ws.recv(), 2))


async def turn(ws: Any, text: str, message_id: str = "m1") -> list[dict]:
    await ws.send(protocol.encode_text(text, message_id))
    return await read_turn(ws, message_id, timeout_s=2)


def types(frames: list[dict]) -> list[str]:
    return [frame["type"] for frame in frames]


def test_registration_raises_the_transport_limit_above_ours(server: Server) -> None:
    app = Sanic(f"test_limit_{uuid.uuid4().hex}")
    app.config.WEBSOCKET_MAX_SIZE = 100
    app.blueprint(server.channel.blueprint(server.rasa))
    assert app.config.WEBSOCKET_MAX_SIZE == LIMITS.max_frame_bytes * TRANSPORT_SIZE_FACTOR
    app.config.WEBSOCKET_MAX_SIZE = 10**8
    other = Sanic(f"test_limit_{uuid.uuid4().hex}")
    other.config.WEBSOCKET_MAX_SIZE = 10**8
    other.blueprint(EcomaiWebsocketInput(LIMITS, SECRET).blueprint(server.rasa))
    assert other.config.WEBSOCKET_MAX_SIZE == 10**8  # never lowered


def test_rasa_registers_the_channel_from_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECOMAI_TOKEN_SECRET", SECRET)
    monkeypatch.setattr(Sanic, "test_mode", True)
    channel = EcomaiWebsocketInput.from_credentials({"max_text_chars": 10})
    assert channel.limits == ProtocolLimits(max_text_chars=10, max_frame_bytes=1_048_576)
    app = Sanic(f"test_register_{uuid.uuid4().hex}")
    register([channel], app, "/webhooks/")  # what `rasa run` does with credentials.yml
    app.router.finalize()
    assert {"webhooks/ecomai", "webhooks/ecomai/ws"} <= {route.path for route in app.router.routes}
    assert app.config.WEBSOCKET_MAX_SIZE == 1_048_576 * TRANSPORT_SIZE_FACTOR


async def test_health_route(server: Server) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"GET /webhooks/ecomai/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    reply = await asyncio.wait_for(reader.read(), 2)
    writer.close()
    assert reply.startswith(b"HTTP/1.1 200") and reply.endswith(b'{"status":"ok"}')


async def test_text_turn_without_hello(server: Server) -> None:
    async with websockets.connect(server.url) as ws:
        frames = await turn(ws, "  hello bot  ")
    assert types(frames) == ["session", "received", "bot", "turn_complete"]
    session, received, bot, done = frames
    assert session["authenticated"] is False and protocol.is_valid_session_id(session["session_id"])
    assert received["message_id"] == done["message_id"] == "m1"
    assert bot == {"type": "bot", "text": "echo: hello bot", "buttons": [{"title": "Again", "payload": "/again"}]}
    message = server.rasa.messages[0]
    assert message.sender_id == session["session_id"] and message.input_channel == "ecomai"
    assert message.metadata == {"customer_id": None, "channel": "websocket", "client_message_id": "m1"}


async def test_server_numbers_turns_without_message_id(server: Server) -> None:
    async with websockets.connect(server.url) as ws:
        await ws.send(json.dumps({"type": "text", "text": "hi"}))
        frames = [await recv(ws) for _ in range(4)]
    assert types(frames) == ["session", "received", "bot", "turn_complete"]
    assert frames[1]["message_id"] == frames[3]["message_id"] and len(frames[1]["message_id"]) == 32


async def test_signed_in_shopper_reaches_rasa_with_customer_id(server: Server) -> None:
    token = sign_customer_token(SECRET, "C0001")
    [frames] = await converse(server.url, ["where is my order"], customer_token=token, timeout_s=2)
    assert frames[0]["type"] == "session" and frames[0]["authenticated"] is True
    assert server.rasa.messages[0].metadata["customer_id"] == "C0001"


async def test_bad_token_answers_error_and_continues_as_guest(server: Server) -> None:
    forged = sign_customer_token("some-other-secret-0123456789-0123456789", "C0001")
    [frames] = await converse(server.url, ["hi"], customer_token=forged, timeout_s=2)
    assert types(frames) == ["error", "session", "received", "bot", "turn_complete"]
    assert frames[0]["code"] == "invalid_token" and frames[1]["authenticated"] is False
    assert server.rasa.messages[0].metadata["customer_id"] is None


async def test_reconnect_with_session_id_continues_the_session(server: Server) -> None:
    [first] = await converse(server.url, ["one"], timeout_s=2)
    session_id = first[0]["session_id"]
    [second] = await converse(server.url, ["two"], session_id=session_id, timeout_s=2)
    assert second[0] == {"type": "session", "session_id": session_id, "authenticated": False}
    assert [m.sender_id for m in server.rasa.messages] == [session_id, session_id]


async def test_signed_in_session_is_not_handed_to_someone_else(server: Server) -> None:
    alice = sign_customer_token(SECRET, "C0001")
    [first] = await converse(server.url, ["mine"], customer_token=alice, timeout_s=2)
    session_id = first[0]["session_id"]
    [guest] = await converse(server.url, ["let me in"], session_id=session_id, timeout_s=2)
    assert guest[0]["session_id"] != session_id
    [again] = await converse(server.url, ["me again"], customer_token=alice, session_id=session_id, timeout_s=2)
    assert again[0]["session_id"] == session_id


async def test_refused_frames_get_their_error_and_the_connection_keeps_working(server: Server) -> None:
    cases = [
        ("{not json", "malformed_json"),
        ("[1, 2]", "invalid_frame"),
        ('{"type":"video","data":""}', "unknown_type"),
        (protocol.encode_text("   ", "e1"), "empty_text"),
        (protocol.encode_text("x" * 51, "e2"), "text_too_long"),
        (protocol.encode_text("y" * 3000, "e3"), "frame_too_large"),
        (protocol.encode_hello("bad id!"), "invalid_frame"),
    ]
    async with websockets.connect(server.url) as ws:
        for raw, code in cases:
            await ws.send(raw)
            error = await recv(ws)
            assert (error["type"], error["code"]) == ("error", code)
            assert error["message"] == protocol.SHOPPER_MESSAGES[code]
        assert types(await turn(ws, "still there?")) == ["session", "received", "bot", "turn_complete"]
    assert [m.text for m in server.rasa.messages] == ["still there?"]


async def test_binary_frame_is_read_as_utf8_json(server: Server) -> None:
    async with websockets.connect(server.url) as ws:
        await ws.send(protocol.encode_text("bytes ok", "b1").encode())
        frames = await read_turn(ws, "b1", timeout_s=2)
    assert frames[2]["text"] == "echo: bytes ok"


async def test_late_hello_is_refused(server: Server) -> None:
    async with websockets.connect(server.url) as ws:
        await turn(ws, "first")
        await ws.send(protocol.encode_hello())
        assert (await recv(ws))["code"] == "invalid_frame"
        assert types(await turn(ws, "second", "m2")) == ["received", "bot", "turn_complete"]


async def test_frame_over_transport_limit_closes_with_1009(server: Server) -> None:
    async with websockets.connect(server.url) as ws:
        await ws.send("z" * (LIMITS.max_frame_bytes * TRANSPORT_SIZE_FACTOR + 1))
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 2)
        assert ws.close_code == 1009


async def test_bot_failure_answers_bot_unavailable_and_keeps_the_socket(server: Server) -> None:
    async with websockets.connect(server.url) as ws:
        frames = await turn(ws, "boom", "x1")
        assert types(frames) == ["session", "received", "error", "turn_complete"]
        assert frames[2]["code"] == "bot_unavailable" and frames[2]["message_id"] == "x1"
        assert "exploded" not in json.dumps(frames)
        assert types(await turn(ws, "fine now", "x2")) == ["received", "bot", "turn_complete"]


async def test_a_turn_without_any_reply_gets_bot_unavailable(server: Server) -> None:
    async with websockets.connect(server.url) as ws:
        frames = await turn(ws, "silence", "s1")
        assert types(frames) == ["session", "received", "error", "turn_complete"]
        assert frames[2]["code"] == "bot_unavailable"


async def test_turns_of_one_connection_are_handled_in_order(server: Server) -> None:
    async with websockets.connect(server.url) as ws:
        for i, text in enumerate(["slow", "fast", "slow", "fast"]):
            await ws.send(protocol.encode_text(text, f"o{i}"))
        frames = await read_turn(ws, "o3", timeout_s=2)
    texts = [f["text"] for f in frames if f["type"] == "bot"]
    assert texts == ["echo: slow", "echo: fast", "echo: slow", "echo: fast"]
    completes = [f["message_id"] for f in frames if f["type"] == "turn_complete"]
    assert completes == ["o0", "o1", "o2", "o3"]


async def test_push_reaches_the_currently_connected_socket(server: Server) -> None:
    output = server.channel.get_output_channel()
    async with websockets.connect(server.url) as old:
        session_id = (await turn(old, "hi"))[0]["session_id"]
        async with websockets.connect(server.url) as new:
            await open_session(new, customer_token=None, session_id=session_id, timeout_s=2)
            await output.send_text_message(session_id, "Your parcel is out for delivery")
            assert await recv(new) == {"type": "bot", "text": "Your parcel is out for delivery"}
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(old.recv(), 0.1)


async def test_push_while_away_is_delivered_on_reconnect(server: Server) -> None:
    output = server.channel.get_output_channel()
    [first] = await converse(server.url, ["bye"], timeout_s=2)
    session_id = first[0]["session_id"]
    await asyncio.sleep(0.05)  # let the server notice the close
    await output.send_response(session_id, {"text": "An agent replied", "custom": {"agent": "Sam"}})
    await output.send_custom_json(session_id, {"products": []})
    async with websockets.connect(server.url) as ws:
        frames = await open_session(ws, customer_token=None, session_id=session_id, timeout_s=2)
        frames += [await recv(ws), await recv(ws)]
    assert frames == [
        {"type": "session", "session_id": session_id, "authenticated": False},
        {"type": "bot", "text": "An agent replied", "custom": {"agent": "Sam"}},
        {"type": "bot", "custom": {"products": []}},
    ]
    assert server.channel.registry._outbox.pending(session_id) == 0


async def script(*lines: str) -> AsyncIterator[str]:
    for line in lines:
        yield line


async def test_chat_client_shows_buttons_cards_and_errors(server: Server) -> None:
    out = io.StringIO()
    lines = script("hello", "1", "products", "   ", "x" * 51, "boom", "/quit")
    await chat(server.url, customer_token=None, session_id=None, input_lines=lines, out=out, timeout_s=2)
    shown = out.getvalue().splitlines()
    assert shown[0].startswith("(connected as a guest; session ")
    assert shown[1:4] == ["bot> echo: hello", "  [1] Again", "  -> Again"]
    assert shown[4:6] == ["bot> echo: /again", "  [1] Again"]
    assert shown[6] == "  * SKU-00001  Trail Runner  89.0 EUR"
    assert shown[7] == f"! {protocol.SHOPPER_MESSAGES['text_too_long']} [text_too_long]"
    assert shown[8] == f"! {protocol.SHOPPER_MESSAGES['bot_unavailable']} [bot_unavailable]"
    assert len(shown) == 9  # the blank line sent nothing


async def test_chat_client_signs_in_and_shows_pushes_between_turns(server: Server) -> None:
    out = io.StringIO()

    async def lines() -> AsyncIterator[str]:
        yield "hi"
        session_id = server.rasa.messages[-1].sender_id
        await server.channel.get_output_channel().send_text_message(session_id, "Reminder: your cart")
        await asyncio.sleep(0.1)
        yield "/quit"

    token = sign_customer_token(SECRET, "C0002")
    await chat(server.url, customer_token=token, session_id=None, input_lines=lines(), out=out, timeout_s=2)
    shown = out.getvalue().splitlines()
    assert shown[0].startswith("(connected signed in; session ")
    assert shown[1:] == ["bot> echo: hi", "  [1] Again", "bot> Reminder: your cart"]


async def test_chat_client_reconnects_to_the_same_session(server: Server) -> None:
    out = io.StringIO()
    too_big = "z" * (LIMITS.max_frame_bytes * TRANSPORT_SIZE_FACTOR)  # the server cuts the connection
    lines = script("before", too_big, "after", "/quit")
    await chat(server.url, customer_token=None, session_id=None, input_lines=lines, out=out, timeout_s=2)
    shown = out.getvalue().splitlines()
    sessions = [line for line in shown if line.startswith("(connected")]
    assert len(sessions) == 2 and sessions[0] == sessions[1]
    assert "(connection lost; reconnecting...)" in shown and shown[-2] == "bot> echo: after"
    assert len({m.sender_id for m in server.rasa.messages}) == 1


async def test_load_bench_measures_both_channels(server: Server) -> None:
    result = await run_load(server.url, server.rest_url, clients=3, turns=4, timeout_s=5)
    for name in ("ecomai_websocket", "rasa_rest"):
        stats = result["results"][name]
        assert stats["answered"] == 12 and stats["lost"] == 0 and stats["errors"] == 0, name
        assert 0 < stats["latency_ms"]["p50"] <= stats["latency_ms"]["p99"]
    assert len({m.sender_id for m in server.rasa.messages if m.input_channel == "ecomai"}) == 4  # 3 + warm-up


async def test_turn_in_flight_when_the_shopper_drops_is_finished_and_kept(server: Server) -> None:
    async with websockets.connect(server.url) as ws:
        await ws.send(protocol.encode_text("slow", "d1"))
        session_id = (await recv(ws))["session_id"]
        assert (await recv(ws))["type"] == "received"
    await asyncio.sleep(0.15)  # the bot finishes its turn after the socket is gone
    async with websockets.connect(server.url) as ws:
        frames = await open_session(ws, customer_token=None, session_id=session_id, timeout_s=2)
        frames.append(await recv(ws))
    assert frames[-1] == {"type": "bot", "text": "echo: slow", "buttons": [{"title": "Again", "payload": "/again"}]}
