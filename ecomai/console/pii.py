"""Masking of e-mail addresses, phone numbers and payment card numbers in shopper text.

Staff read transcripts and exports all day; they rarely need a shopper's full address
or number, and a screenshot or a CSV on a laptop must not leak them. So the console and
every export mask by default (pure functions, no I/O). Two styles:

- ``"label"`` (console, CSV/JSON): ``[email a…@example.com]``, ``[phone …67]``,
  ``[card …4242]`` keeps enough to tell cases apart (the last four digits of a card are
  what PCI DSS allows to show).
- ``"placeholder"`` (NLU export): a fixed, realistic stand-in (``name@example.com``,
  ``555 0100``, ``4111 1111 1111 1111``), so the training sentence still reads like
  what shoppers type.

Cards are found first and only when the Luhn checksum holds (so an order or tracking
number is not a "card"); phone numbers are 7 to 15 digits in the usual groupings, not
ISO dates, not glued to letters (order numbers such as ``EC100001`` stay readable).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Literal

MaskStyle = Literal["label", "placeholder"]

EMAIL = re.compile(r"(?<![\w.+-])([\w.+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)", re.UNICODE)
# 13-19 digits, optionally in groups split by single spaces or dashes.
CARD = re.compile(r"(?<![\w+])(?:\d[ -]?){12,18}\d(?!\w)")
# Optional +country or 00 prefix, optional (area), then digit groups split by space, dot or dash.
PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d() .-]{5,20}\d(?!\w)")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?")

PLACEHOLDERS = {"email": "name@example.com", "phone": "555 0100", "card": "4111 1111 1111 1111"}


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum every payment card number carries (``digits``: only 0-9)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return bool(digits) and total % 10 == 0


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _email(match: re.Match[str], style: MaskStyle) -> str:
    if style == "placeholder":
        return PLACEHOLDERS["email"]
    return f"[email {match.group(1)[0]}…@{match.group(2)}]"


def _card(match: re.Match[str], style: MaskStyle) -> str:
    digits = _digits(match.group(0))
    if not 13 <= len(digits) <= 19 or not luhn_valid(digits):
        return match.group(0)
    return PLACEHOLDERS["card"] if style == "placeholder" else f"[card …{digits[-4:]}]"


def _phone(match: re.Match[str], style: MaskStyle) -> str:
    found = match.group(0)
    digits = _digits(found)
    if not 7 <= len(digits) <= 15 or ISO_DATE.fullmatch(found) or found.count("(") != found.count(")"):
        return found
    return PLACEHOLDERS["phone"] if style == "placeholder" else f"[phone …{digits[-2:]}]"


def _sub(pattern: re.Pattern[str], replace: Callable[[re.Match[str], MaskStyle], str], style: MaskStyle,
         text: str) -> str:
    return pattern.sub(lambda match: replace(match, style), text)


def mask_pii(text: str | None, style: MaskStyle = "label") -> str | None:
    """``text`` with every e-mail address, phone number and card number masked.

    Args:
        text: shopper or bot text; None passes through (bot messages without text).
        style: ``"label"`` or ``"placeholder"`` (see the module docstring).
    """
    if not text:
        return text
    masked = _sub(EMAIL, _email, style, text)
    masked = _sub(CARD, _card, style, masked)
    return _sub(PHONE, _phone, style, masked)


def mask_entities(entities: list[dict[str, Any]], style: MaskStyle = "label") -> list[dict[str, Any]]:
    """NLU entities with their values masked (an extracted e-mail entity is the address)."""
    return [{**e, "value": mask_pii(str(e["value"]), style)} if e.get("value") is not None else e for e in entities]
