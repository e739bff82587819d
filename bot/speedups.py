"""A measured fix for one hot spot in Rasa 3.6, installed when bot/ is imported.

Rasa checks every action-server response with ``jsonschema.validate``, which first
re-validates the (constant) response schema against the JSON-Schema metaschema on every
call. Under `ecomai bench load` that was 35% of the Rasa process's CPU (py-spy). We
validate against the very same schema with a validator built once, and raise the same
error, so behaviour is unchanged and only the repeated metaschema check is gone.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Text

from jsonschema import exceptions, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def _response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    error = exceptions.best_match(_response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from the "
        f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    """Idempotent; called from ``bot/__init__.py``."""
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]


__all__ = ["install"]
