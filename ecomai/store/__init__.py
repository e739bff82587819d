"""The shop's database: catalog, customers, orders and returns, policies, handoffs and
the conversation log (SQLAlchemy 1.4 Core, written 2.0-style; SQLite or PostgreSQL).

Every query function takes an ``Engine`` from ``make_engine`` and raises
``StoreUnavailable`` when the database cannot be reached, so callers handle one error.
"""

from ecomai.store.catalog import Interaction, Product, load_interactions, load_products, purchased_skus
from ecomai.store.conversations import LoggedMessage, conversation_messages, write_messages
from ecomai.store.db import create_schema, make_engine, store_errors
from ecomai.store.handoffs import request_handoff
from ecomai.store.orders import (OrderItemView, OrderView, ReturnView, ShipmentView, cancel_order, create_return,
                                 customer_owns_order, find_order, normalise_order_number, return_window_days)
from ecomai.store.policies import policy_answer, policy_topics, shop_setting
from ecomai.store.seed import init_database

__all__ = [
    "Interaction", "LoggedMessage", "OrderItemView", "OrderView", "Product", "ReturnView", "ShipmentView",
    "cancel_order", "conversation_messages", "create_return", "create_schema", "customer_owns_order",
    "find_order", "init_database", "load_interactions", "load_products", "make_engine", "normalise_order_number",
    "policy_answer", "policy_topics", "purchased_skus", "request_handoff", "return_window_days", "shop_setting",
    "store_errors", "write_messages",
]
