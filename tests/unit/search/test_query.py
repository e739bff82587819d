from __future__ import annotations

import json

import pytest

from ecomai.errors import InvalidInput
from ecomai.search.query import MAX_QUERY_CHARS, ProductQuery, Vocabulary, parse_product_query

VOCAB = Vocabulary.from_catalog(["shoes", "t-shirts", "jeans", "dresses"], ["black", "blue", "red"], ["Nordlys", "Kova"])


def test_filters_come_from_words() -> None:
    query = parse_product_query("show me black Nordlys jeans under $60", VOCAB)
    assert (query.category, query.color, query.brand) == ("jeans", "black", "Nordlys")
    assert query.price_max == 60 and query.price_min is None


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("dress under 50 dollars", None, 50),
        ("dress less than $49.99", None, 49.99),
        ("shoes over 100", 100, None),
        ("jeans between 30 and 80", 30, 80),
        ("jeans between 80 and 30 euros", 30, 80),
        ("a red dress", None, None),
    ],
)
def test_price_limits(text: str, low: float | None, high: float | None) -> None:
    query = parse_product_query(text, VOCAB)
    assert (query.price_min, query.price_max) == (low, high)


def test_singular_and_spelling_variants_of_categories() -> None:
    assert parse_product_query("a dress for a wedding", VOCAB).category == "dresses"
    assert parse_product_query("white t shirt", VOCAB).category == "t-shirts"
    assert parse_product_query("cheap tshirt", VOCAB).category == "t-shirts"


def test_entities_are_hints_merged_with_text() -> None:
    query = parse_product_query("something nice", VOCAB, {"color": "Red", "price": "70", "brand": "unknown"})
    assert query.color == "red" and query.price_max == 70 and query.brand is None


def test_price_words_leave_the_free_text() -> None:
    assert "60" not in parse_product_query("jeans under 60", VOCAB).text


def test_hostile_input_is_just_data() -> None:
    query = parse_product_query("'; DROP TABLE products; -- \" OR 1=1 NEAR(a b) *", VOCAB)
    assert isinstance(query, ProductQuery)
    assert len(parse_product_query("x" * 10_000, VOCAB).text) <= MAX_QUERY_CHARS


SIZED = Vocabulary.from_catalog(["shoes", "jackets", "bedding"], ["blue", "black"], ["Ironbark"],
                                sizes=["M", "XL", "42", "King"], texts=["Rain Jacket with a hood", "sneakers"],
                                product_types={"sneakers": "shoes", "parka": "jackets"})


@pytest.mark.parametrize(("text", "size"), [
    ("jacket size M", "M"), ("jackets in size xl", "XL"), ("xl jacket", "XL"), ("king size duvet", "King"),
    ("shoes size: 42", "42"), ("a jacket", None), ("size 99 shoes", None), ("m jacket", None),
])
def test_sizes(text: str, size: str | None) -> None:
    assert parse_product_query(text, SIZED).size == size


def test_size_words_leave_the_free_text() -> None:
    assert parse_product_query("rain jacket size M", SIZED).text == "rain jacket"


@pytest.mark.parametrize(("text", "expected"), [
    ("bleu jaket", ("jackets", "blue", "blue jacket")), ("ironbrak sneekers", ("shoes", None, "ironbark sneakers")),
    ("a parka", ("jackets", None, "parka")), ("rian jacket", ("jackets", None, "rain jacket")),
])
def test_typos_are_corrected_against_the_catalog(text: str, expected: tuple) -> None:  # type: ignore[type-arg]
    query = parse_product_query(text, SIZED)
    assert (query.category, query.color, query.text) == expected


def test_short_and_request_words_are_not_corrected() -> None:
    assert SIZED.correct("show") == "show" and SIZED.correct("hod") == "hod" and SIZED.correct("1234") == "1234"


def test_request_words_leave_the_ranked_text() -> None:
    assert parse_product_query("could you show me something with a hood please", SIZED).text == "hood"


def test_slot_round_trip_is_json_safe() -> None:
    query = parse_product_query("blue ironbark jacket size M between 20 and 80", SIZED)
    slot = json.loads(json.dumps(query.to_slot()))
    assert ProductQuery.from_slot(slot) == query


@pytest.mark.parametrize("slot", [
    None, [], "text", {}, {"v": 2, "text": "x"}, {"v": 1}, {"v": 1, "text": 3}, {"v": 1, "text": "x" * 501},
    {"v": 1, "text": "x", "evil": 1}, {"v": 1, "text": "x", "price_max": "50"}, {"v": 1, "text": "x", "price_max": -1},
    {"v": 1, "text": "x", "price_max": float("nan")}, {"v": 1, "text": "x", "price_min": True},
    {"v": 1, "text": "x", "price_min": 90, "price_max": 10}, {"v": 1, "text": "x", "color": ["blue"]},
    {"v": 1, "text": "x", "brand": ""}, {"v": 1, "text": "x", "in_stock_only": "yes"},
])
def test_tampered_slots_are_refused_clearly(slot: object) -> None:
    with pytest.raises(InvalidInput):
        ProductQuery.from_slot(slot)


def test_without_refuses_a_non_filter() -> None:
    with pytest.raises(InvalidInput):
        ProductQuery(text="x").without("text")
