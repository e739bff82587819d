"""The shopper websocket protocol, sans-I/O: JSON frames (and binary audio) in, JSON frames out.

Nothing here touches a socket, so the same rules serve the Rasa channel, the terminal
client, the load bench and the tests, and every rule is testable in microseconds.

Client -> server frames::

    {"type": "hello", "session_id"?: str, "customer_token"?: str}   optional, first frame only
    {"type": "text", "text": str, "message_id"?: str}
    {"type": "audio", "data": base64 str, "format"?: "webm"|"ogg"|"wav"|"flac"|"mp4", "message_id"?: str}
    a binary frame holding an audio file as is (the server numbers the turn)

A binary frame whose first non-blank byte is ``{`` is a JSON frame (as before); any other
binary frame is audio. Audio has its own size limit (``max_audio_bytes`` of decoded
audio; its JSON frame may be base64's 4/3 of that), text frames keep ``max_frame_bytes``.
The container is recognised from the bytes; ``format``, when sent, must name a supported one.

Server -> client frames::

    {"type": "session", "session_id": str, "authenticated": bool}
    {"type": "received", "message_id": str}          turn accepted (widget shows typing)
    {"type": "transcript", "text": str, "message_id": str}   what was heard; show it as the shopper's message
    {"type": "bot", "text"?, "buttons"?: [{"title", "payload"}], "custom"?, "image"?, "attachment"?}
    {"type": "turn_complete", "message_id": str}     the bot has finished this turn
    {"type": "error", "code": str, "message": str, "message_id"?: str}

While a staff member holds the conversation (human takeover) the bot is silent: a
shopper's turn is ``received -> turn_complete`` with no ``bot`` frame, and these pushes
arrive whenever staff act (``id`` increases; delivery is at least once, so a widget
drops an ``id`` it has shown)::

    {"type": "takeover_started", "agent": str, "text": str, "id": int}   "You're now chatting with Sam ..."
    {"type": "agent_message", "agent": str, "text": str, "id": int, "sent_at": ISO 8601 UTC}
    {"type": "takeover_ended", "agent": str, "text": str, "id": int}     "You're back with the shop assistant ..."

A new client frame type is one parser function plus one entry in ``_PARSERS``; until
then such frames are answered with ``unknown_type``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Mapping, Union

from ecomai.errors import AudioError, EcomaiError, InvalidInput
from ecomai.speech.formats import SUPPORTED_CONTAINERS, UNSUPPORTED_CONTAINERS, sniff_container

# Stable error codes (part of the public protocol; clients switch on them).
MALFORMED_JSON = "malformed_json"
INVALID_FRAME = "invalid_frame"
UNKNOWN_TYPE = "unknown_type"
EMPTY_TEXT = "empty_text"
TEXT_TOO_LONG = "text_too_long"
FRAME_TOO_LARGE = "frame_too_large"
INVALID_TOKEN = "invalid_token"
INTERNAL_ERROR = "internal_error"
BOT_UNAVAILABLE = "bot_unavailable"
NOT_AUDIO = "not_audio"
UNSUPPORTED_CODEC = "unsupported_codec"
AUDIO_TOO_LARGE = "audio_too_large"
AUDIO_TOO_LONG = "audio_too_long"
NO_SPEECH = "no_speech"
SPEECH_UNAVAILABLE = "speech_unavailable"

# What a shopper reads for each code; exception text never goes into a frame.
SHOPPER_MESSAGES: Mapping[str, str] = {
    MALFORMED_JSON: "Sorry, your message could not be read. Please try again.",
    INVALID_FRAME: "Sorry, your message could not be read. Please try again.",
    UNKNOWN_TYPE: "Sorry, this kind of message is not supported yet.",
    EMPTY_TEXT: "Your message was empty. Please type something.",
    TEXT_TOO_LONG: "Your message is too long. Please shorten it and send it again.",
    FRAME_TOO_LARGE: "Your message is too large to send. Please send something smaller.",
    INVALID_TOKEN: "We could not confirm your sign-in, so you are chatting as a guest. "
    "Please sign in again to ask about your orders.",
    INTERNAL_ERROR: "Sorry, something went wrong on our side. Please try again.",
    BOT_UNAVAILABLE: "Sorry, our assistant is not available right now. "
    "Please try again in a moment.",
    NOT_AUDIO: "Sorry, that recording could not be played. Please try again or type your message.",
    UNSUPPORTED_CODEC: "Sorry, this audio format is not supported. "
    "Please record with the microphone button or type your message.",
    AUDIO_TOO_LARGE: "Your voice message is too large. Please send a shorter one.",
    AUDIO_TOO_LONG: "Your voice message is too long. Please keep it under 30 seconds.",
    NO_SPEECH: "Sorry, I didn't catch that. Please try again or type your message.",
    SPEECH_UNAVAILABLE: "Sorry, voice messages are not available right now. Please type your message.",
}

# Client-chosen ids become Rasa sender ids and log keys: short, boring characters only.
_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{8,64}")
_MESSAGE_ID_PATTERN = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
_MAX_TOKEN_CHARS = 4096
_AUDIO_FRAME_OVERHEAD = 512  # bytes for type, format, message_id and JSON punctuation
_JSON_START = re.compile(rb"\s*\{")


class ProtocolError(EcomaiError):
    """A client frame broke the protocol; ``code`` is one of the stable error codes.

    ``message_id`` is set when the offending frame carried a readable one, so the
    client can tell which of its messages was refused.
    """

    def __init__(self, code: str, detail: str = "", message_id: str | None = None) -> None:
        super().__init__(detail or code)
        self.code = code
        self.message_id = message_id


@dataclass(frozen=True)
class ProtocolLimits:
    """Size limits applied to every client frame.

    Attributes:
        max_text_chars: longest shopper text, in characters after stripping whitespace.
        max_frame_bytes: largest raw frame, in UTF-8 bytes.
    """

    max_text_chars: int = 2000
    max_frame_bytes: int = 1_048_576
    max_audio_bytes: int = 2_000_000

    def __post_init__(self) -> None:
        if self.max_text_chars < 1:
            raise InvalidInput(f"max_text_chars must be >= 1, got {self.max_text_chars}")
        if self.max_frame_bytes < 64:
            raise InvalidInput(f"max_frame_bytes must be >= 64, got {self.max_frame_bytes}")
        if self.max_audio_bytes < 1:
            raise InvalidInput(f"max_audio_bytes must be >= 1, got {self.max_audio_bytes}")

    @property
    def max_audio_frame_bytes(self) -> int:
        """Largest JSON audio frame: the base64 of ``max_audio_bytes`` plus room for the other fields."""
        return 4 * -(-self.max_audio_bytes // 3) + _AUDIO_FRAME_OVERHEAD

    @property
    def largest_frame_bytes(self) -> int:
        """Largest frame of any kind, in bytes; the transport limit is derived from it."""
        return max(self.max_frame_bytes, self.max_audio_frame_bytes, self.max_audio_bytes)


@dataclass(frozen=True)
class Hello:
    """Opens a connection: resume ``session_id`` and/or sign in with ``customer_token``."""

    session_id: str | None = None
    customer_token: str | None = None


@dataclass(frozen=True)
class TextMessage:
    """One shopper utterance; ``text`` is stripped and non-empty."""

    text: str
    message_id: str | None = None


@dataclass(frozen=True)
class AudioMessage:
    """One spoken message, still encoded; ``container`` is what its bytes are (e.g. ``webm``)."""

    data: bytes = field(repr=False)
    container: str
    message_id: str | None = None


ClientFrame = Union[Hello, TextMessage, AudioMessage]


def new_session_id() -> str:
    """A fresh, unguessable session id (uuid4 hex) for a shopper who brought none."""
    return uuid.uuid4().hex


def new_message_id() -> str:
    """An id for a text frame whose client did not number it, so replies can refer to it."""
    return uuid.uuid4().hex


def is_valid_session_id(value: object) -> bool:
    """True for 8-64 characters of ``[A-Za-z0-9_-]`` (what ``new_session_id`` makes and more)."""
    return isinstance(value, str) and _ID_PATTERN.fullmatch(value) is not None


def parse_client_frame(raw: str | bytes, limits: ProtocolLimits) -> ClientFrame:
    """Validate one raw websocket frame and turn it into a typed client frame.

    Args:
        raw: the frame exactly as received (text frames arrive as ``str``, binary as ``bytes``).
        limits: size limits to enforce.

    Returns:
        A ``Hello``, ``TextMessage`` or ``AudioMessage``.

    Raises:
        ProtocolError: with one of the stable codes when the frame is refused.
    """
    if isinstance(raw, bytes) and not _JSON_START.match(raw):
        return _audio_message(raw, None, limits)
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode("utf-8", "surrogatepass"))
    if size > limits.largest_frame_bytes:
        raise ProtocolError(FRAME_TOO_LARGE, f"frame of {size} bytes")
    oversized = size > limits.max_frame_bytes  # only an audio frame may be this big
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise ProtocolError(FRAME_TOO_LARGE if oversized else MALFORMED_JSON, type(exc).__name__) from None
    if oversized and not (isinstance(data, dict) and data.get("type") == "audio"):
        raise ProtocolError(FRAME_TOO_LARGE, f"non-audio frame of {size} bytes")
    if not isinstance(data, dict):
        raise ProtocolError(INVALID_FRAME, f"top level is {type(data).__name__}, not an object")
    frame_type = data.get("type")
    if not isinstance(frame_type, str):
        raise ProtocolError(INVALID_FRAME, "missing or non-string 'type'")
    parser = _PARSERS.get(frame_type)
    if parser is None:
        raise ProtocolError(UNKNOWN_TYPE, f"type {frame_type[:40]!r}")
    return parser(data, limits)


def _parse_hello(data: dict[str, Any], limits: ProtocolLimits) -> Hello:
    session_id = data.get("session_id")
    if session_id is not None and not is_valid_session_id(session_id):
        raise ProtocolError(INVALID_FRAME, "session_id must be 8-64 of [A-Za-z0-9_-]")
    token = data.get("customer_token")
    if token is not None and (not isinstance(token, str) or not 0 < len(token) <= _MAX_TOKEN_CHARS):
        # A malformed field refuses the whole hello (invalid_frame); ``invalid_token`` is
        # kept for well-formed tokens that fail verification, and is followed by ``session``.
        raise ProtocolError(INVALID_FRAME, "customer_token must be a non-empty string")
    return Hello(session_id=session_id, customer_token=token)


def _message_id(data: dict[str, Any]) -> str | None:
    message_id = data.get("message_id")
    if message_id is not None and not (
        isinstance(message_id, str) and _MESSAGE_ID_PATTERN.fullmatch(message_id)
    ):
        raise ProtocolError(INVALID_FRAME, "message_id must be 1-64 of [A-Za-z0-9_.:-]")
    return message_id


def _parse_text(data: dict[str, Any], limits: ProtocolLimits) -> TextMessage:
    message_id = _message_id(data)
    text = data.get("text")
    if not isinstance(text, str):
        raise ProtocolError(INVALID_FRAME, "'text' must be a string", message_id)
    text = text.strip()
    if not text:
        raise ProtocolError(EMPTY_TEXT, "blank text", message_id)
    if len(text) > limits.max_text_chars:
        raise ProtocolError(TEXT_TOO_LONG, f"{len(text)} chars", message_id)
    return TextMessage(text=text, message_id=message_id)


def _parse_audio(data: dict[str, Any], limits: ProtocolLimits) -> AudioMessage:
    message_id = _message_id(data)
    encoded, declared = data.get("data"), data.get("format")
    if not isinstance(encoded, str):
        raise ProtocolError(INVALID_FRAME, "'data' must be a base64 string", message_id)
    if declared is not None and declared not in SUPPORTED_CONTAINERS:
        raise ProtocolError(UNSUPPORTED_CODEC, f"format {str(declared)[:20]!r}", message_id)
    if len(encoded) > limits.max_audio_frame_bytes:
        raise ProtocolError(AUDIO_TOO_LARGE, f"{len(encoded)} base64 chars", message_id)
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):  # ValueError: non-ASCII characters
        raise ProtocolError(INVALID_FRAME, "'data' is not valid base64", message_id) from None
    return _audio_message(raw, message_id, limits)


def _audio_message(raw: bytes, message_id: str | None, limits: ProtocolLimits) -> AudioMessage:
    """Refuse what needs no decoding to refuse: too large, empty, not audio, unsupported."""
    if len(raw) > limits.max_audio_bytes:
        raise ProtocolError(AUDIO_TOO_LARGE, f"{len(raw)} bytes", message_id)
    container = sniff_container(raw)
    if container is None:
        raise ProtocolError(NOT_AUDIO, f"{len(raw)} bytes of no known audio container", message_id)
    if container in UNSUPPORTED_CONTAINERS:
        raise ProtocolError(UNSUPPORTED_CODEC, f"{container} audio", message_id)
    return AudioMessage(data=raw, container=container, message_id=message_id)


def speech_error_code(exc: Exception) -> str:
    """The error-frame code for a failed transcription: the audio's fault, or ours."""
    return exc.code if isinstance(exc, AudioError) and exc.code in SHOPPER_MESSAGES else SPEECH_UNAVAILABLE


