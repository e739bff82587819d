"""The demo shop: a deterministic generator for the catalog, customers, orders and
browsing history that the bot, search and recommendations are developed against."""

from ecomai.shop.generate import ShopSize, build_demo_shop, write_demo_shop

__all__ = ["ShopSize", "build_demo_shop", "write_demo_shop"]
