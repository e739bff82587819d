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


class InvalidToken(EcomaiError):
    code = "invalid_token"


class StoreUnavailable(EcomaiError):
    """The database could not be reached; callers may retry."""

    code = "store_unavailable"
