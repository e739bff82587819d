from datetime import datetime

import pytest
import yaml

from ecomai.config import REPO_ROOT
from ecomai.console.domain import domain_intents
from ecomai.console.export import nlu_yaml
from ecomai.errors import InvalidInput
from ecomai.store.reviews import Correction

INTENTS = domain_intents(REPO_ROOT / "bot" / "domain.yml")


def correction(text: str, intent: str | None, n: int = 1) -> Correction:
    return Correction(n, text, intent, intent is None, "sam", datetime(2024, 6, 1, 12, n))


def test_domain_intents_include_out_of_scope() -> None:
    assert "out_of_scope" in INTENTS and "order_status" in INTENTS


def test_nlu_yaml_groups_dedupes_and_masks() -> None:
    text = nlu_yaml([
        correction("where is my parcel? mail bob@example.com", "order_status", 1),
        correction("what's the weather", None, 2),
        correction("where is my parcel? mail bob@example.com", "order_status", 3),
        correction("blorp", "greet", 4),
        correction("blorp", "order_status", 5),  # the later verdict wins
        correction("see [this](link)\nplease", "ask_shipping", 6),
    ], INTENTS)
    data = yaml.safe_load(text)
    assert data["version"] == "3.1"
    examples = {block["intent"]: block["examples"].splitlines() for block in data["nlu"]}
    assert examples == {
        "order_status": ["- where is my parcel? mail name@example.com", "- blorp"],
        "ask_shipping": ["- see (this)(link) please"],  # no accidental entity annotation, one line
        "out_of_scope": ["- what's the weather"],
    }


def test_unknown_intent_is_refused() -> None:
    with pytest.raises(InvalidInput, match="not in the domain"):
        nlu_yaml([correction("hi", "made_up")], INTENTS)


def test_out_of_scope_needs_the_intent_in_the_domain() -> None:
    with pytest.raises(InvalidInput):
        nlu_yaml([correction("weather?", None)], ("greet",))


def test_no_corrections_is_still_valid_yaml() -> None:
    assert yaml.safe_load(nlu_yaml([], INTENTS)) == {"version": "3.1", "nlu": []}


@pytest.mark.slow
def test_rasa_reads_the_export() -> None:
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    text = nlu_yaml([correction("where is my parcel", "order_status", 1), correction("weather?", None, 2),
                     correction("call me on +44 20 7946 0958", "request_human", 3)], INTENTS)
    data = RasaYAMLReader().reads(text)
    assert sorted(m.get("intent") for m in data.training_examples) == ["order_status", "out_of_scope",
                                                                        "request_human"]
    assert not data.entity_examples
