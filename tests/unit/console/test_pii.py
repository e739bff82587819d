import pytest

from ecomai.console.pii import luhn_valid, mask_entities, mask_pii


@pytest.mark.parametrize("text, masked", [
    ("mail me at Alice.M+shop@example.co.uk please", "mail me at [email A…@example.co.uk] please"),
    ("bob@example.com", "[email b…@example.com]"),
    ("card 4242 4242 4242 4242 ok", "card [card …4242] ok"),
    ("4111-1111-1111-1111", "[card …1111]"),
    ("amex 378282246310005.", "amex [card …0005]."),
    ("call +44 20 7946 0958 or (555) 123-4567", "call [phone …58] or [phone …67]"),
    ("phone 555.123.4567.", "phone [phone …67]."),
    ("0033 1 42 68 53 00", "[phone …00]"),
])
def test_pii_is_masked(text, masked) -> None:
    assert mask_pii(text) == masked


@pytest.mark.parametrize("text", [
    "order EC100001 placed on 2024-05-01",  # order numbers and ISO dates stay readable
    "tracking 1Z999AA10123456784",  # digits glued to letters
    "it costs 1299.99 and ships in 3-5 days",
    "4242 4242 4242 4241",  # 16 digits, Luhn fails: not a card (and too long for a phone)
    "size 42, 2 items",
    "meet at 12:30",
    "",
])
def test_look_alikes_are_left_alone(text) -> None:
    assert mask_pii(text) == text


def test_none_passes_through() -> None:
    assert mask_pii(None) is None


def test_placeholder_style_keeps_sentences_natural() -> None:
    text = "I'm bob@example.com, card 4242424242424242, phone 555-123-4567"
    assert mask_pii(text, "placeholder") == "I'm name@example.com, card 4111 1111 1111 1111, phone 555 0100"


def test_several_kinds_in_one_message() -> None:
    masked = mask_pii("a@b.io 4242424242424242 +1 415 555 2671")
    assert masked == "[email a…@b.io] [card …4242] [phone …71]"


@pytest.mark.parametrize("number, valid", [("4242424242424242", True), ("79927398713", True),
                                           ("79927398710", False), ("0", True), ("", False)])
def test_luhn(number, valid) -> None:
    assert luhn_valid(number) is valid


def test_entities_are_masked_too() -> None:
    entities = [{"entity": "email", "value": "bob@example.com"}, {"entity": "order_number", "value": "EC100001"},
                {"entity": "color", "value": None}]
    assert [e["value"] for e in mask_entities(entities)] == ["[email b…@example.com]", "EC100001", None]
