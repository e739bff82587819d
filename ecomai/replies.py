"""What the assistant says about shop data: pure functions from our records to text
and widget payloads, so wording is tested without Rasa and reused by every channel."""

from __future__ import annotations

from datetime import date
from typing import Any, Sequence

from ecomai.search.index import SearchResult
from ecomai.store.catalog import Product
from ecomai.store.orders import OrderView, ReturnView

STATUS_WORDS = {
    "pending": "received and waiting for payment confirmation",
    "processing": "being prepared in our warehouse",
    "shipped": "on its way",
    "out_for_delivery": "out for delivery today",
    "delivered": "delivered",
    "cancelled": "cancelled",
    "returned": "returned",
}

_RELAXED_WORDS = {
    "color": "colour",
    "size": "size",
    "brand": "brand",
    "price_min": "minimum price",
    "price_max": "price limit",
    "category": "category",
}


def order_status_text(order: OrderView, today: date) -> str:
    """One message with status, items, carrier, tracking and ETA (whatever applies)."""
    lines = [f"Order {order.number} (placed {_day(order.placed_on)}) is {STATUS_WORDS.get(order.status, order.status)}."]
    items = ", ".join(f"{item.quantity} × {item.name}" for item in order.items)
    if items:
        lines.append(f"Items: {items}.")
    shipment = order.shipment
    if shipment is not None:
        lines.append(f"Carrier: {shipment.carrier}, tracking number {shipment.tracking_number}: {shipment.tracking_url}")
        if shipment.delivered_on is not None:
            lines.append(f"Delivered on {_day(shipment.delivered_on)}.")
        elif shipment.eta is not None:
            lines.append(f"Expected delivery: {_relative_day(shipment.eta, today)}.")
    return "\n".join(lines)


def return_created_text(created: ReturnView) -> str:
    return (
        f"Your return is registered. Your return number is {created.rma_number} for "
        f"{created.item_name} from order {created.order_number}. Please put the return number inside the "
        "parcel; ask me about our returns policy for how to send it and when the refund comes."
    )


def cancelled_text(order: OrderView) -> str:
    return (
        f"Order {order.number} is cancelled. You'll get your money back to the original payment method "
        "within 3–5 working days."
    )


def search_text(result: SearchResult) -> str:
    """Lead-in for product cards; says which of the shopper's filters were dropped."""
    if not result.products:
        return "I couldn't find products matching that. Try other words, or ask me for recommendations."
    lead = "Here's what I found:"
    if result.relaxed:
        dropped = " and ".join(_RELAXED_WORDS[f] for f in result.relaxed)
        lead = f"Nothing matched everything, so I ignored the {dropped}. Here's the closest I found:"
    return lead


def results_page_text(offset: int, shown: int, total: int) -> str:
    """Where this page sits in the matches, so the shopper knows whether "more" exists."""
    if total <= shown:
        return f"That's all {total} I found." if total > 1 else "That's the only one I found."
    return f"Showing {offset + 1}–{offset + shown} of {total}."


def search_followup_buttons(has_more: bool) -> list[dict[str, str]]:
    """Quick replies after product cards. The refinements are sent as words so the
    shopper's transcript reads naturally and NLU treats them like typed follow-ups."""
    buttons = [{"title": "Show more", "payload": "/show_more"}] if has_more else []
    buttons += [{"title": "Cheaper", "payload": "something cheaper"},
                {"title": "Similar products", "payload": "/recommend"}]
    return buttons


def recommendation_lead(*, signed_in: bool, in_context: bool) -> str:
    """Says honestly what the recommendations are based on."""
    if in_context:
        return "Shoppers who liked those also liked:"
    if signed_in:
        return "Picked for you, from what you've bought and browsed:"
    return "These are popular with our shoppers right now:"


def also_bought_lead(item_name: str) -> str:
    return f"Shoppers who bought the {item_name} also liked:"


def product_cards(products: Sequence[Product]) -> dict[str, Any]:
    """The custom payload the widget renders as product cards."""
    return {
        "type": "product_cards",
        "products": [
            {
                "sku": p.sku,
                "name": p.name,
                "price": round(p.price, 2),
                "rating": p.rating,
                "in_stock": p.stock > 0,
                "stock": p.stock,
                "url": p.url,
            }
            for p in products
        ],
    }


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def _relative_day(day: date, today: date) -> str:
    delta = (day - today).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if delta < 0:
        return f"{_day(day)} (running late; the carrier is on it)"
    return _day(day)
