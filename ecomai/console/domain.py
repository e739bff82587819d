"""The intents staff may choose when correcting a message: the Rasa domain's own list,
read from bot/domain.yml with plain YAML (ecomai imports no Rasa)."""

from __future__ import annotations

from pathlib import Path

import yaml

from ecomai.errors import InvalidInput

OUT_OF_SCOPE_INTENT = "out_of_scope"
"""Where messages marked out of scope go in the NLU export (bot/domain.yml has it)."""


def domain_intents(domain_file: Path) -> tuple[str, ...]:
    """The domain's intent names in file order (an intent may be a one-key mapping
    with options, as Rasa allows)."""
    try:
        domain = yaml.safe_load(domain_file.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InvalidInput(f"cannot read the domain {domain_file}: {exc}") from exc
    names = [next(iter(item)) if isinstance(item, dict) else str(item) for item in domain.get("intents") or ()]
    if not names:
        raise InvalidInput(f"{domain_file} lists no intents")
    return tuple(names)
