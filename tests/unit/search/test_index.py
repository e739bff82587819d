from __future__ import annotations

import pytest

from ecomai.search.index import BM25ProductIndex
from ecomai.search.query import ProductQuery, parse_product_query


def skus(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.sku for p in result.products]


def test_words_rank_the_matching_product_first(index: BM25ProductIndex) -> None:
    result = index.search(parse_product_query("electric kettle", index.vocabulary))
    assert skus(result)[0] == "SKU-00007" and result.relaxed == ()


def test_filters_are_applied(index: BM25ProductIndex) -> None:
    result = index.search(parse_product_query("black jeans under 60", index.vocabulary))
    assert skus(result) == ["SKU-00003"]


def test_out_of_stock_products_are_not_offered(index: BM25ProductIndex) -> None:
    result = index.search(parse_product_query("black leather bag", index.vocabulary))
    assert "SKU-00006" not in skus(result)


def test_no_match_relaxes_the_least_important_filter_and_says_so(index: BM25ProductIndex) -> None:
    result = index.search(parse_product_query("red jeans", index.vocabulary))
    assert result.relaxed == ("color",)
    assert set(skus(result)) == {"SKU-00003", "SKU-00004"}


def test_filter_only_query_ranks_by_rating(index: BM25ProductIndex) -> None:
    result = index.search(ProductQuery(text="", category="jeans"), k=2)
    assert skus(result) == ["SKU-00004", "SKU-00003"]


def test_k_limits_results(index: BM25ProductIndex) -> None:
    assert len(index.search(ProductQuery(text="nordlys kova trailrunner"), k=2).products) == 2


@pytest.mark.parametrize("text", ["'; DROP TABLE products; --", 'NEAR("a" b) OR * AND', "é" * 10_000, ""])
def test_hostile_queries_return_results_not_errors(index: BM25ProductIndex, text: str) -> None:
    result = index.search(parse_product_query(text, index.vocabulary))
    assert isinstance(result.products, tuple)


def test_empty_catalog_is_refused() -> None:
    with pytest.raises(ValueError):
        BM25ProductIndex([])


def test_words_the_catalog_never_saw_find_nothing(index: BM25ProductIndex) -> None:
    result = index.search(parse_product_query("xyzzy plugh", index.vocabulary))
    assert result.products == () and result.relaxed == ()
