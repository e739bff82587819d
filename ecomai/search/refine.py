"""Follow-ups to a search ("cheaper", "in blue", "any colour", "from Ironbark"): the last
query plus what the shopper just said gives the next query. Pure, so the dialogue can
keep the last query in a slot (``ProductQuery.to_slot``) and every turn is testable.

Decisions where the words are vague, as a shop assistant would read them:
- "cheaper" means below the median price of what was just shown, not below the
  cheapest: below the cheapest often leaves nothing, and relaxing would then drop the
  price limit altogether, the opposite of what was asked. "more expensive", "better
  ones", "premium" mean above that median. Without shown prices, the previous limit
  moves by 20%.
- A new category ("what about jackets?") starts a new search: the old brand, size and
  words rarely carry over from one kind of product to another.
- Changing or dropping a filter also takes its word out of the ranked text, so "any
  colour" after "blue jeans" stops favouring blue ones.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import replace
from typing import Any, Mapping, Sequence

from ecomai.search.query import ProductQuery, Vocabulary, normalize_text, parse_product_query

_CHEAPER = re.compile(r"\b(?:cheaper|less expensive|lower pric\w*|more affordable|too expensive|too pricey|"
                      r"cheapest|budget|not so expensive)\b")
_PRICIER = re.compile(r"\b(?:more expensive|pricier|higher end|high end|premium|better (?:ones?|quality)|"
                      r"fancier|nicer ones?|luxury)\b")
_ANY = re.compile(r"\b(?:any|whatever|every|all)\s+(colou?rs?|brands?|sizes?|prices?|categor(?:y|ies)|kinds?|types?)\b")
_ANY_FIELDS = {"colo": ("color",), "bran": ("brand",), "size": ("size",), "pric": ("price_min", "price_max"),
               "cate": ("category",), "kind": ("category",), "type": ("category",)}
_IN_STOCK = re.compile(r"\b(?:only (?:in stock|available)|in stock only|available now|in stock)\b")
_SOLD_OUT_TOO = re.compile(r"\b(?:sold out|out of stock)\s+(?:too|as well|also)\b|\binclud\w* (?:sold out|out of stock)\b")
_NO_CHANGE = re.compile(r"\b(?:show|more|next|other|others|different|else|instead|again|only|just|also|too|but|"
                        r"ones?|please|maybe|how about|what about|same)\b")
_STEP = 0.2  # "cheaper"/"more expensive" with nothing shown: move the old limit by this share
_TERM_FIELDS = ("category", "color", "brand")


def refine_query(previous: ProductQuery, text: str, vocabulary: Vocabulary,
                 shown_prices: Sequence[float] = (), entities: Mapping[str, str] | None = None) -> ProductQuery:
    """The query a follow-up ``text`` asks for after ``previous``.

    Args:
        previous: the effective query of the last search.
        text: the shopper's follow-up; treated strictly as data.
        vocabulary: catalog terms.
        shown_prices: prices of the products the shopper just saw (for "cheaper").
        entities: NLU entity values (category, color, brand, size, price), as hints.
    """
    lowered = normalize_text(text)
    stated = parse_product_query(_residue(lowered), vocabulary, entities)
    if stated.category is not None and stated.category != previous.category:
        return replace(stated, in_stock_only=_in_stock(lowered, previous.in_stock_only))
    query = _apply_drops(previous, lowered, vocabulary)
    query = _apply_stated(query, stated, vocabulary)
    query = _apply_direction(query, lowered, shown_prices)
    return replace(query, in_stock_only=_in_stock(lowered, query.in_stock_only))


def _residue(text: str) -> str:
    """The follow-up without its refinement phrasing, so "cheaper please" adds no words."""
    for pattern in (_CHEAPER, _PRICIER, _ANY, _SOLD_OUT_TOO, _IN_STOCK, _NO_CHANGE):
        text = pattern.sub(" ", text)
    return text


def _apply_drops(query: ProductQuery, text: str, vocabulary: Vocabulary) -> ProductQuery:
    for match in _ANY.finditer(text):
        for name in _ANY_FIELDS[match.group(1)[:4]]:
            query = _without_term(query, name, vocabulary).without(name)
    return query


def _apply_stated(query: ProductQuery, stated: ProductQuery, vocabulary: Vocabulary) -> ProductQuery:
    changes: dict[str, Any] = {}
    for name in (*_TERM_FIELDS, "size"):
        value = getattr(stated, name)
        if value is not None and value != getattr(query, name):
            query = _without_term(query, name, vocabulary)
            changes[name] = value
    if stated.price_min is not None or stated.price_max is not None:
        changes["price_min"], changes["price_max"] = _merged_prices(query, stated)
    extra = [w for w in stated.text.split() if w not in query.text.split()]
    changes["text"] = " ".join([*query.text.split(), *extra])
    return replace(query, **changes)


def _merged_prices(query: ProductQuery, stated: ProductQuery) -> tuple[float | None, float | None]:
    """A new limit replaces the old one on its side; the other side stays unless it now
    contradicts ("over 100", then "under 50")."""
    low = stated.price_min if stated.price_min is not None else query.price_min
    high = stated.price_max if stated.price_max is not None else query.price_max
    if low is not None and high is not None and low > high:
        return (None, high) if stated.price_max is not None else (low, None)
    return low, high


def _apply_direction(query: ProductQuery, text: str, shown_prices: Sequence[float]) -> ProductQuery:
    cheaper, pricier = bool(_CHEAPER.search(text)), bool(_PRICIER.search(text))
    if cheaper == pricier:  # neither, or both (contradictory): leave prices alone
        return query
    middle = statistics.median(shown_prices) if shown_prices else None
    if cheaper:
        if middle is not None:
            return replace(query, price_min=None, price_max=round(middle - 0.01, 2))
        if query.price_max is not None:
            return replace(query, price_min=None, price_max=round(query.price_max * (1 - _STEP), 2))
        return query
    if middle is not None:
        return replace(query, price_min=round(middle + 0.01, 2), price_max=None)
    if query.price_min is not None:
        return replace(query, price_min=round(query.price_min * (1 + _STEP), 2), price_max=None)
    if query.price_max is not None:
        return replace(query, price_min=query.price_max, price_max=None)
    return query


def _without_term(query: ProductQuery, name: str, vocabulary: Vocabulary) -> ProductQuery:
    """``query`` whose text no longer has the words of its current ``name`` filter."""
    value = getattr(query, name)
    if value is None or name not in _TERM_FIELDS:
        return query
    terms: Mapping[str, str] = getattr(vocabulary, f"{name}s" if name != "category" else "categories")
    forms = {term for term, canonical in terms.items() if canonical == value}
    words = {w for form in forms for w in form.split()}
    return replace(query, text=" ".join(w for w in query.text.split() if w not in words))


def _in_stock(text: str, current: bool) -> bool:
    if _SOLD_OUT_TOO.search(text):
        return False
    if _IN_STOCK.search(text):
        return True
    return current
