"""Orders, cancellations and returns, always behind an identity check.

Every function takes the caller's ``customer_id`` (verified by the channel) and/or the
``email`` the shopper typed, and sees an order only if it belongs to one of them. An
order that exists but is someone else's raises exactly the same ``OrderNotFound`` as a
number that does not exist, so guessing order numbers reveals nothing.
"""

from __future__ import annotations

import difflib
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Mapping, Sequence

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from ecomai.errors import (CancelNotAllowed, InvalidInput, ItemNotInOrder, NotFound, OrderNotFound,
                           ReturnNotAllowed)
from ecomai.store.db import store_errors
from ecomai.store.schema import customers, order_items, orders, products, returns, shipments, shop_settings

CANCELLABLE_STATUSES = ("pending", "processing")

_ORDER_NUMBER = re.compile(r"(?<![A-Za-z0-9])EC[\s-]?(\d{6})(?!\d)", re.IGNORECASE)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_SKU = re.compile(r"(?<![A-Za-z0-9])SKU[\s-]?(\d{5})(?!\d)", re.IGNORECASE)
_FILLER_WORDS = frozenset(
    "the a an my one pair of those these this that item items i want to return send back please it them".split())


@dataclass(frozen=True)
class OrderItemView:
    """One order line; ``size`` is None for one-size products."""

    sku: str
    name: str
    quantity: int
    size: str | None
    unit_price: float


@dataclass(frozen=True)
class ShipmentView:
    """Carrier and dates of a shipped order; ``eta`` and ``delivered_on`` may be None."""

    carrier: str
    tracking_number: str
    tracking_url: str
    shipped_on: date
    eta: date | None
    delivered_on: date | None


@dataclass(frozen=True)
class OrderView:
    """What a shopper may see of one of their orders; ``shipment`` is None until it ships."""

    number: str
    status: str
    placed_on: date
    total: float
    items: tuple[OrderItemView, ...]
    shipment: ShipmentView | None


@dataclass(frozen=True)
class ReturnView:
    """A created return (RMA); ``created_at`` is UTC."""

    rma_number: str
    order_number: str
    sku: str
    item_name: str
    reason: str
    created_at: datetime


def normalise_order_number(text: str) -> str | None:
    """Find an order number in free text and return it as ``EC100001``.

    Accepts any case and an optional dash or space ("ec-100001", "Ec 100001",
    "my order #EC100001 please"). Returns None when the text holds no order number.
    """
    match = _ORDER_NUMBER.search(text)
    return f"EC{match.group(1)}" if match else None


def find_email(text: str) -> str | None:
    """The first e-mail address in free text ("it's Alice@Example.com"), lower-cased."""
    match = _EMAIL.search(text)
    return match.group(0).lower() if match else None


def _words(text: str) -> list[str]:
    """Lower-case content words with a naive plural strip ("shoes" -> "shoe")."""
    words = [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _FILLER_WORDS]
    return [w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words]


def _similarity(word: str, candidates: Sequence[str]) -> float:
    best = max((difflib.SequenceMatcher(None, word, c).ratio() for c in candidates), default=0.0)
    return best if best >= 0.75 else 0.0  # tolerate a typo ("sheos"), not a different word


def match_item(candidates: Sequence[tuple[str, str]], text: str) -> str | None:
    """Pick which order line a shopper means ("the shoes", "running shoes", "SKU-00001").

    Args:
        candidates: (sku, searchable text such as name and category) per order line.
        text: the shopper's words for the item.

    Returns:
        The SKU of the single best match, or None when nothing matches or two lines
        match equally well (guessing could return the wrong item).
    """
    sku = _SKU.search(text)
    if sku:
        wanted = f"SKU-{sku.group(1)}"
        return wanted if any(c_sku == wanted for c_sku, _ in candidates) else None
    query = _words(text)
    if not query:  # "return it": unambiguous only for a one-item order
        return candidates[0][0] if len(candidates) == 1 else None
    scores = sorted(((sum(_similarity(w, _words(desc)) for w in query), c_sku) for c_sku, desc in candidates),
                    reverse=True)
    if not scores or scores[0][0] == 0 or (len(scores) > 1 and scores[1][0] == scores[0][0]):
        return None
    return scores[0][1]


