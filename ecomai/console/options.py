"""The staff console's options, checked once before the server starts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ecomai.config import REPO_ROOT
from ecomai.errors import InvalidInput


@dataclass(frozen=True)
class ConsoleOptions:
    """How the console runs and how strict its logins are.

    Attributes:
        host, port: where it listens (loopback by default: put TLS in front to expose it).
        idle_timeout_s: a session unused this long is over.
        absolute_timeout_s: a session this old is over however busy (a stolen cookie
            does not live forever).
        max_login_failures, login_window_s: that many failed logins within the window,
            for one username or from one client address, refuse further tries until the
            oldest failure leaves the window.
        secure_cookie: send the session cookie only over HTTPS (turn on behind TLS).
        low_confidence: "low confidence" filter threshold (the NLU fallback's, 0.5).
        poll_interval_s: how often a live transcript asks for new messages.
        domain_file: the Rasa domain whose intents staff choose from when correcting.
    """

    host: str = "127.0.0.1"
    port: int = 8080
    idle_timeout_s: int = 30 * 60
    absolute_timeout_s: int = 12 * 3600
    max_login_failures: int = 5
    login_window_s: int = 5 * 60
    secure_cookie: bool = False
    low_confidence: float = 0.5
    poll_interval_s: float = 2.0
    domain_file: Path = REPO_ROOT / "bot" / "domain.yml"

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise InvalidInput(f"port must be 0..65535, got {self.port}")
        if not 0 < self.idle_timeout_s <= self.absolute_timeout_s:
            raise InvalidInput("need 0 < idle_timeout_s <= absolute_timeout_s")
        if self.max_login_failures < 1 or self.login_window_s < 1:
            raise InvalidInput("max_login_failures and login_window_s must be >= 1")
        if not 0.0 < self.low_confidence < 1.0:
            raise InvalidInput("low_confidence must be in (0, 1)")
        if self.poll_interval_s <= 0:
            raise InvalidInput("poll_interval_s must be > 0")
