"""Turn a shopper's words into a structured product query.

Pure functions over a vocabulary taken from the catalog, so a new brand or colour in
the shop needs no code change. Entities from the NLU are hints merged in; the text
itself is parsed too because an entity tagger misses things like "under 50 bucks".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Iterable, Mapping, Sequence

MAX_QUERY_CHARS = 500  # longer input is truncated: nobody describes a product in 10,000 characters

_PRICE = r"\$?\s*(\d+(?:[.,]\d{1,2})?)\s*(?:\$|usd|eur|euros?|dollars?|bucks|€|£)?"
_PRICE_MAX = re.compile(rf"\b(?:under|below|less than|cheaper than|max(?:imum)?|up to|at most|<)\s*{_PRICE}", re.I)
_PRICE_MIN = re.compile(rf"\b(?:over|above|more than|at least|min(?:imum)?|from|>)\s*{_PRICE}", re.I)
_BETWEEN = re.compile(rf"\bbetween\s*{_PRICE}\s*(?:and|-|to)\s*{_PRICE}", re.I)
_WORD = re.compile(r"[a-z0-9][a-z0-9\-']*")


@dataclass(frozen=True)
class Vocabulary:
    """Catalog terms the parser recognises, each mapped to its canonical catalog value."""

    categories: Mapping[str, str]
    colors: Mapping[str, str]
    brands: Mapping[str, str]

    @classmethod
    def from_catalog(cls, categories: Iterable[str], colors: Iterable[str], brands: Iterable[str]) -> "Vocabulary":
        """Build lookups that also accept singular/plural forms of categories."""
        category_terms: dict[str, str] = {}
        for category in categories:
            for form in _number_forms(category.lower()):
                category_terms.setdefault(form, category)
        return cls(
            categories=category_terms,
            colors={c.lower(): c for c in colors},
            brands={b.lower(): b for b in brands},
        )


@dataclass(frozen=True)
class ProductQuery:
    """What the shopper asked for. ``text`` is the free-text part left for ranking."""

    text: str
    category: str | None = None
    color: str | None = None
    brand: str | None = None
    price_min: float | None = None
    price_max: float | None = None
    in_stock_only: bool = True

    @property
    def has_filters(self) -> bool:
        return any(getattr(self, f) is not None for f in ("category", "color", "brand", "price_min", "price_max"))

    def without(self, field_name: str) -> "ProductQuery":
        """The same query with one filter dropped (used to relax a query that found nothing)."""
        changes: dict[str, Any] = {field_name: None}
        return replace(self, **changes)


def parse_product_query(
    text: str, vocabulary: Vocabulary, entities: Mapping[str, str] | None = None
) -> ProductQuery:
    """Parse shopper text (and optional NLU entities) into a ProductQuery.

    Args:
        text: the shopper's message; treated strictly as data.
        vocabulary: catalog terms.
        entities: NLU entity values by name (category, color, brand, price).
    """
    text = text[:MAX_QUERY_CHARS]
    entities = entities or {}
    lowered = text.lower()
    price_min, price_max = _price_limits(lowered, entities.get("price"))
    words = _WORD.findall(_strip_prices(lowered))
    return ProductQuery(
        text=" ".join(words),
        category=_lookup(vocabulary.categories, entities.get("category"), words),
        color=_lookup(vocabulary.colors, entities.get("color"), words),
        brand=_lookup(vocabulary.brands, entities.get("brand"), words),
        price_min=price_min,
        price_max=price_max,
    )


def _lookup(terms: Mapping[str, str], entity: str | None, words: Sequence[str]) -> str | None:
    if entity and entity.lower() in terms:
        return terms[entity.lower()]
    for n in (3, 2, 1):  # longest phrase first: "t shirt" before "shirt"
        for i in range(len(words) - n + 1):
            phrase = " ".join(words[i : i + n])
            if phrase in terms:
                return terms[phrase]
    return None


def _price_limits(text: str, entity_price: str | None) -> tuple[float | None, float | None]:
    between = _BETWEEN.search(text)
    if between:
        low, high = sorted((_number(between.group(1)), _number(between.group(2))))
        return low, high
    high_match = _PRICE_MAX.search(text)
    low_match = _PRICE_MIN.search(text)
    price_max = _number(high_match.group(1)) if high_match else None
    price_min = _number(low_match.group(1)) if low_match else None
    if price_max is None and price_min is None and entity_price:
        try:
            price_max = _number(entity_price)
        except ValueError:
            pass
    return price_min, price_max


def _strip_prices(text: str) -> str:
    for pattern in (_BETWEEN, _PRICE_MAX, _PRICE_MIN):
        text = pattern.sub(" ", text)
    return text


def _number(raw: str) -> float:
    return float(raw.replace(",", ".").strip().lstrip("$"))


def _number_forms(term: str) -> set[str]:
    forms = {term, term.replace("-", " "), term.replace("-", "")}
    for form in list(forms):
        if form.endswith("es") and form[:-2].endswith(("sh", "ch", "x", "ss")):
            forms.add(form[:-2])
        elif form.endswith("s") and not form.endswith("ss"):
            forms.add(form[:-1])
        else:
            forms.add(form + "s")
    return forms
