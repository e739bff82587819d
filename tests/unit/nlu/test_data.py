from __future__ import annotations

from pathlib import Path

import pytest

from ecomai.errors import InvalidInput
from ecomai.nlu.data import (read_intent_csv, read_rasa_intents, read_sentiment_csv, read_sentiment_data,
                             strip_annotations)

NLU_YML = '''version: "3.1"
nlu:
- intent: search_product
  examples: |
    - show me [red](color) [sneakers](product_type)
    - any [blue]{"entity": "color", "value": "navy"} jackets?
    - [tees](product_type:t-shirt) under 20
    - plain text with (brackets) and [square] ones
- intent: order_status
  examples:
  - text: where is [EC100001](order_number)
    metadata: {sentiment: neutral}
- regex: order_number
  examples: |
    - EC\\d{6}
- lookup: color
  examples: |
    - red
- synonym: t-shirt
  examples: |
    - tee
'''


@pytest.mark.parametrize(("raw", "plain"), [
    ("show me [red](color) shoes", "show me red shoes"),
    ('[blue]{"entity": "color", "value": "navy"} jacket', "blue jacket"),
    ("[tees](product_type:t-shirt)", "tees"),
    ('[Berlin][{"entity": "city"}, {"entity": "location"}]', "Berlin"),
    ("no annotation [here] (at all)", "no annotation [here] (at all)"),
])
def test_annotations_become_plain_text(raw: str, plain: str) -> None:
    assert strip_annotations(raw) == plain


def test_rasa_yaml_gives_intent_examples_only(tmp_path: Path) -> None:
    path = tmp_path / "nlu.yml"
    path.write_text(NLU_YML)
    assert read_rasa_intents(path) == [
        ("show me red sneakers", "search_product"),
        ("any blue jackets?", "search_product"),
        ("tees under 20", "search_product"),
        ("plain text with (brackets) and [square] ones", "search_product"),
        ("where is EC100001", "order_status"),
    ]


def test_project_nlu_file_parses() -> None:
    examples = read_rasa_intents(Path(__file__).resolve().parents[3] / "data" / "nlu.yml")
    assert len({intent for _, intent in examples}) >= 10
    assert not any("](" in text for text, _ in examples)


@pytest.mark.parametrize("label_column", ["category", "label"])
def test_intent_csv_accepts_both_headers(tmp_path: Path, label_column: str) -> None:
    path = tmp_path / "train.csv"
    path.write_text(f'text,{label_column}\n"Where is my card, please?",card_arrival\nhi,greet\n')
    assert read_intent_csv(path) == [("Where is my card, please?", "card_arrival"), ("hi", "greet")]


def test_intent_csv_without_label_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("sentence,intent\nhi,greet\n")
    with pytest.raises(InvalidInput, match="header"):
        read_intent_csv(path)


def test_sentiment_csv_checks_labels(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("text,label,intensity\nawful,negative,0.9\nok,neutral,0.1\n")
    assert read_sentiment_csv(good) == [("awful", "negative"), ("ok", "neutral")]
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label,intensity\nmeh,angry,0.5\n")
    with pytest.raises(InvalidInput, match="angry"):
        read_sentiment_csv(bad)


def test_sentiment_directory_reads_every_csv_in_name_order(tmp_path: Path) -> None:
    (tmp_path / "b_products.csv").write_text("text,label,intensity\nbattery lasts six hours,neutral,1\n")
    (tmp_path / "a_messages.csv").write_text("text,label,intensity\nawful,negative,2\n")
    (tmp_path / "README.md").write_text("not data")
    assert read_sentiment_data(tmp_path) == [("awful", "negative"), ("battery lasts six hours", "neutral")]
    assert read_sentiment_data(tmp_path / "a_messages.csv") == [("awful", "negative")]


def test_sentiment_directory_validates_each_file_and_needs_one(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no \\*.csv"):
        read_sentiment_data(tmp_path)
    (tmp_path / "good.csv").write_text("text,label,intensity\nfine,neutral,1\n")
    (tmp_path / "wrong.csv").write_text("text,label,intensity\nmeh,angry,1\n")
    with pytest.raises(InvalidInput, match="wrong.csv.*angry"):
        read_sentiment_data(tmp_path)
