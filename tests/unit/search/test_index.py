"""The shared contract: every test here runs against every ProductIndex (see conftest)."""

from __future__ import annotations

import pytest

from ecomai.errors import InvalidInput
from ecomai.search import lexical
from ecomai.search.index import BM25ProductIndex, SearchResult
from ecomai.search.query import ProductQuery, parse_product_query
from tests.unit.search.conftest import product


def skus(result: SearchResult) -> list[str]:
    return [p.sku for p in result.products]


def search(index: BM25ProductIndex, text: str, k: int = 5, offset: int = 0) -> SearchResult:
    return index.search(parse_product_query(text, index.vocabulary), k, offset)


def test_words_rank_the_matching_product_first(index: BM25ProductIndex) -> None:
    result = search(index, "electric kettle")
    assert skus(result)[0] == "SKU-00007" and result.relaxed == ()


def test_filters_are_applied(index: BM25ProductIndex) -> None:
    result = search(index, "black jeans under 60")
    assert skus(result) == ["SKU-00003"] and result.total == 1


def test_size_filter(index: BM25ProductIndex) -> None:
    assert skus(search(index, "shoes in size 43")) == ["SKU-00002"]


def test_typo_in_a_filter_word_still_filters(index: BM25ProductIndex) -> None:
    result = search(index, "bleu jeans")
    assert skus(result) == ["SKU-00004"] and result.query is not None and result.query.color == "blue"


def test_out_of_stock_products_are_not_offered(index: BM25ProductIndex) -> None:
    assert "SKU-00006" not in skus(search(index, "black leather bag"))


def test_no_match_relaxes_the_least_important_filter_and_says_so(index: BM25ProductIndex) -> None:
    result = search(index, "red jeans")
    assert result.relaxed == ("color",)
    assert set(skus(result)) == {"SKU-00003", "SKU-00004"}
    assert result.query is not None and result.query.color is None and result.query.category == "jeans"


def test_filter_only_query_ranks_by_rating(index: BM25ProductIndex) -> None:
    result = index.search(ProductQuery(text="", category="jeans"), k=2)
    assert skus(result) == ["SKU-00004", "SKU-00003"] and result.total == 2


def test_pages_with_offset_and_total(index: BM25ProductIndex) -> None:
    everything = index.search(ProductQuery(text=""), k=10)
    first, second = (index.search(ProductQuery(text=""), k=3, offset=o) for o in (0, 3))
    assert everything.total == 7  # eight products, one sold out
    assert skus(first) + skus(second) == skus(everything)[:6]
    assert index.search(ProductQuery(text=""), k=3, offset=50).products == ()


def test_result_query_is_the_effective_query(index: BM25ProductIndex) -> None:
    query = parse_product_query("nordlys jeans under 100", index.vocabulary)
    assert index.search(query).query == query


@pytest.mark.parametrize(("k", "offset"), [(0, 0), (101, 0), (5, -1), (5, 10_001)])
def test_bad_paging_is_refused(index: BM25ProductIndex, k: int, offset: int) -> None:
    with pytest.raises(InvalidInput):
        index.search(ProductQuery(text="jeans"), k, offset)


def test_upsert_adds_and_replaces_without_rebuild(index: BM25ProductIndex) -> None:
    index.upsert([product("SKU-00100", "Velora Green Wool Scarf", "scarves", "Velora", "green", 25.0)])
    assert skus(search(index, "wool scarf"))[0] == "SKU-00100"
    assert index.vocabulary.categories["scarves"] == "scarves" and index.vocabulary.brands["velora"] == "Velora"
    index.upsert([product("SKU-00007", "Ashby Steel Electric Kettle", "kitchen", "Ashby", "grey", 19.0)])
    result = search(index, "kettle under 20")
    assert skus(result) == ["SKU-00007"] and result.products[0].price == 19.0
    assert [p.price for p in search(index, "electric kettle").products if p.sku == "SKU-00007"] == [19.0]


def test_upsert_of_a_sold_out_product_hides_it(index: BM25ProductIndex) -> None:
    index.upsert([product("SKU-00007", "Ashby Steel Electric Kettle", "kitchen", "Ashby", "grey", 35.0, stock=0)])
    assert "SKU-00007" not in skus(search(index, "electric kettle"))


def test_remove_stops_offering_a_product(index: BM25ProductIndex) -> None:
    index.remove(["SKU-00007", "SKU-99999"])  # an unknown SKU is ignored
    assert "SKU-00007" not in skus(search(index, "electric kettle"))
    assert len(index) == 7


def test_many_upserts_merge_the_lexical_segments(index: BM25ProductIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lexical, "MIN_MERGE_DOCS", 4)
    index.remove(["SKU-00001"])
    for i in range(200, 212):  # one at a time, as a shop's product feed sends them
        index.upsert([product(f"SKU-{i:05d}", f"Model{i} Teal Lamp", "lamps", "Lumo", "teal", 10.0 + i)])
    assert search(index, "model211 lamp").products[0].sku == "SKU-00211"
    assert search(index, "electric kettle").products[0].sku == "SKU-00007"
    assert "SKU-00001" not in skus(search(index, "running shoes"))


@pytest.mark.parametrize("text", [
    "'; DROP TABLE products; --", 'NEAR("a" b) OR * AND title:x^3 ~2', "é" * 10_000, "x" * 10_000, "",
    "\x00\x1b[31m\u202e\ufeff", "🔥👟🔥 shoes 💯", "%s %d {0} ${jndi:ldap://x}", "<script>alert(1)</script>",
    "under -5 over 1e309 between 9999999999 and 0", "\\\\ // \"\" '' `` ()[]{}",
])
def test_hostile_queries_return_results_not_errors(index: BM25ProductIndex, text: str) -> None:
    result = search(index, text)
    assert isinstance(result.products, tuple) and result.total >= len(result.products)


def test_emoji_around_words_still_finds_them(index: BM25ProductIndex) -> None:
    assert skus(search(index, "🔥 electric kettle 🔥"))[0] == "SKU-00007"


def test_empty_catalog_is_refused() -> None:
    with pytest.raises(InvalidInput):
        BM25ProductIndex([])


def test_words_the_catalog_never_saw_find_nothing(index: BM25ProductIndex) -> None:
    result = search(index, "xyzzy plugh")
    assert result.products == () and result.relaxed == () and result.total == 0
