"""The widget's static files (package data) and the HTTP caching rules for them.

Pure: bytes and header values in and out, no web framework, so the channel's routes are
two lines each and every rule here is tested without a server.

Shops embed ``widget.js`` by one unversioned URL, so a long ``max-age`` would keep a fixed
bug in shoppers' caches for days. Five minutes of freshness plus a strong ETag makes a
release visible within minutes while repeat page views cost a 304 with no body.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ecomai.errors import NotFound

CONTENT_TYPES = {
    "widget.js": "text/javascript; charset=utf-8",
    "widget.css": "text/css; charset=utf-8",
}
CACHE_CONTROL = "public, max-age=300"


@dataclass(frozen=True)
class Asset:
    """One static file as served: ``etag`` is a strong validator (quoted, from SHA-256)."""

    name: str
    body: bytes
    content_type: str
    etag: str


@lru_cache(maxsize=None)
def load_asset(name: str) -> Asset:
    """The packaged file ``name`` (only the names in ``CONTENT_TYPES``; read once per process).

    Raises:
        NotFound: any other name, so a request path can never reach another file.
    """
    content_type = CONTENT_TYPES.get(name)
    if content_type is None:
        raise NotFound(f"no widget asset {name[:60]!r}")
    body = (resources.files("ecomai.widget") / "static" / name).read_bytes()
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    return Asset(name=name, body=body, content_type=content_type, etag=etag)


def asset_headers(asset: Asset) -> dict[str, str]:
    """Headers for a 200 or 304 of ``asset``.

    ``Cross-Origin-Resource-Policy: cross-origin`` because the point of the files is to be
    loaded by other sites (shops that isolate themselves with COEP would be refused otherwise);
    ``nosniff`` so a browser never runs them as anything but their declared type.
    """
    return {
        "ETag": asset.etag,
        "Cache-Control": CACHE_CONTROL,
        "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Resource-Policy": "cross-origin",
    }


def is_not_modified(if_none_match: str | None, etag: str) -> bool:
    """True when the request's ``If-None-Match`` names ``etag`` (RFC 9110 weak comparison) or is ``*``."""
    if not if_none_match:
        return False
    wanted = _opaque(etag)
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or _opaque(candidate) == wanted:
            return True
    return False


def _opaque(tag: str) -> str:
    return tag[2:] if tag.startswith("W/") else tag
