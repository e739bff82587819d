"""The websocket protocol, frame by frame: every refusal has its stable code."""

from __future__ import annotations

import json

import pytest

from ecomai.chat import protocol
from ecomai.chat.protocol import (
    Hello,
    ProtocolError,
    ProtocolLimits,
    TextMessage,
    bot_frame_from_rasa_message,
    parse_client_frame,
)
from ecomai.errors import EcomaiError, InvalidInput

LIMITS = ProtocolLimits(max_text_chars=20, max_frame_bytes=200)


def refused(raw: str | bytes, limits: ProtocolLimits = LIMITS) -> ProtocolError:
    with pytest.raises(ProtocolError) as info:
        parse_client_frame(raw, limits)
    return info.value


def test_text_frame_is_parsed_and_stripped() -> None:
    frame = parse_client_frame('{"type":"text","text":"  where is my order?  ","message_id":"m-1"}', LIMITS)
    assert frame == TextMessage(text="where is my order?", message_id="m-1")


def test_bytes_frame_is_utf8_json() -> None:
    frame = parse_client_frame('{"type":"text","text":"grüß dich"}'.encode(), LIMITS)
    assert frame == TextMessage(text="grüß dich")


def test_hello_with_and_without_fields() -> None:
    assert parse_client_frame('{"type":"hello"}', LIMITS) == Hello()
    frame = parse_client_frame('{"type":"hello","session_id":"abcd1234_-XY","customer_token":"t.o.k"}', LIMITS)
    assert frame == Hello(session_id="abcd1234_-XY", customer_token="t.o.k")


def test_unknown_extra_keys_are_ignored_for_forward_compatibility() -> None:
    assert parse_client_frame('{"type":"text","text":"hi","lang":"en"}', LIMITS) == TextMessage("hi")


@pytest.mark.parametrize("raw", ["{", "not json", "", b"{\xff\xfe\x00", "[" * 100_000])
def test_malformed_json(raw: str | bytes) -> None:
    big = ProtocolLimits(max_frame_bytes=1_000_000)
    assert refused(raw, big).code == protocol.MALFORMED_JSON


@pytest.mark.parametrize("raw", ["[]", "3", '"text"', "null", '{"text":"hi"}', '{"type":7}'])
def test_non_object_or_untyped_json_is_invalid_frame(raw: str) -> None:
    assert refused(raw).code == protocol.INVALID_FRAME


@pytest.mark.parametrize("kind", ["video", "image", "TEXT", ""])
def test_unknown_type(kind: str) -> None:
    assert refused(json.dumps({"type": kind})).code == protocol.UNKNOWN_TYPE


@pytest.mark.parametrize("text", ["", " ", "\n\t  "])
def test_empty_text_keeps_message_id(text: str) -> None:
    error = refused(json.dumps({"type": "text", "text": text, "message_id": "m7"}))
    assert (error.code, error.message_id) == (protocol.EMPTY_TEXT, "m7")


@pytest.mark.parametrize("text", [None, 5, ["hi"], {"t": 1}])
def test_non_string_text_is_invalid_frame(text: object) -> None:
    assert refused(json.dumps({"type": "text", "text": text})).code == protocol.INVALID_FRAME


def test_text_limit_counts_characters_after_stripping() -> None:
    assert parse_client_frame(json.dumps({"type": "text", "text": "  " + "é" * 20 + "  "}), LIMITS).text == "é" * 20
    assert refused(json.dumps({"type": "text", "text": "é" * 21})).code == protocol.TEXT_TOO_LONG


def test_frame_limit_counts_utf8_bytes_not_characters() -> None:
    limits = ProtocolLimits(max_text_chars=1000, max_frame_bytes=100)
    ascii_frame = json.dumps({"type": "text", "text": "a" * 60}, ensure_ascii=False)
    wide_frame = json.dumps({"type": "text", "text": "€" * 60}, ensure_ascii=False)  # 3 bytes each
    assert len(wide_frame) < 100 < len(wide_frame.encode())
    assert parse_client_frame(ascii_frame, limits) == TextMessage("a" * 60)
    assert refused(wide_frame, limits).code == protocol.FRAME_TOO_LARGE
    assert refused(wide_frame.encode(), limits).code == protocol.FRAME_TOO_LARGE


