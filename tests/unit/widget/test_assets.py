"""The widget's packaged files and their HTTP caching rules (pure, no server)."""

from __future__ import annotations

import hashlib

import pytest

from ecomai.errors import NotFound
from ecomai.widget.assets import asset_headers, is_not_modified, load_asset


@pytest.mark.parametrize(("name", "content_type", "marker"), [
    ("widget.js", "text/javascript; charset=utf-8", b"window.EcomaiWidget"),
    ("widget.css", "text/css; charset=utf-8", b":host"),
])
def test_each_asset_is_packaged_with_its_content_type(name: str, content_type: str, marker: bytes) -> None:
    asset = load_asset(name)
    assert asset.content_type == content_type
    assert marker in asset.body


def test_etag_is_a_strong_validator_of_the_bytes() -> None:
    asset = load_asset("widget.js")
    assert asset.etag == f'"{hashlib.sha256(asset.body).hexdigest()[:32]}"'
    assert load_asset("widget.css").etag != asset.etag


@pytest.mark.parametrize("name", ["../config.py", "widget.js.map", "static/widget.js", "", "WIDGET.JS"])
def test_only_the_known_files_can_be_asked_for(name: str) -> None:
    with pytest.raises(NotFound):
        load_asset(name)


def test_headers_revalidate_soon_and_allow_cross_origin_embedding() -> None:
    asset = load_asset("widget.css")
    headers = asset_headers(asset)
    assert headers["ETag"] == asset.etag
    assert headers["Cache-Control"] == "public, max-age=300"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cross-Origin-Resource-Policy"] == "cross-origin"


@pytest.mark.parametrize(("header", "expected"), [
    (None, False),
    ("", False),
    ('"abc"', True),
    ('W/"abc"', True),  # weak comparison, as RFC 9110 asks for If-None-Match
    ('"old", "abc"', True),
    ('"old"', False),
    ("abc", False),  # unquoted is not the same tag
    ("*", True),
])
def test_if_none_match(header: str | None, expected: bool) -> None:
    assert is_not_modified(header, '"abc"') is expected
