"""ShopServices.search as the dialogue's actions call it, on a real SQLite store."""

from __future__ import annotations

import logging
from dataclasses import asdict
from pathlib import Path

import pytest
from sqlalchemy import insert

from ecomai.config import Settings
from ecomai.errors import InvalidInput
from ecomai.search.dense import SentenceEncoder
from ecomai.search.hybrid import HybridProductIndex
from ecomai.services import ShopServices
from ecomai.store.db import make_engine
from ecomai.store.schema import metadata, products
from tests.unit.search.conftest import CATALOG


def _store(tmp_path: Path) -> Settings:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    engine = make_engine(url)
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(products), [{**asdict(p), "sizes": "|".join(p.sizes)} for p in CATALOG])
    engine.dispose()
    return Settings(database_url=url, var_dir=tmp_path / "var")


@pytest.fixture
def services(tmp_path: Path, encoder: SentenceEncoder) -> ShopServices:
    shop = ShopServices(_store(tmp_path))
    shop.product_index = HybridProductIndex(CATALOG, encoder)  # the session's encoder, not a second load
    return shop


def test_show_more_pages_through_the_same_query(services: ShopServices) -> None:
    first = services.search("jeans", {}, k=1)
    assert first.total == 2 and first.query is not None
    more = services.next_page(first.query.to_slot(), k=1, offset=1)
    assert more.query == first.query and more.total == 2
    assert {p.sku for p in first.products + more.products} == {"SKU-00003", "SKU-00004"}


def test_cheaper_follow_up_goes_below_the_shown_prices(services: ShopServices) -> None:
    shoes = services.search("shoes", {})
    assert shoes.query is not None and sorted(p.price for p in shoes.products) == [59.0, 89.0]
    cheaper = services.search("cheaper", {}, previous=shoes.query.to_slot())
    assert [p.sku for p in cheaper.products] == ["SKU-00002"] and cheaper.query is not None
    assert cheaper.query.price_max == 73.99 and cheaper.query.category == "shoes"


def test_pricier_means_pricier_than_the_page_the_shopper_saw(services: ShopServices) -> None:
    shoes = services.search("shoes", {}, k=1)
    assert shoes.query is not None
    [seen] = services.next_page(shoes.query.to_slot(), k=1, offset=1).products
    pricier = services.search("more expensive", {}, k=1, previous=shoes.query.to_slot(), previous_offset=1)
    assert pricier.query is not None and pricier.query.price_min == round(seen.price + 0.01, 2)
    assert pricier.products and not pricier.relaxed and all(p.price > seen.price for p in pricier.products)


def test_entities_refine_too(services: ShopServices) -> None:
    jeans = services.search("jeans", {})
    assert jeans.query is not None
    blue = services.search("that one", {"color": "blue"}, previous=jeans.query.to_slot())
    assert [p.sku for p in blue.products] == ["SKU-00004"]


def test_a_tampered_slot_is_a_clear_error(services: ShopServices) -> None:
    tampered = {"v": 1, "text": "x", "price_max": "0; DROP TABLE"}
    with pytest.raises(InvalidInput):
        services.search("cheaper", {}, previous=tampered)
    with pytest.raises(InvalidInput):
        services.next_page(tampered, k=5, offset=5)


@pytest.mark.slow
def test_services_build_the_index_once_then_load_it(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = _store(tmp_path)
    with caplog.at_level(logging.INFO, logger="ecomai.search.build"):
        assert ShopServices(settings).search("electric kettle", {}).products[0].sku == "SKU-00007"
        assert "embedding 8 products" in caplog.text
        caplog.clear()
        assert ShopServices(settings).search("electric kettle", {}).products[0].sku == "SKU-00007"
        assert "loaded from" in caplog.text
    assert (settings.search_index_dir / "manifest.json").is_file()


def test_warm_up_builds_and_saves_the_index_the_first_search_would_wait_for(tmp_path: Path) -> None:
    """The action server calls this at start (ECOMAI_WARM_UP=1): the real encoder is
    loaded, the catalog embedded and saved, and the recommender ready."""
    shop = ShopServices(_store(tmp_path))
    assert shop.warm_up()
    assert {"product_index", "recommender"} <= set(vars(shop))  # built, cached for requests
    assert any(shop.settings.search_index_dir.iterdir())  # saved: the next start only loads it


def test_warm_up_with_the_database_down_leaves_the_work_to_the_first_request(tmp_path: Path,
                                                                          caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "shop.db").mkdir()  # a folder where the database file should be
    shop = ShopServices(Settings(database_url=f"sqlite:///{tmp_path / 'shop.db'}", var_dir=tmp_path / "var"))
    with caplog.at_level(logging.WARNING):
        assert not shop.warm_up()
    assert "warm-up failed" in caplog.text and "product_index" not in vars(shop)