def test_frame_too_large_is_checked_before_parsing() -> None:
    assert refused("x" * 201).code == protocol.FRAME_TOO_LARGE


@pytest.mark.parametrize("session_id", ["short", "a" * 65, "has space1", "../../etc/pw", "ünïcode12", 12345678, ""])
def test_bad_session_id_is_refused(session_id: object) -> None:
    assert refused(json.dumps({"type": "hello", "session_id": session_id})).code == protocol.INVALID_FRAME


@pytest.mark.parametrize("token", ["", 42, ["a"], "t" * 4097])
def test_malformed_token_field_refuses_the_hello(token: object) -> None:
    limits = ProtocolLimits(max_frame_bytes=10_000)
    assert refused(json.dumps({"type": "hello", "customer_token": token}), limits).code == protocol.INVALID_FRAME


@pytest.mark.parametrize("message_id", ["", "a" * 65, "with space", 3])
def test_bad_message_id_is_invalid_frame(message_id: object) -> None:
    assert refused(json.dumps({"type": "text", "text": "hi", "message_id": message_id})).code == protocol.INVALID_FRAME


def test_protocol_error_is_an_ecomai_error_with_instance_code() -> None:
    error = ProtocolError(protocol.TEXT_TOO_LONG, "detail", "m1")
    assert isinstance(error, EcomaiError) and error.code == "text_too_long" and error.message_id == "m1"
    assert EcomaiError.code == "internal_error"  # the class attribute is untouched


@pytest.mark.parametrize("kwargs", [{"max_text_chars": 0}, {"max_frame_bytes": 10}, {"max_text_chars": -5}])
def test_limits_are_checked(kwargs: dict) -> None:
    with pytest.raises(InvalidInput):
        ProtocolLimits(**kwargs)


def test_session_ids_are_random_and_valid() -> None:
    first, second = protocol.new_session_id(), protocol.new_session_id()
    assert first != second and protocol.is_valid_session_id(first) and len(first) == 32


def test_client_frames_round_trip_through_the_parser() -> None:
    limits = ProtocolLimits(max_frame_bytes=10_000)
    assert parse_client_frame(protocol.encode_text("hola", "id-1"), limits) == TextMessage("hola", "id-1")
    assert parse_client_frame(protocol.encode_hello("s" * 10, "tok"), limits) == Hello("s" * 10, "tok")
    assert parse_client_frame(protocol.encode_hello(), limits) == Hello()


def test_server_frames_encode_to_the_documented_shapes() -> None:
    decode = protocol.decode_server_frame
    assert decode(protocol.encode_session("abc", True)) == {"type": "session", "session_id": "abc", "authenticated": True}
    assert decode(protocol.encode_received("m1")) == {"type": "received", "message_id": "m1"}
    assert decode(protocol.encode_turn_complete("m1")) == {"type": "turn_complete", "message_id": "m1"}
    assert decode(protocol.encode_bot({"type": "bot", "text": "€5"})) == {"type": "bot", "text": "€5"}


def test_error_frames_carry_shopper_text_for_every_code() -> None:
    codes = [
        protocol.MALFORMED_JSON, protocol.INVALID_FRAME, protocol.UNKNOWN_TYPE, protocol.EMPTY_TEXT,
        protocol.TEXT_TOO_LONG, protocol.FRAME_TOO_LARGE, protocol.INVALID_TOKEN,
        protocol.INTERNAL_ERROR, protocol.BOT_UNAVAILABLE,
    ]
    for code in codes:
        frame = protocol.decode_server_frame(protocol.encode_error(code, "m2"))
        assert frame["code"] == code and frame["message_id"] == "m2"
        assert frame["message"] == protocol.SHOPPER_MESSAGES[code] and "Error" not in frame["message"]
    unknown = protocol.decode_server_frame(protocol.encode_error("something_else"))
    assert unknown["message"] == protocol.SHOPPER_MESSAGES[protocol.INTERNAL_ERROR] and "message_id" not in unknown


