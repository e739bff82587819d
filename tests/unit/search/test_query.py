from __future__ import annotations

import pytest

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