# The extension point: frame type -> parser.
_PARSERS: Mapping[str, Callable[[dict[str, Any], ProtocolLimits], ClientFrame]] = {
    "hello": _parse_hello,
    "text": _parse_text,
    "audio": _parse_audio,
}


def _dump(frame: dict[str, Any]) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


def encode_hello(session_id: str | None = None, customer_token: str | None = None) -> str:
    """Client side: the optional first frame."""
    frame: dict[str, Any] = {"type": "hello"}
    if session_id is not None:
        frame["session_id"] = session_id
    if customer_token is not None:
        frame["customer_token"] = customer_token
    return _dump(frame)


def encode_text(text: str, message_id: str | None = None) -> str:
    """Client side: one shopper utterance."""
    frame: dict[str, Any] = {"type": "text", "text": text}
    if message_id is not None:
        frame["message_id"] = message_id
    return _dump(frame)


def encode_audio(data: bytes, container: str | None = None, message_id: str | None = None) -> str:
    """Client side: a spoken message as a JSON frame (base64); ``container`` e.g. ``webm``."""
    frame: dict[str, Any] = {"type": "audio", "data": base64.b64encode(data).decode("ascii")}
    if container is not None:
        frame["format"] = container
    if message_id is not None:
        frame["message_id"] = message_id
    return _dump(frame)


