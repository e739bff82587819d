"""The channel's widget routes over real HTTP: files with their types and ETags, 304s,
and the demo page only in demo mode, under its CSP."""

from __future__ import annotations

from pathlib import Path
from typing import AsyncIterator

import aiohttp
import pytest
from sanic import Sanic
from sqlalchemy import insert

from bot.channel import EcomaiWebsocketInput
from ecomai.config import Settings
from ecomai.store.db import make_engine
from ecomai.store.schema import metadata, products, shop_settings
from ecomai.widget.assets import load_asset
from ecomai.widget.demo import DemoShop
from tests.unit.bot.test_channel import LIMITS, SECRET, Server, serving


def demo_shop(tmp_path: Path) -> DemoShop:
    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(products), [{"sku": "S1", "name": "Trail Runner", "description": "", "category": "shoes",
                                         "brand": "Acme", "color": "blue", "sizes": "", "price": 89.0, "stock": 9,
                                         "rating": 4.6, "url": "/p/S1"}])
        conn.execute(insert(shop_settings), [{"key": "currency", "value": "USD"}])
    return DemoShop(Settings(token_secret=SECRET, demo=True), engine)


@pytest.fixture()
async def demo_server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> AsyncIterator[Server]:
    monkeypatch.setattr(Sanic, "test_mode", True)
    async with serving(EcomaiWebsocketInput(LIMITS, SECRET, demo=demo_shop(tmp_path))) as running:
        yield running


@pytest.fixture()
async def plain_server(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Server]:
    monkeypatch.setattr(Sanic, "test_mode", True)
    async with serving(EcomaiWebsocketInput(LIMITS, SECRET)) as running:
        yield running


def base(server: Server) -> str:
    return f"http://127.0.0.1:{server.port}/webhooks/ecomai"


@pytest.mark.parametrize(("name", "content_type"), [("widget.js", "text/javascript"), ("widget.css", "text/css")])
async def test_assets_are_served_with_type_etag_and_304(plain_server: Server, name: str, content_type: str) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base(plain_server)}/{name}") as first:
            body = await first.read()
            assert first.status == 200
            assert first.headers["Content-Type"] == f"{content_type}; charset=utf-8"
            assert first.headers["Cache-Control"] == "public, max-age=300"
            etag = first.headers["ETag"]
        async with http.get(f"{base(plain_server)}/{name}", headers={"If-None-Match": etag}) as again:
            assert again.status == 304
            assert await again.read() == b""
            assert again.headers["ETag"] == etag
        async with http.get(f"{base(plain_server)}/{name}", headers={"If-None-Match": '"stale"'}) as stale:
            assert stale.status == 200
    assert body == load_asset(name).body


async def test_demo_page_is_not_found_outside_demo_mode(plain_server: Server) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base(plain_server)}/demo?signed_in=1") as page:
            assert page.status == 404
            assert "customerToken" not in await page.text()


async def test_demo_page_has_csp_and_signs_in_only_when_asked(demo_server: Server) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base(demo_server)}/demo") as guest:
            guest_html = await guest.text()
            assert guest.status == 200
            assert guest.headers["Content-Type"].startswith("text/html")
            csp = guest.headers["Content-Security-Policy"]
        async with http.get(f"{base(demo_server)}/demo?signed_in=1") as signed_in:
            signed_in_html = await signed_in.text()
    assert "script-src 'nonce-" in csp and "unsafe-inline" not in csp
    assert "Trail Runner" in guest_html
    assert '"customerToken": null' in guest_html
    assert '"customerToken": "ey' in signed_in_html and SECRET not in signed_in_html


async def test_demo_page_says_unavailable_when_the_database_is_down(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(Sanic, "test_mode", True)
    missing = DemoShop(Settings(token_secret=SECRET, demo=True), make_engine(f"sqlite:///{tmp_path / 'none.db'}"))
    async with serving(EcomaiWebsocketInput(LIMITS, SECRET, demo=missing)) as server:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base(server)}/demo") as page:
                assert page.status == 503
                assert await page.text() == "The demo shop is not available right now."