def return_refusal(status: str, delivered_on: date | None, window_days: int, today: date) -> str | None:
    """Why an order cannot be returned, or None if it can (pure rule, see ``ReturnNotAllowed``)."""
    if status == "cancelled":
        return "cancelled"
    if status == "returned":
        return "already_returned"
    if status != "delivered" or delivered_on is None:
        return "not_delivered"
    return "window_closed" if (today - delivered_on).days > window_days else None


def _visible_order(conn: Connection, number: str, customer_id: str | None,
                   email: str | None) -> Mapping[str, Any]:
    if not customer_id and not email:
        raise InvalidInput("an order lookup needs the customer's id or e-mail")
    normalised = normalise_order_number(number)
    owners = []
    if customer_id:
        owners.append(orders.c.customer_id == customer_id)
    if email:
        owners.append(func.lower(customers.c.email) == email.strip().lower())
    row: Mapping[str, Any] | None = None
    if normalised:
        query = (select(orders).join(customers, customers.c.customer_id == orders.c.customer_id)
                 .where(orders.c.order_number == normalised, or_(*owners)))
        row = conn.execute(query).mappings().first()
    if row is None:
        raise OrderNotFound("no such order for this customer")  # same text whether it exists or not
    return row


def _order_view(conn: Connection, number: str) -> OrderView:
    order = conn.execute(select(orders).where(orders.c.order_number == number)).mappings().one()
    lines = conn.execute(
        select(order_items, products.c.name).join(products, products.c.sku == order_items.c.sku)
        .where(order_items.c.order_number == number).order_by(order_items.c.id)).mappings().all()
    ship = conn.execute(select(shipments).where(shipments.c.order_number == number)).mappings().first()
    return OrderView(
        number=number, status=order["status"], placed_on=order["placed_on"], total=float(order["total"]),
        items=tuple(OrderItemView(r["sku"], r["name"], r["quantity"], r["size"] or None, float(r["unit_price"]))
                    for r in lines),
        shipment=None if ship is None else ShipmentView(ship["carrier"], ship["tracking_number"],
                                                        ship["tracking_url"], ship["shipped_on"], ship["eta"],
                                                        ship["delivered_on"]))


@store_errors()
def find_order(engine: Engine, number: str, *, customer_id: str | None = None,
               email: str | None = None) -> OrderView:
    """Look up one of the caller's orders.

    Args:
        number: order number in any accepted spelling ("ec-100001").
        customer_id: the verified customer, if the channel knows them.
        email: the e-mail address the shopper gave (case-insensitive).

    Raises:
        OrderNotFound: unknown number, or not this customer's or e-mail's order.
        InvalidInput: neither ``customer_id`` nor ``email`` given.
    """
    with engine.connect() as conn:
        row = _visible_order(conn, number, customer_id, email)
        return _order_view(conn, row["order_number"])


@store_errors()
def customer_owns_order(engine: Engine, number: str, customer_id: str) -> bool:
    """Whether ``number`` is an order of ``customer_id`` (False for unknown numbers)."""
    if not customer_id:
        return False
    try:
        with engine.connect() as conn:
            _visible_order(conn, number, customer_id, None)
    except OrderNotFound:
        return False
    return True


@store_errors()
def cancel_order(engine: Engine, number: str, *, customer_id: str | None = None,
                 email: str | None = None) -> OrderView:
    """Cancel a pending or processing order of the caller.

    The status check and the change are one ``UPDATE ... WHERE status IN (...)``, so of
    two concurrent cancels (or a cancel racing the warehouse shipping it) one wins.

    Raises:
        OrderNotFound: as for ``find_order``.
        CancelNotAllowed: the order has shipped, or is already cancelled or returned.
    """
    with engine.begin() as conn:
        row = _visible_order(conn, number, customer_id, email)
        changed = conn.execute(
            update(orders).where(orders.c.order_number == row["order_number"],
                                 orders.c.status.in_(CANCELLABLE_STATUSES)).values(status="cancelled"))
        if changed.rowcount != 1:
            raise CancelNotAllowed(f"order status does not allow cancelling (was {row['status']})")
        return _order_view(conn, row["order_number"])