def encode_transcript(text: str, message_id: str) -> str:
    """What the server heard in the audio of ``message_id``; the widget shows it as the shopper's message."""
    return _dump({"type": "transcript", "text": text, "message_id": message_id})


def encode_session(session_id: str, authenticated: bool) -> str:
    """Tells the client which session it is in, so it can resume it after a drop."""
    return _dump({"type": "session", "session_id": session_id, "authenticated": authenticated})


def encode_received(message_id: str) -> str:
    """The turn was accepted and handed to the bot."""
    return _dump({"type": "received", "message_id": message_id})


def encode_turn_complete(message_id: str) -> str:
    """The bot has finished the turn started by ``message_id``."""
    return _dump({"type": "turn_complete", "message_id": message_id})


def encode_error(code: str, message_id: str | None = None) -> str:
    """An error frame whose message is the fixed shopper text for ``code``."""
    frame: dict[str, Any] = {
        "type": "error",
        "code": code,
        "message": SHOPPER_MESSAGES.get(code, SHOPPER_MESSAGES[INTERNAL_ERROR]),
    }
    if message_id is not None:
        frame["message_id"] = message_id
    return _dump(frame)


AGENT_FRAME_TYPES = ("takeover_started", "agent_message", "takeover_ended")

# What the shopper reads when staff step in or out (the agent's own words come as they wrote them).
_TAKEOVER_NOTICES: Mapping[str, str] = {
    "takeover_started": "You're now chatting with {agent} from our support team.",
    "takeover_ended": "You're back with the shop assistant. Ask me anything, or ask for a person again at any time.",
}


