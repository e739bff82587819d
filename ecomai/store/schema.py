"""Every table of the shop and conversation-log database (SQLAlchemy Core).

Dates of shop events are ``Date`` columns; timestamps are naive ``DateTime`` in UTC
(one convention for SQLite and PostgreSQL alike; the query modules convert). Money
is ``Numeric(10, 2)`` read back as float. Indexes cover what lookups and the staff
console filter on: customer, status, conversation, session, intent and time.
"""

from __future__ import annotations

from sqlalchemy import (Boolean, Column, Date, DateTime, Float, ForeignKey, Index, Integer, MetaData, Numeric,
                        String, Table, Text, UniqueConstraint)

metadata = MetaData()

Money = Numeric(10, 2, asdecimal=False)

customers = Table(
    "customers", metadata,
    Column("customer_id", String(16), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("email", String(320), nullable=False, unique=True),  # stored lower-case
)

products = Table(
    "products", metadata,
    Column("sku", String(16), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("category", String(64), nullable=False, index=True),
    Column("brand", String(64), nullable=False, index=True),
    Column("color", String(32), nullable=False),
    Column("sizes", String(200), nullable=False, default=""),  # "|"-joined; empty for one size
    Column("price", Money, nullable=False),
    Column("stock", Integer, nullable=False),
    Column("rating", Float, nullable=False),
    Column("url", String(200), nullable=False),
)

orders = Table(
    "orders", metadata,
    Column("order_number", String(16), primary_key=True),
    Column("customer_id", String(16), ForeignKey("customers.customer_id"), nullable=False, index=True),
    Column("status", String(32), nullable=False, index=True),
    Column("placed_on", Date, nullable=False),
    Column("total", Money, nullable=False),
)

order_items = Table(
    "order_items", metadata,
    Column("id", Integer, primary_key=True),
    Column("order_number", String(16), ForeignKey("orders.order_number"), nullable=False, index=True),
    Column("sku", String(16), ForeignKey("products.sku"), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", Money, nullable=False),
    Column("size", String(16), nullable=False, default=""),
)

shipments = Table(
    "shipments", metadata,
    Column("order_number", String(16), ForeignKey("orders.order_number"), primary_key=True),
    Column("carrier", String(64), nullable=False),
    Column("tracking_number", String(64), nullable=False),
    Column("tracking_url", String(300), nullable=False),
    Column("shipped_on", Date, nullable=False),
    Column("eta", Date),
    Column("delivered_on", Date),
)

returns = Table(
    "returns", metadata,
    Column("id", Integer, primary_key=True),
    Column("rma_number", String(16), nullable=False, unique=True),
    Column("order_number", String(16), ForeignKey("orders.order_number"), nullable=False, index=True),
    Column("sku", String(16), ForeignKey("products.sku"), nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("status", String(32), nullable=False, default="requested"),
    UniqueConstraint("order_number", "sku", name="uq_returns_order_line"),  # one return per order line
)

policies = Table(
    "policies", metadata,
    Column("topic", String(64), primary_key=True),
    Column("answer", Text, nullable=False),
)

shop_settings = Table(
    "shop_settings", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", String(200), nullable=False),
)

interactions = Table(
    "interactions", metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", String(16), ForeignKey("customers.customer_id"), nullable=False, index=True),
    Column("sku", String(16), ForeignKey("products.sku"), nullable=False, index=True),
    Column("event", String(16), nullable=False),  # view | cart | purchase
    Column("occurred_at", DateTime, nullable=False),
)

handoff_requests = Table(
    "handoff_requests", metadata,
    Column("id", Integer, primary_key=True),
    Column("session_id", String(128), nullable=False, index=True),
    Column("reason", Text, nullable=False),
    Column("created_at", DateTime, nullable=False, index=True),
    Column("status", String(16), nullable=False, default="open", index=True),
)

# A staff member holding a live conversation (ecomai.store.takeover). At most one open
# takeover (ended_at NULL) per session, enforced by the database, so two staff members
# racing to take over cannot both win. staff has no foreign key: the store API works
# with whatever identity the console authenticated.
takeovers = Table(
    "takeovers", metadata,
    Column("id", Integer, primary_key=True),
    Column("session_id", String(128), nullable=False, index=True),
    Column("staff", String(64), nullable=False),
    Column("display_name", String(64), nullable=False),  # what the shopper sees
    Column("started_at", DateTime, nullable=False),
    Column("ended_at", DateTime),
)
Index("uq_takeovers_open_session", takeovers.c.session_id, unique=True,
      sqlite_where=takeovers.c.ended_at.is_(None), postgresql_where=takeovers.c.ended_at.is_(None))

# What the live channel pushes to the shopper for a takeover, in id order:
# takeover_started | agent_message | takeover_ended. delivered_at is set once the channel
# sent or queued it; the partial index holds only undelivered rows, so the channel's
# poll stays cheap however long the history grows.
agent_events = Table(
    "agent_events", metadata,
    Column("id", Integer, primary_key=True),
    Column("takeover_id", Integer, ForeignKey("takeovers.id"), nullable=False, index=True),
    Column("session_id", String(128), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("text", Text),
    Column("created_at", DateTime, nullable=False),
    Column("delivered_at", DateTime),
)
Index("ix_agent_events_undelivered", agent_events.c.session_id, agent_events.c.id,
      sqlite_where=agent_events.c.delivered_at.is_(None), postgresql_where=agent_events.c.delivered_at.is_(None))

# customer_id has no foreign key: a verified shopper of the real shop need not be in
# the demo customers table, and the log must never drop a message for that.
conversations = Table(
    "conversations", metadata,
    Column("id", Integer, primary_key=True),
    Column("session_id", String(128), nullable=False, unique=True),
    Column("channel", String(64)),
    Column("customer_id", String(16), index=True),
    Column("started_at", DateTime, nullable=False),
    Column("last_event_at", DateTime, nullable=False, index=True),
    Column("handoff_requested", Boolean, nullable=False, default=False),
    # Per-conversation summary, kept up to date by the log writer (conversation_summary.py)
    # so the staff console filters 100,000 conversations without scanning their messages.
    # Nullable: create_schema adds them to older databases and backfills them.
    Column("message_count", Integer),
    Column("min_confidence", Float),  # lowest intent confidence of a user message
    Column("has_fallback", Boolean),  # the bot did not understand at least once
    Column("has_negative", Boolean),  # at least one negative-sentiment user message
    Column("has_speech", Boolean),  # at least one spoken user message
)
Index("ix_conversations_channel_last", conversations.c.channel, conversations.c.last_event_at)
# A date range (on started_at) listed by recency sorts from this index alone, without table
# rows; the partial one does the same for "upset shoppers in the last week", the console's
# most common hunt for bad conversations (the other flags are rarer with a date range).
Index("ix_conversations_started_last", conversations.c.started_at, conversations.c.last_event_at)
Index("ix_conversations_negative_started_last", conversations.c.started_at, conversations.c.last_event_at,
      sqlite_where=conversations.c.has_negative.is_(True), postgresql_where=conversations.c.has_negative.is_(True))

messages = Table(
    "messages", metadata,
    Column("id", Integer, primary_key=True),
    Column("conversation_id", Integer, ForeignKey("conversations.id"), nullable=False),
    Column("event_id", String(128), nullable=False, unique=True),  # idempotent retries
    Column("sender", String(8), nullable=False),  # user | bot | agent (staff) | event (takeover started/ended)
    Column("text", Text),
    Column("intent", String(64), index=True),
    Column("confidence", Float),
    Column("entities", Text, nullable=False, default="[]"),  # JSON list
    Column("action", String(128)),
    Column("latency_ms", Float),
    Column("payload", Text),  # JSON object (buttons, custom) or NULL
    Column("from_speech", Boolean, nullable=False, default=False),
    Column("created_at", DateTime, nullable=False, index=True),
    Column("sentiment", String(16), index=True),  # negative | neutral | positive (user messages)
    Column("sentiment_score", Float),  # probability of that label
)
Index("ix_messages_conversation_created", messages.c.conversation_id, messages.c.created_at)
Index("ix_messages_intent_conversation", messages.c.intent, messages.c.conversation_id)

# Support staff (ecomai/console): accounts, server-side login sessions, intent corrections.
staff = Table(
    "staff", metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),  # argon2id, PHC string
    Column("created_at", DateTime, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
)

staff_sessions = Table(
    "staff_sessions", metadata,
    Column("token_hash", String(64), primary_key=True),  # sha256 of the cookie: a leaked table opens nothing
    Column("staff_id", Integer, ForeignKey("staff.id"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("last_seen_at", DateTime, nullable=False, index=True),
)

message_reviews = Table(
    "message_reviews", metadata,
    Column("message_id", Integer, ForeignKey("messages.id"), primary_key=True),  # one verdict per message
    Column("intent", String(64)),  # the corrected intent; NULL when out of scope
    Column("out_of_scope", Boolean, nullable=False, default=False),
    Column("reviewer", String(64), nullable=False),
    Column("reviewed_at", DateTime, nullable=False, index=True),
)

SHOP_TABLES = (interactions, returns, shipments, order_items, orders, customers, products, policies,
               shop_settings)
"""Tables the demo-shop seed owns, children before parents (the order to delete in)."""