def test_rasa_message_maps_to_one_bot_frame() -> None:
    message = {
        "text": "Here you go",
        "buttons": [{"title": "Track", "payload": "/track"}, "junk"],
        "custom": {"products": [{"sku": "SKU-00001"}]},
        "image": "https://shop.example/i.png",
        "attachment": None,
        "timestamp": 123.0,
        "recipient_id": "s1",
        "utter_action": "utter_x",
    }
    assert bot_frame_from_rasa_message(message) == {
        "type": "bot",
        "text": "Here you go",
        "buttons": [{"title": "Track", "payload": "/track"}],
        "custom": {"products": [{"sku": "SKU-00001"}]},
        "image": "https://shop.example/i.png",
    }


def test_quick_replies_become_buttons_and_attachment_passes() -> None:
    frame = bot_frame_from_rasa_message({"quick_replies": [{"title": "Yes", "payload": "/affirm"}], "attachment": "a.pdf"})
    assert frame == {"type": "bot", "buttons": [{"title": "Yes", "payload": "/affirm"}], "attachment": "a.pdf"}


def test_rasa_message_with_nothing_visible_maps_to_none() -> None:
    assert bot_frame_from_rasa_message({"text": None, "timestamp": 1.0, "custom": {}}) is None


@pytest.mark.parametrize("raw", ["[1]", "{", '{"no":"type"}'])
def test_decode_server_frame_refuses_garbage(raw: str) -> None:
    with pytest.raises(ProtocolError):
        protocol.decode_server_frame(raw)


WAV_HEAD = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(20)


def test_audio_frames_binary_and_base64_json() -> None:
    assert parse_client_frame(WAV_HEAD, LIMITS) == protocol.AudioMessage(data=WAV_HEAD, container="wav")
    frame = parse_client_frame(protocol.encode_audio(WAV_HEAD, "wav", "a1"), LIMITS)
    assert frame == protocol.AudioMessage(data=WAV_HEAD, container="wav", message_id="a1")
    assert "data=" not in repr(frame)  # megabytes of audio never land in a log line


@pytest.mark.parametrize(("raw", "code"), [
    (b"", protocol.NOT_AUDIO), (b"\x00\x01 garbage", protocol.NOT_AUDIO), (b"ID3\x04" + bytes(20), protocol.UNSUPPORTED_CODEC),
    (json.dumps({"type": "audio"}), protocol.INVALID_FRAME),
    (json.dumps({"type": "audio", "data": "not base64!"}), protocol.INVALID_FRAME),
    (json.dumps({"type": "audio", "data": "", "format": "mp3"}), protocol.UNSUPPORTED_CODEC),
    (json.dumps({"type": "audio", "data": "aGVsbG8="}), protocol.NOT_AUDIO),
])
def test_audio_refusals(raw: str | bytes, code: str) -> None:
    assert refused(raw).code == code


def test_audio_has_its_own_size_limit_and_text_keeps_the_frame_limit() -> None:
    limits = ProtocolLimits(max_frame_bytes=200, max_audio_bytes=300)
    assert isinstance(parse_client_frame(protocol.encode_audio(WAV_HEAD + bytes(250)), limits), protocol.AudioMessage)
    assert refused(WAV_HEAD + bytes(300), limits).code == protocol.AUDIO_TOO_LARGE
    assert refused(protocol.encode_audio(WAV_HEAD + bytes(300), message_id="m"), limits).message_id == "m"
    assert refused(json.dumps({"type": "text", "text": "x" * 300}), limits).code == protocol.FRAME_TOO_LARGE
    assert refused("x" * (limits.largest_frame_bytes + 1), limits).code == protocol.FRAME_TOO_LARGE


def test_transcript_frame_and_speech_error_codes() -> None:
    from ecomai.errors import AudioTooLong, ModelFileError

    assert protocol.decode_server_frame(protocol.encode_transcript("Where is my order?", "v1")) == {
        "type": "transcript", "text": "Where is my order?", "message_id": "v1"}
    assert protocol.speech_error_code(AudioTooLong("31 s")) == protocol.AUDIO_TOO_LONG
    assert protocol.speech_error_code(ModelFileError("corrupt")) == protocol.SPEECH_UNAVAILABLE
    assert protocol.speech_error_code(RuntimeError("cuda")) == protocol.SPEECH_UNAVAILABLE