def encode_agent_event(kind: str, agent: str, event_id: int, text: str | None = None,
                       sent_at: datetime | None = None) -> str:
    """A human-takeover push: ``kind`` is one of ``AGENT_FRAME_TYPES``; ``text`` is the agent's
    reply (``agent_message``), the fixed notice otherwise; ``sent_at`` is timezone-aware."""
    if kind not in AGENT_FRAME_TYPES:
        raise InvalidInput(f"unknown agent frame type {kind!r}")
    if kind == "agent_message" and not text:
        raise InvalidInput("an agent_message needs its text")
    frame: dict[str, Any] = {"type": kind, "agent": agent,
                             "text": text if kind == "agent_message" else _TAKEOVER_NOTICES[kind].format(agent=agent),
                             "id": event_id}
    if kind == "agent_message" and sent_at is not None:
        frame["sent_at"] = sent_at.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    return _dump(frame)


def encode_bot(frame: Mapping[str, Any]) -> str:
    """Encode a bot frame built by ``bot_frame_from_rasa_message``."""
    return _dump(dict(frame))


def bot_frame_from_rasa_message(message: Mapping[str, Any]) -> dict[str, Any] | None:
    """Map one Rasa bot message dict (``BotUttered.message()``) to a ``bot`` frame.

    Rasa sends text, buttons (or quick_replies), custom, image and attachment in one
    dict; the shopper gets them together in one frame. Rasa bookkeeping keys
    (timestamp, recipient_id, utter_action, ...) are dropped.

    Returns:
        The frame, or None when the message has nothing a shopper could see.
    """
    frame: dict[str, Any] = {"type": "bot"}
    text = message.get("text")
    if isinstance(text, str) and text:
        frame["text"] = text
    buttons = [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
        for b in (message.get("buttons") or message.get("quick_replies") or [])
        if isinstance(b, Mapping)
    ]
    if buttons:
        frame["buttons"] = buttons
    custom = message.get("custom")
    if isinstance(custom, Mapping) and custom:
        frame["custom"] = dict(custom)
    for key in ("image", "attachment"):
        value = message.get(key)
        if isinstance(value, (str, Mapping)) and value:
            frame[key] = value if isinstance(value, str) else dict(value)
    return frame if len(frame) > 1 else None


def decode_server_frame(raw: str | bytes) -> dict[str, Any]:
    """Client side: parse a server frame; a non-object is a broken server, not a shopper's fault.

    Raises:
        ProtocolError: ``malformed_json`` / ``invalid_frame`` when the server misbehaves.
    """
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise ProtocolError(MALFORMED_JSON, "server sent malformed JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise ProtocolError(INVALID_FRAME, "server frame is not a typed object")
    return data
