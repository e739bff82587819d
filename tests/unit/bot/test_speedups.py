"""The cached response validator accepts and rejects exactly what Rasa's own does."""

from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

import bot  # noqa: F401 - installs the speed-up
from bot.speedups import _validate_action_result

VALID = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "x", "value": 1}], "responses": [{"text": "hi"}]},
]
INVALID = [
    {"events": "not a list", "responses": []},
    {"events": [{"no_event_key": 1}], "responses": []},
]


def test_rasa_uses_the_cached_validator() -> None:
    assert RemoteAction._validate_action_result is _validate_action_result


@pytest.mark.parametrize("result", VALID)
def test_accepts_what_rasa_accepts(result: dict) -> None:
    jsonschema.validate(result, RemoteAction.action_response_format_spec())
    assert _validate_action_result(None, result) is True  # type: ignore[arg-type]


@pytest.mark.parametrize("result", INVALID)
def test_rejects_what_rasa_rejects_with_the_same_error(result: dict) -> None:
    with pytest.raises(jsonschema.ValidationError) as theirs:
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError) as ours:
        _validate_action_result(None, result)  # type: ignore[arg-type]
    assert ours.value.message.startswith(theirs.value.message)
    assert "Failed to validate Action server response" in ours.value.message
