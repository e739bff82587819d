"""Which domain responses the custom actions ask for, read from actions/*.py with ``ast``.

Rasa's validator only sees responses used in stories and rules; these are the ones it
cannot see. An f-string name (``f"utter_return_not_allowed_{reason}"``) counts as a prefix.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from ecomai.config import REPO_ROOT

ACTIONS_DIR = REPO_ROOT / "actions"


@dataclass(frozen=True)
class ResponseUse:
    """One ``utter_message(response=...)`` call: the name (or f-string prefix) and the
    keyword arguments it fills the response's ``{placeholders}`` with."""

    name: str
    is_prefix: bool
    keywords: frozenset[str]
    where: str


def response_uses(directory: Path = ACTIONS_DIR) -> list[ResponseUse]:
    uses = []
    for path in sorted(directory.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "utter_message"):
                continue
            keywords = {k.arg: k.value for k in node.keywords if k.arg}
            value = keywords.pop("response", None)
            if value is None:
                continue
            where = f"{path.name}:{node.lineno}"
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                uses.append(ResponseUse(value.value, False, frozenset(keywords), where))
            elif isinstance(value, ast.JoinedStr) and isinstance(value.values[0], ast.Constant):
                uses.append(ResponseUse(str(value.values[0].value), True, frozenset(keywords), where))
            else:
                raise AssertionError(f"{where}: response name this test cannot read: {ast.dump(value)}")
    return uses


def used_by_actions(response: str, domain: dict) -> bool:
    """Whether ``response`` is asked for from actions/ or by a form for one of its slots."""
    for use in response_uses():
        if response == use.name or (use.is_prefix and response.startswith(use.name)):
            return True
    form_slots = {slot for form in domain.get("forms", {}).values() for slot in form.get("required_slots", [])}
    return response in {f"utter_ask_{slot}" for slot in form_slots}
