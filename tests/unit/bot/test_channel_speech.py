"""Voice messages through the real websocket channel: audio frames (binary and base64 JSON)
-> transcript frame -> the same Rasa turn as typed text, flagged ``from_speech``."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import AsyncIterator

import pytest
import websockets
from sanic import Sanic

from bot.channel import EcomaiWebsocketInput
from ecomai.chat import protocol
from ecomai.chat.client import read_turn
from ecomai.chat.protocol import ProtocolLimits
from ecomai.config import Settings
from ecomai.errors import ModelFileError
from ecomai.speech.audio import AudioLimits
from ecomai.speech.service import SpeechService
from ecomai.batching import BatchOptions
from tests.unit.bot.test_channel import SECRET, Server, recv, serving, types
from tests.unit.speech.conftest import fixture_bytes
from tests.unit.speech.test_audio import encode, tone, wav_bytes

LIMITS = ProtocolLimits(max_text_chars=200, max_frame_bytes=4096, max_audio_bytes=200_000)


def unloadable() -> object:
    raise ModelFileError("model.bin is truncated")


@pytest.fixture()
async def speech_server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> AsyncIterator[Server]:
    monkeypatch.setattr(Sanic, "test_mode", True)
    speech = SpeechService.from_settings(Settings(token_secret=SECRET, var_dir=tmp_path, max_audio_bytes=200_000,
                                                  max_audio_seconds=3))
    async with serving(EcomaiWebsocketInput(LIMITS, SECRET, speech=speech)) as running:
        yield running


@pytest.mark.slow
async def test_spoken_request_is_echoed_then_handled_like_text(speech_server: Server) -> None:
    async with websockets.connect(speech_server.url) as ws:
        await ws.send(protocol.encode_audio(fixture_bytes("where_is_my_order.wav"), "wav", "v1"))
        frames = await read_turn(ws, "v1", timeout_s=60)
        await ws.send(fixture_bytes("payment_methods.wav"))  # a raw binary frame: the server numbers it
        received = await recv(ws)
        second = await read_turn(ws, received["message_id"], timeout_s=60)
    assert types(frames) == ["session", "received", "transcript", "bot", "turn_complete"]
    assert frames[2] == {"type": "transcript", "text": "Where is my order?", "message_id": "v1"}
    assert frames[3]["text"] == "echo: Where is my order?"
    assert types(second) == ["transcript", "bot", "turn_complete"]
    assert second[0]["text"] == "What payment methods do you accept?"
    first, _ = speech_server.rasa.messages
    assert first.metadata == {"customer_id": None, "channel": "websocket", "client_message_id": "v1",
                              "from_speech": True}


async def test_bad_audio_gets_its_error_and_the_socket_keeps_working(speech_server: Server) -> None:
    refused = [  # refused on sight: only the error frame
        (b"plain bytes, no audio", "not_audio"),
        (protocol.encode_audio(b"not audio at all", message_id="a1"), "not_audio"),
        (protocol.encode_audio(b"ID3\x04\x00" + b"\xff\xfb" * 50, message_id="a2"), "unsupported_codec"),
        (json.dumps({"type": "audio", "data": "a", "format": "mp3"}), "unsupported_codec"),
        (json.dumps({"type": "audio", "data": "%%%"}), "invalid_frame"),
        (b"RIFF" + bytes(200_001), "audio_too_large"),
    ]
    async with websockets.connect(speech_server.url) as ws:
        for raw, code in refused:
            await ws.send(raw)
            error = await recv(ws)
            assert (error["type"], error["code"]) == ("error", code)
            assert error["message"] == protocol.SHOPPER_MESSAGES[code]
        accepted = [  # accepted, then refused after decoding: received, error, turn_complete
            (wav_bytes(tone(0.5) * 0), "no_speech"),
            (wav_bytes(tone(3.5)), "audio_too_long"),
            (encode(tone(0.5), 16_000, "wav", "adpcm_ima_wav"), "unsupported_codec"),
        ]
        for index, (data, code) in enumerate(accepted):
            await ws.send(protocol.encode_audio(data, message_id=f"b{index}"))
            frames = await read_turn(ws, f"b{index}", timeout_s=10)
            assert [f["type"] for f in frames if f["type"] != "session"] == ["received", "error", "turn_complete"]
            assert frames[-2]["code"] == code and frames[-2]["message_id"] == f"b{index}"
        await ws.send(protocol.encode_text("still there?", "t1"))
        assert types(await read_turn(ws, "t1", timeout_s=5)) == ["received", "bot", "turn_complete"]
    assert [m.text for m in speech_server.rasa.messages] == ["still there?"]


@pytest.mark.parametrize("speech", [None, SpeechService(unloadable, AudioLimits(), BatchOptions())])
async def test_without_speech_or_model_voice_is_unavailable_but_text_works(
    monkeypatch: pytest.MonkeyPatch, speech: SpeechService | None
) -> None:
    monkeypatch.setattr(Sanic, "test_mode", True)
    async with serving(EcomaiWebsocketInput(LIMITS, SECRET, speech=speech)) as server:
        async with websockets.connect(server.url) as ws:
            await ws.send(protocol.encode_audio(fixture_bytes("where_is_my_order.wav"), message_id="u1"))
            frames = await read_turn(ws, "u1", timeout_s=10)
            assert frames[-2]["code"] == "speech_unavailable" and "truncated" not in json.dumps(frames)
            await ws.send(protocol.encode_text("hi", "t1"))
            assert types(await read_turn(ws, "t1", timeout_s=5)) == ["received", "bot", "turn_complete"]


def test_audio_frames_have_their_own_size_limit() -> None:
    data = fixture_bytes("where_is_my_order.wav")  # 44 kB: over max_frame_bytes, under max_audio_bytes
    frame = protocol.parse_client_frame(protocol.encode_audio(data, "wav", "m1"), LIMITS)
    assert frame == protocol.AudioMessage(data=data, container="wav", message_id="m1")
    assert base64.b64decode(json.loads(protocol.encode_audio(data))["data"]) == data
    channel = EcomaiWebsocketInput(LIMITS, SECRET)
    assert channel.transport_max_bytes == LIMITS.max_audio_frame_bytes + LIMITS.max_frame_bytes