def _window_days(conn: Connection) -> int:
    value = conn.execute(select(shop_settings.c.value)
                         .where(shop_settings.c.key == "return_window_days")).scalar_one_or_none()
    if value is None:
        raise NotFound("shop setting return_window_days is missing (seed the database)")
    return int(value)


@store_errors()
def return_window_days(engine: Engine) -> int:
    """Days after delivery within which items can be returned (shop policy)."""
    with engine.connect() as conn:
        return _window_days(conn)


def _new_rma(conn: Connection) -> str:
    while True:  # 16^8 numbers: a clash is rare, but must never reuse one
        rma = "RMA-" + secrets.token_hex(4).upper()
        if conn.execute(select(returns.c.id).where(returns.c.rma_number == rma)).first() is None:
            return rma


def _mark_returned_when_complete(conn: Connection, number: str) -> None:
    ordered = set(conn.execute(select(order_items.c.sku).where(order_items.c.order_number == number)).scalars())
    returned = set(conn.execute(select(returns.c.sku).where(returns.c.order_number == number)).scalars())
    if ordered <= returned:
        conn.execute(update(orders).where(orders.c.order_number == number, orders.c.status == "delivered")
                     .values(status="returned"))


@store_errors()
def create_return(engine: Engine, number: str, item: str, reason: str, *, customer_id: str | None = None,
                  email: str | None = None, today: date | None = None) -> ReturnView:
    """Create a return (RMA) for one item of a delivered order within the return window.

    Args:
        number: order number in any accepted spelling.
        item: the shopper's words for the item ("the shoes") or its SKU.
        reason: why it goes back, kept for staff.
        today: the day the return window is measured on (default: today in UTC).

    Raises:
        OrderNotFound: as for ``find_order``.
        ItemNotInOrder: no order line (or more than one equally) matches ``item``.
        ReturnNotAllowed: ``reason`` is 'cancelled', 'not_delivered', 'window_closed'
            or 'already_returned'.
    """
    today = today or datetime.now(timezone.utc).date()
    with engine.begin() as conn:
        order = _visible_order(conn, number, customer_id, email)
        view = _order_view(conn, order["order_number"])
        sku = match_item(_item_descriptions(conn, view.number), item)
        if sku is None:
            raise ItemNotInOrder("no order line matches the item")
        delivered_on = view.shipment.delivered_on if view.shipment else None
        refusal = return_refusal(view.status, delivered_on, _window_days(conn), today)
        if refusal:
            raise ReturnNotAllowed(refusal)
        created = ReturnView(_new_rma(conn), view.number, sku, next(i.name for i in view.items if i.sku == sku),
                             reason.strip()[:1000], datetime.now(timezone.utc))
        try:
            conn.execute(insert(returns).values(
                rma_number=created.rma_number, order_number=view.number, sku=sku, reason=created.reason,
                created_at=created.created_at.replace(tzinfo=None), status="requested"))
        except IntegrityError:  # unique (order_number, sku): this line already has a return
            raise ReturnNotAllowed("already_returned") from None
        _mark_returned_when_complete(conn, view.number)
        return created


def _item_descriptions(conn: Connection, number: str) -> list[tuple[str, str]]:
    """(sku, "name category") per order line: the words a shopper may use for it."""
    rows = conn.execute(select(order_items.c.sku, products.c.name, products.c.category)
                        .join(products, products.c.sku == order_items.c.sku)
                        .where(order_items.c.order_number == number).order_by(order_items.c.id)).all()
    return [(sku, f"{name} {category}") for sku, name, category in rows]
