"""One exception root for ecomai, so the edges (Rasa actions, the websocket channel,
the console) can turn any of our failures into a shopper-safe reply in one place."""


class EcomaiError(Exception):
    """Root of every error ecomai raises on purpose.

    ``code`` is a stable machine-readable name (used in error frames and logs);
    the exception text is for logs only and never reaches a shopper.
    """

    code = "internal_error"


class InvalidInput(EcomaiError):
    code = "invalid_input"


class NotFound(EcomaiError):
    code = "not_found"


class OrderNotFound(NotFound):
    """Raised both for unknown orders and for orders the caller may not see, so
    that guessing order numbers reveals nothing."""

    code = "order_not_found"


class ItemNotInOrder(NotFound):
    code = "item_not_in_order"


class NotAllowed(EcomaiError):
    code = "not_allowed"


class CancelNotAllowed(NotAllowed):
    code = "cancel_not_allowed"


class ReturnNotAllowed(NotAllowed):
    """``reason`` says why: 'not_delivered', 'window_closed', 'already_returned', 'cancelled'."""

    code = "return_not_allowed"

    def __init__(self, reason: str, message: str = "") -> None:
        super().__init__(message or reason)
        self.reason = reason


class ConversationNotFound(NotFound):
    """No conversation with that session id has been logged."""

    code = "conversation_not_found"


class TakeoverConflict(NotAllowed):
    """Another staff member already holds the conversation (take over only after they hand back)."""

    code = "takeover_conflict"


class TakeoverNotHeld(NotAllowed):
    """The staff member does not hold the conversation, so may not reply in it or hand it back."""

    code = "takeover_not_held"


class InvalidToken(EcomaiError):
    code = "invalid_token"


class AuthenticationFailed(EcomaiError):
    """Wrong staff username or password (one error for both, so names cannot be probed)."""

    code = "authentication_failed"


class TooManyAttempts(NotAllowed):
    """Too many failed staff logins from this client or for this name; wait and retry."""

    code = "too_many_attempts"


class StoreUnavailable(EcomaiError):
    """The database could not be reached; callers may retry."""

    code = "store_unavailable"


class ModelFileError(EcomaiError):
    """A model directory is missing, is not the kind of model expected, or its files do
    not match the checksums written when it was saved (corrupted or half-copied)."""

    code = "model_file_error"


class AudioError(InvalidInput):
    """A spoken message that cannot be transcribed; ``code`` says why (an error-frame code)."""

    code = "invalid_audio"


class NotAudio(AudioError):
    """The bytes are no audio container we recognise, or it holds no audio stream."""

    code = "not_audio"


class UnsupportedCodec(AudioError):
    """Audio in a container or codec that browsers do not record and we do not decode."""

    code = "unsupported_codec"


class AudioTooLarge(AudioError):
    code = "audio_too_large"


class AudioTooLong(AudioError):
    code = "audio_too_long"


class NoSpeech(AudioError):
    """Empty or silent audio, or audio in which Whisper heard no words."""

    code = "no_speech"


class DemoDisabled(NotAllowed):
    """A demo-only feature (the demo shop page, its demo sign-in) was asked for outside demo mode."""

    code = "demo_disabled"
