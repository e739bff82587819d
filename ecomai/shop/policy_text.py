"""The demo shop's policy wording, written the way a real shop's help page reads.

The bot answers policy questions from the database rows seeded from ``policies.yml``;
this module only produces that file's content, with the numbers (return window,
free-shipping threshold, carriers) filled in from one place so text and rules agree.
"""

from __future__ import annotations

RETURN_WINDOW_DAYS = 30
FREE_SHIPPING_THRESHOLD = 50
CURRENCY = "USD"

# carrier -> tracking URL template; also used for the generated shipments.
CARRIERS: dict[str, str] = {
    "UPS": "https://www.ups.com/track?tracknum={number}",
    "FedEx": "https://www.fedex.com/fedextrack/?trknbr={number}",
    "USPS": "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}",
    "DHL Express": "https://www.dhl.com/en/express/tracking.html?AWB={number}",
}


def policy_document() -> dict[str, object]:
    """Return the content of ``policies.yml``: settings first, then topic answers.

    Returns:
        Mapping with ``return_window_days``, ``free_shipping_threshold``, ``currency``
        and ``topics`` (topic key -> one friendly paragraph).
    """
    window, threshold = RETURN_WINDOW_DAYS, FREE_SHIPPING_THRESHOLD
    carriers = ", ".join(list(CARRIERS)[:-1]) + f" and {list(CARRIERS)[-1]}"
    topics = {
        "shipping": (
            f"We ship every order from our warehouse with {carriers}. Standard shipping costs $4.95 and is "
            f"free on orders over ${threshold}; express shipping is $12.95. As soon as your parcel leaves us "
            "you get an e-mail with the carrier and a tracking link, and you can also ask me for the "
            "tracking details at any time. We currently ship within the continental US."
        ),
        "delivery_time": (
            "Orders placed before 2 pm on a working day leave our warehouse the same day. Standard delivery "
            "takes 3 to 5 working days and express delivery 1 to 2 working days. During sales and the "
            "holiday season please allow an extra day or two. Once your order has shipped, the tracking "
            "link shows the carrier's latest estimate."
        ),
        "payment": (
            "We accept Visa, Mastercard, American Express, PayPal, Apple Pay and Google Pay, as well as our "
            "gift cards. Your card is only charged when your order ships, and if you cancel before then "
            "nothing is taken. All payments are processed securely; we never see or store your full card "
            "number."
        ),
        "sizes": (
            "Each product page has a size guide with measurements in centimetres and inches. Our clothing "
            "follows standard US sizing from XS to XXL, jeans are sized by waist in inches, and shoes use EU "
            "sizes 38 to 46. If you are between two sizes, we recommend the larger one for shoes and "
            "jackets and your usual size for t-shirts. Not sure? Order both sizes and return the one that "
            "does not fit, free of charge."
        ),
        "returns_policy": (
            f"You can return any item within {window} days of delivery, as long as it is unworn and in its "
            "original packaging. Just tell me your order number and which item you want to send back, and "
            "I will create a return (RMA) number and a free prepaid label for you. Drop the parcel at any "
            "UPS or USPS location; your refund goes back to the original payment method within 5 working "
            "days of the parcel reaching us. Orders that have not been delivered yet can be cancelled "
            "instead, as long as they have not shipped."
        ),
        "human_hours": (
            "Our customer care team is available Monday to Friday from 8 am to 8 pm and on Saturdays from "
            "9 am to 5 pm (Eastern Time). Outside those hours I can still take your request, and a team "
            "member will reply by e-mail on the next working day."
        ),
    }
    return {
        "return_window_days": window,
        "free_shipping_threshold": threshold,
        "currency": CURRENCY,
        "topics": topics,
    }
