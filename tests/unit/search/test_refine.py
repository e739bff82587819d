from __future__ import annotations

import pytest

from ecomai.search.query import ProductQuery, Vocabulary, parse_product_query
from ecomai.search.refine import refine_query

VOCAB = Vocabulary.from_catalog(["jeans", "jackets", "dresses"], ["blue", "black", "red"], ["Ironbark", "Kova"],
                                sizes=["M", "L", "32"], texts=["slim jeans with a faded wash", "rain jacket hood"])
JEANS = parse_product_query("black slim jeans", VOCAB)
SHOWN = (40.0, 60.0, 80.0, 100.0, 120.0)


def refine(text: str, previous: ProductQuery = JEANS, shown: tuple[float, ...] = SHOWN) -> ProductQuery:
    return refine_query(previous, text, VOCAB, shown)


def test_cheaper_means_below_the_median_shown_price() -> None:
    query = refine("cheaper please")
    assert query.price_max == 79.99 and query.price_min is None
    assert (query.category, query.color, query.text) == ("jeans", "black", JEANS.text)


def test_cheaper_without_shown_prices_lowers_the_old_limit() -> None:
    previous = parse_product_query("jeans under 100", VOCAB)
    assert refine("something cheaper", previous, shown=()).price_max == 80.0
    assert refine("cheaper", JEANS, shown=()) == JEANS  # nothing to go below: unchanged


@pytest.mark.parametrize("text", ["more expensive", "better ones", "show me premium ones"])
def test_pricier_means_above_the_median_shown_price(text: str) -> None:
    query = refine(text)
    assert query.price_min == 80.01 and query.price_max is None


def test_colour_changes_and_the_old_colour_word_leaves_the_text() -> None:
    query = refine("in blue")
    assert query.color == "blue" and "black" not in query.text.split() and query.category == "jeans"


def test_any_colour_drops_the_filter_and_its_word() -> None:
    query = refine("any colour")
    assert query.color is None and query.text == "slim jeans"


def test_any_price_drops_both_limits() -> None:
    query = refine("any price", parse_product_query("jeans between 20 and 50", VOCAB))
    assert (query.price_min, query.price_max) == (None, None)


def test_size_brand_and_price_follow_ups() -> None:
    assert refine("size 32").size == "32"
    assert refine("from Ironbark").brand == "Ironbark"
    query = refine("under 50")
    assert query.price_max == 50 and query.color == "black"


def test_a_new_limit_that_contradicts_the_old_one_replaces_it() -> None:
    previous = parse_product_query("jeans over 100", VOCAB)
    query = refine("under 50", previous)
    assert (query.price_min, query.price_max) == (None, 50)


def test_stock_follow_ups() -> None:
    sold_out_too = refine("include sold out")
    assert sold_out_too.in_stock_only is False
    assert refine("only in stock", sold_out_too).in_stock_only is True


def test_a_new_category_starts_a_new_search() -> None:
    previous = parse_product_query("black Ironbark jeans size 32", VOCAB)
    query = refine("what about jackets", previous)
    assert (query.category, query.brand, query.size, query.color) == ("jackets", None, None, None)


def test_extra_words_are_added_to_the_ranked_text() -> None:
    assert refine("with a faded wash").text == "black slim jeans faded wash"


@pytest.mark.parametrize("text", ["show more", "more", "next", "", "🔥" * 3000, "\x00\x1b\u202e"])
def test_paging_words_and_junk_leave_the_query_unchanged(text: str) -> None:
    assert refine(text) == JEANS


def test_sql_in_a_follow_up_is_just_words() -> None:
    query = refine("'; DROP TABLE x; --")
    assert query.text == "black slim jeans drop table x" and query.category == "jeans"
