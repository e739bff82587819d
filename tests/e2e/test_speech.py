"""Spoken requests over a real websocket to the real Rasa server: the espeak-ng WAV
fixtures are transcribed by the bundled Whisper, echoed, and answered like typed text."""

from __future__ import annotations

from pathlib import Path

import websockets

from ecomai.chat import protocol
from ecomai.chat.client import read_turn
from tests.e2e.conftest import RunningService
from tests.e2e.test_conversations import bot_texts, logged

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "speech"


async def test_spoken_requests_reach_the_right_intent_and_reply(running: RunningService) -> None:
    session = protocol.new_session_id()
    async with websockets.connect(running.ws_url) as ws:
        await ws.send(protocol.encode_hello(session_id=session))
        assert protocol.decode_server_frame(await ws.recv())["type"] == "session"
        await ws.send(protocol.encode_audio((FIXTURES / "payment_methods.wav").read_bytes(), "wav", "p1"))
        payment = await read_turn(ws, "p1", timeout_s=120)  # the first message loads (and converts) Whisper
        await ws.send((FIXTURES / "where_is_my_order.wav").read_bytes())  # a raw binary frame
        received = protocol.decode_server_frame(await ws.recv())
        order = await read_turn(ws, received["message_id"], timeout_s=60)

    assert [f["type"] for f in payment][:2] == ["received", "transcript"]
    assert payment[1]["text"] == "What payment methods do you accept?"
    assert "PayPal" in bot_texts(payment)
    assert order[0] == {"type": "transcript", "text": "Where is my order?", "message_id": received["message_id"]}
    assert "What's your order number?" in bot_texts(order)

    users = [r for r in logged(running, session, expected_user_messages=2) if r.sender == "user"]
    assert [(u.text, u.intent, u.from_speech) for u in users] == [
        ("What payment methods do you accept?", "ask_payment", True),
        ("Where is my order?", "order_status", True),
    ]
