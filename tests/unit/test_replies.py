from __future__ import annotations

from datetime import date, datetime, timezone

from ecomai import replies
from ecomai.search.index import SearchResult
from ecomai.store.catalog import Product
from ecomai.store.orders import OrderItemView, OrderView, ReturnView, ShipmentView

TODAY = date(2024, 6, 10)
SHOES = Product("SKU-00001", "Blue Running Shoes", "d", "shoes", "Trailrunner", "blue", ("42",), 89.999, 0, 4.5,
                "/products/SKU-00001")


def order(status: str, shipment: ShipmentView | None) -> OrderView:
    return OrderView("EC100002", status, date(2024, 6, 1), 90.0,
                     (OrderItemView("SKU-00001", "Blue Running Shoes", 1, "42", 89.99),), shipment)


def test_order_in_transit_shows_carrier_tracking_and_eta() -> None:
    shipment = ShipmentView("UPS", "1Z999", "https://track.example/1Z999", date(2024, 6, 8), date(2024, 6, 11), None)
    text = replies.order_status_text(order("shipped", shipment), TODAY)
    assert "EC100002" in text and "on its way" in text and "1 × Blue Running Shoes" in text
    assert "UPS" in text and "1Z999" in text and "tomorrow" in text


def test_late_eta_is_admitted_and_delivered_date_shown() -> None:
    late = ShipmentView("UPS", "1Z", "u", date(2024, 6, 1), date(2024, 6, 5), None)
    assert "running late" in replies.order_status_text(order("shipped", late), TODAY)
    done = ShipmentView("UPS", "1Z", "u", date(2024, 6, 1), date(2024, 6, 5), date(2024, 6, 4))
    assert "Delivered on Tue 4 Jun" in replies.order_status_text(order("delivered", done), TODAY)


def test_unshipped_order_has_no_tracking() -> None:
    text = replies.order_status_text(order("processing", None), TODAY)
    assert "being prepared" in text and "tracking" not in text


def test_return_and_cancel_texts_name_the_numbers() -> None:
    created = ReturnView("RMA-1234ABCD", "EC100001", "SKU-00001", "Blue Running Shoes", "too small",
                         datetime(2024, 6, 1, tzinfo=timezone.utc))
    assert "RMA-1234ABCD" in replies.return_created_text(created)
    assert "EC100002 is cancelled" in replies.cancelled_text(order("cancelled", None))


def test_search_text_says_which_filters_were_dropped() -> None:
    assert "ignored the colour and price limit" in replies.search_text(SearchResult((SHOES,), ("color", "price_max")))
    assert replies.search_text(SearchResult((SHOES,))) == "Here's what I found:"
    assert "couldn't find" in replies.search_text(SearchResult(()))


def test_product_cards_payload() -> None:
    card = replies.product_cards([SHOES])["products"][0]
    assert card == {"sku": "SKU-00001", "name": "Blue Running Shoes", "price": 90.0, "rating": 4.5,
                    "in_stock": False, "stock": 0, "url": "/products/SKU-00001"}
