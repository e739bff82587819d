from __future__ import annotations

from pathlib import Path

import pytest

from ecomai.config import Settings
from ecomai.errors import InvalidInput


def test_environment_overrides_defaults(tmp_path: Path) -> None:
    settings = Settings.from_env({
        "DATABASE_URL": "postgresql://u:p@db/shop", "ECOMAI_TOKEN_SECRET": "s3cret",
        "ECOMAI_MAX_TEXT_CHARS": "500", "ECOMAI_VAR_DIR": str(tmp_path),
    })
    assert settings.database_url == "postgresql://u:p@db/shop"
    assert settings.max_text_chars == 500 and settings.token_secret == "s3cret"
    assert Settings.from_env({"DATABASE_URL": "a", "ECOMAI_DATABASE_URL": "b", "ECOMAI_TOKEN_SECRET": "x"}
                             ).database_url == "b"


def test_secret_is_masked_when_printed() -> None:
    settings = Settings(token_secret="s3cret")
    assert "s3cret" not in repr(settings) and "***" in repr(settings)


def test_local_secret_is_created_once_and_private(tmp_path: Path) -> None:
    first = Settings.from_env({"ECOMAI_VAR_DIR": str(tmp_path)})
    second = Settings.from_env({"ECOMAI_VAR_DIR": str(tmp_path)})
    assert first.token_secret and first.token_secret == second.token_secret
    assert (tmp_path / "token_secret").stat().st_mode & 0o077 == 0
    assert first.database_url == f"sqlite:///{tmp_path / 'ecomai.db'}"


def test_bad_numbers_are_refused_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="ECOMAI_MAX_FRAME_BYTES"):
        Settings.from_env({"ECOMAI_MAX_FRAME_BYTES": "lots", "ECOMAI_VAR_DIR": str(tmp_path)})
    with pytest.raises(InvalidInput):
        Settings(max_text_chars=0)


def test_speech_settings_from_the_environment(tmp_path: Path) -> None:
    settings = Settings.from_env({"ECOMAI_VAR_DIR": str(tmp_path), "ECOMAI_WHISPER_MODEL": "/models/small.pt",
                                  "ECOMAI_MAX_AUDIO_BYTES": "500000", "ECOMAI_MAX_AUDIO_SECONDS": "15"})
    assert settings.whisper_model == Path("/models/small.pt") and settings.whisper_cache_dir == tmp_path / "whisper"
    assert (settings.max_audio_bytes, settings.max_audio_seconds) == (500_000, 15)
    default = Settings.from_env({"ECOMAI_VAR_DIR": str(tmp_path)})
    assert (default.whisper_model, default.max_audio_bytes, default.max_audio_seconds) == (None, 2_000_000, 30)
    with pytest.raises(InvalidInput, match="max_audio_seconds"):
        Settings(max_audio_seconds=31)  # Whisper hears one 30 s window


def test_takeover_poll_interval_from_the_environment(tmp_path: Path) -> None:
    settings = Settings.from_env({"ECOMAI_VAR_DIR": str(tmp_path), "ECOMAI_TAKEOVER_POLL_MS": "200"})
    assert settings.takeover_poll_ms == 200
    assert Settings.from_env({"ECOMAI_VAR_DIR": str(tmp_path)}).takeover_poll_ms == 500
    with pytest.raises(InvalidInput, match="takeover_poll_ms"):
        Settings(takeover_poll_ms=0)
