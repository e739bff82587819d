"""The demo shop page: token minting only in demo mode, strict CSP, script-safe config."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import insert

from ecomai.chat.identity import verify_customer_token
from ecomai.config import Settings
from ecomai.errors import DemoDisabled, InvalidToken
from ecomai.store.catalog import Product
from ecomai.store.db import make_engine
from ecomai.store.schema import metadata, products, shop_settings
from ecomai.widget.demo import (
    DEMO_CUSTOMER_ID, DemoPage, DemoShop, demo_csp, demo_customer_token, pick_products, render_demo_page, script_json,
)

SECRET = "demo-test-secret-0123456789abcdef0123456789"
NOW = 1_750_000_000.0


def product(sku: str, category: str, rating: float, stock: int = 10, name: str = "") -> Product:
    return Product(sku=sku, name=name or f"Item {sku}", description="", category=category, brand="Acme", color="red",
                   sizes=(), price=19.5, stock=stock, rating=rating, url=f"/products/{sku}")


def test_token_refused_outside_demo_mode() -> None:
    with pytest.raises(DemoDisabled):
        demo_customer_token(Settings(token_secret=SECRET))


def test_token_signs_in_the_demo_customer_for_half_an_hour() -> None:
    token = demo_customer_token(Settings(token_secret=SECRET, demo=True), now=NOW)
    assert verify_customer_token(SECRET, token, now=NOW + 1799) == DEMO_CUSTOMER_ID
    with pytest.raises(InvalidToken):
        verify_customer_token(SECRET, token, now=NOW + 1800 + 31)


def test_demo_mode_comes_from_the_environment() -> None:
    assert Settings.from_env({"ECOMAI_TOKEN_SECRET": SECRET, "ECOMAI_DEMO": "1"}).demo is True
    assert Settings.from_env({"ECOMAI_TOKEN_SECRET": SECRET}).demo is False
    assert DemoShop.from_settings(Settings(token_secret=SECRET)) is None


def test_csp_allows_only_our_origin_and_this_nonce() -> None:
    policy = dict(part.split(" ", 1) for part in demo_csp("n0nce").split("; "))
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'nonce-n0nce'"  # no 'unsafe-inline', no other origin
    assert policy["connect-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in demo_csp("n0nce")


def test_script_json_cannot_close_the_script_tag() -> None:
    hostile = {"shopName": "</script><script>alert(1)</script>\u2028<!--"}
    text = script_json(hostile)
    assert "<" not in text and ">" not in text and "\u2028" not in text
    assert json.loads(text) == hostile


def test_page_escapes_shop_values_and_carries_the_nonce_on_every_script() -> None:
    page = render_demo_page(DemoPage(
        shop_name="<b>Shop</b>", products=[product("S1", "shoes", 4.5, name="Boot <script>")], nonce="abc",
        customer_token="tok.en.value"))
    assert "<b>Shop</b>" not in page and "&lt;b&gt;Shop&lt;/b&gt;" in page
    assert "Boot &lt;script&gt;" in page
    scripts = re.findall(r"<script[^>]*>", page)
    assert len(scripts) == 2 and all('nonce="abc"' in tag for tag in scripts)
    assert '"customerToken": "tok.en.value"' in page
    assert "Signed in as Alice Martin" in page and 'href="demo"' in page


def test_guest_page_offers_the_sign_in_and_has_no_token() -> None:
    page = render_demo_page(DemoPage(shop_name="Shop", products=[], nonce="abc"))
    assert '"customerToken": null' in page
    assert 'href="demo?signed_in=1"' in page


def test_shop_window_is_the_best_in_stock_product_per_category() -> None:
    catalog = [product("A1", "bags", 4.0), product("A2", "bags", 4.8, stock=0), product("A3", "bags", 4.2),
               product("B1", "shoes", 3.0)]
    assert [p.sku for p in pick_products(catalog)] == ["A3", "B1"]
    assert len(pick_products([product(f"C{i}", f"cat{i}", 4.0) for i in range(9)])) == 6


def test_demo_shop_reads_the_database_and_never_shows_the_secret(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(products), [
            {"sku": "S1", "name": "Trail Runner", "description": "", "category": "shoes", "brand": "Acme",
             "color": "blue", "sizes": "", "price": 89.0, "stock": 3, "rating": 4.6, "url": "/p/S1"}])
        conn.execute(insert(shop_settings), [{"key": "currency", "value": "EUR"}])
    shop = DemoShop(Settings(token_secret=SECRET, demo=True), engine)

    guest, headers = shop.page(signed_in=False)
    signed_in, _ = shop.page(signed_in=True)

    assert "Trail Runner" in guest and "89.00 EUR" in guest and "Only 3 left" in guest
    assert '"currency": "EUR"' in guest
    assert SECRET not in guest and SECRET not in signed_in
    token = json.loads(re.search(r"window.EcomaiWidget = (.*);</script>", signed_in).group(1))["customerToken"]
    assert verify_customer_token(SECRET, token) == DEMO_CUSTOMER_ID
    nonce = re.search(r"'nonce-([^']+)'", headers["Content-Security-Policy"]).group(1)
    assert f'nonce="{nonce}"' in guest
    assert headers["Cache-Control"] == "no-store"
