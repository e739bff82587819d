"""The demo shop page: a few catalog products, the widget embedded as a shop would, and a
"signed in as Alice" toggle.

Only in demo mode (``ECOMAI_DEMO=1``, which ``ecomai serve --demo`` and ``make run`` set):
the toggle makes the server sign a customer token for the demo customer, which a real shop
must never let an anonymous visitor do. The token is signed here, on the server, and only
the token reaches the page; the secret never does.

The page carries a strict, nonce-based Content-Security-Policy (no inline script or style
without the per-response nonce, nothing from other origins), which also proves the widget
runs under one. It deliberately has rude global CSS, which the widget's Shadow DOM must
shrug off.
"""

from __future__ import annotations

import html
import json
import secrets
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from sqlalchemy.engine import Engine

from ecomai.chat.identity import sign_customer_token
from ecomai.config import Settings
from ecomai.errors import DemoDisabled
from ecomai.store.catalog import Product, load_products
from ecomai.store.db import make_engine
from ecomai.store.policies import shop_setting

DEMO_CUSTOMER_ID = "C0001"
DEMO_CUSTOMER_NAME = "Alice Martin"
# Short: the page is reloaded to toggle, and a demo token should not outlive the visit.
DEMO_TOKEN_TTL_S = 1800
SHOWN_PRODUCTS = 6


def demo_customer_token(settings: Settings, *, now: float | None = None) -> str:
    """A token signed in as the demo customer, for the demo page only.

    Raises:
        DemoDisabled: demo mode is off; outside it nobody gets a token without logging in.
    """
    if not settings.demo:
        raise DemoDisabled("demo customer tokens are only signed in demo mode (ECOMAI_DEMO=1)")
    return sign_customer_token(settings.token_secret, DEMO_CUSTOMER_ID, ttl_s=DEMO_TOKEN_TTL_S, now=now)


def demo_csp(nonce: str) -> str:
    """The demo page's policy: our own origin only, inline code only with this response's nonce.

    ``connect-src 'self'`` covers the same-origin ``ws:``/``wss:`` socket (CSP Level 3).
    """
    return "; ".join([
        "default-src 'none'",
        f"script-src 'nonce-{nonce}'",
        f"style-src 'self' 'nonce-{nonce}'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def demo_headers(nonce: str) -> dict[str, str]:
    """Headers for the demo page; ``no-store`` because a signed-in page holds a token."""
    return {
        "Content-Security-Policy": demo_csp(nonce),
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "Permissions-Policy": "microphone=(self), camera=(), geolocation=()",
    }


def pick_products(products: Sequence[Product], count: int = SHOWN_PRODUCTS) -> list[Product]:
    """The best-rated in-stock product of each category, up to ``count``: a varied shop window."""
    best: dict[str, Product] = {}
    for product in products:
        if product.in_stock and (product.category not in best or product.rating > best[product.category].rating):
            best[product.category] = product
    return sorted(best.values(), key=lambda p: p.category)[:count]


def script_json(value: Mapping[str, Any]) -> str:
    """JSON that is safe inside an inline ``<script>``: no ``</script>``, ``<!--`` or line separators."""
    text = json.dumps(value, ensure_ascii=False)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


@dataclass(frozen=True)
class DemoPage:
    """Everything one rendering of the page needs; ``customer_token`` None means a guest."""

    shop_name: str
    products: Sequence[Product]
    nonce: str
    currency: str = "USD"
    customer_token: str | None = None


def render_demo_page(page: DemoPage) -> str:
    """The page's HTML; every shop value is escaped, the widget config is script-safe JSON."""
    signed_in = page.customer_token is not None
    config: dict[str, Any] = {"shopName": page.shop_name, "currency": page.currency, "customerToken": page.customer_token}
    account = (
        f'Signed in as {html.escape(DEMO_CUSTOMER_NAME)} · <a href="demo">Sign out</a>'
        if signed_in
        else '<a href="demo?signed_in=1">Sign in as Alice (demo customer)</a>'
    )
    cards = "\n".join(_product_html(p, page.currency) for p in page.products)
    nonce = html.escape(page.nonce)
    return _PAGE.format(
        title=html.escape(page.shop_name), nonce=nonce, account=account, cards=cards, config=script_json(config)
    )


def _product_html(product: Product, currency: str) -> str:
    stock = "In stock" if product.stock > 5 else f"Only {product.stock} left"
    return (
        f'<li class="product"><h2>{html.escape(product.name)}</h2>'
        f"<p>{html.escape(product.brand)} · {html.escape(product.category)}</p>"
        f'<p class="price">{product.price:.2f} {html.escape(currency)}</p><p>★ {product.rating:.1f} · {stock}</p></li>'
    )


class DemoShop:
    """Serves the demo page from the shop database (products read once, then kept)."""

    def __init__(self, settings: Settings, engine: Engine, shop_name: str = "ecomai demo shop") -> None:
        self._settings = settings
        self._engine = engine
        self._shop_name = shop_name
        self._products: list[Product] | None = None
        self._currency = "USD"

    @classmethod
    def from_settings(cls, settings: Settings) -> "DemoShop | None":
        """The demo shop when demo mode is on, else None (the route then answers 404)."""
        return cls(settings, make_engine(settings.database_url)) if settings.demo else None

    def page(self, signed_in: bool) -> tuple[str, dict[str, str]]:
        """The HTML and headers for one request (blocking: reads the database the first time)."""
        if self._products is None:
            self._currency = shop_setting(self._engine, "currency")
            self._products = pick_products(load_products(self._engine))
        nonce = secrets.token_urlsafe(18)
        token = demo_customer_token(self._settings) if signed_in else None
        body = render_demo_page(DemoPage(self._shop_name, self._products, nonce, self._currency, token))
        return body, demo_headers(nonce)


_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style nonce="{nonce}">
  body {{ font: 16px/1.5 Georgia, serif; margin: 0; background: #faf7f2; color: #222; }}
  header {{ display: flex; justify-content: space-between; align-items: center; flex-wrap: wrap;
           gap: .5rem; padding: 1rem 1.5rem; background: #2d2a26; color: #fff; }}
  header a {{ color: #ffd58a; }}
  main {{ max-width: 60rem; margin: 0 auto; padding: 1rem; }}
  ul {{ list-style: none; padding: 0; display: grid; gap: 1rem;
       grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); }}
  .product {{ background: #fff; border: 1px solid #e4ddd2; border-radius: 8px; padding: 1rem; }}
  .product h2 {{ font-size: 1.05rem; margin: 0 0 .25rem; }}
  .price {{ font-weight: bold; }}
  /* A careless shop's global rules: the widget's Shadow DOM must not be touched by them. */
  button {{ background: hotpink !important; font-size: 30px !important; }}
  div, p, span {{ letter-spacing: 3px; }}
</style>
</head>
<body>
<header><strong>{title}</strong><span class="account">{account}</span></header>
<main>
<p>A demo shop window. Ask the assistant (bottom right) about orders, shipping, returns or products.</p>
<ul>
{cards}
</ul>
</main>
<script nonce="{nonce}">window.EcomaiWidget = {config};</script>
<script nonce="{nonce}" src="widget.js" defer></script>
</body>
</html>
"""
