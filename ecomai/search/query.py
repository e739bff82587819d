"""Turn a shopper's words into a structured product query.

Pure functions over a vocabulary taken from the catalog, so a new brand or colour in
the shop needs no code change. Entities from the NLU are hints merged in; the text
itself is parsed too because an entity tagger misses things like "under 50 bucks".
Misspelt words are corrected against the catalog's own words first (rapidfuzz), so
"bleu jaket" filters like "blue jacket" and ranks like it too.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, fields, replace
from typing import Any, Iterable, Mapping, Sequence

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from ecomai.errors import InvalidInput

MAX_QUERY_CHARS = 500  # longer input is truncated: nobody describes a product in 10,000 characters
MAX_PRICE = 1_000_000.0
SLOT_VERSION = 1
FILTERS = ("category", "color", "brand", "size", "price_min", "price_max")

_PRICE = r"\$?\s*(\d{1,7}(?:[.,]\d{1,2})?)\s*(?:\$|usd|eur|euros?|dollars?|bucks|€|£)?"
_PRICE_MAX = re.compile(rf"\b(?:under|below|less than|cheaper than|max(?:imum)?|up to|at most|<)\s*{_PRICE}", re.I)
_PRICE_MIN = re.compile(rf"\b(?:over|above|more than|at least|min(?:imum)?|from|>)\s*{_PRICE}", re.I)
_BETWEEN = re.compile(rf"\bbetween\s*{_PRICE}\s*(?:and|-|to)\s*{_PRICE}", re.I)
_SIZES = (re.compile(r"\b(?:in\s+)?size\s*[:=]?\s*([a-z0-9]{1,8})\b"), re.compile(r"\b([a-z]+)[\s-]size\b"))
_BARE_SIZES = frozenset({"xs", "xl", "xxl"})  # unambiguous on their own; "m" or "42" are not
_WORD = re.compile(r"[a-z0-9][a-z0-9\-']*")
# Request phrasing, not product words: left out of the ranked text so "could you show
# me some" does not pull products whose descriptions happen to say "show".
_FILLER = frozenset(
    "i im i'm me my we you your please pls could can would will show find get give want wanna need looking "
    "look search searching buy buying do does have got any some something anything a an the of for in on with "
    "to and or is are there what which that this those these one ones thing things from by".split()
)
_MIN_FUZZY_LEN = 4


@dataclass(frozen=True)
class Vocabulary:
    """Catalog terms the parser recognises, each mapped to its canonical catalog value.

    Attributes:
        categories / colors / brands / sizes: lower-case term -> catalog value.
        words: every lower-case word of the catalog's text, for typo correction.
    """

    categories: Mapping[str, str]
    colors: Mapping[str, str]
    brands: Mapping[str, str]
    sizes: Mapping[str, str]
    words: frozenset[str]

    @classmethod
    def from_catalog(cls, categories: Iterable[str], colors: Iterable[str], brands: Iterable[str],
                     sizes: Iterable[str] = (), texts: Iterable[str] = (),
                     product_types: Mapping[str, str] | None = None) -> "Vocabulary":
        """Build lookups that also accept singular/plural forms of categories.

        Args:
            product_types: product-type words ("sneakers", "parka") -> their category, so
                a shopper naming the type gets the category's filter.
        """
        category_terms: dict[str, str] = {}
        for term, category in [*((c, c) for c in categories), *(product_types or {}).items()]:
            for form in _number_forms(term.lower()):
                category_terms.setdefault(form, category)
        colors, brands = {c.lower(): c for c in colors}, {b.lower(): b for b in brands}
        words = {w for text in texts for w in _WORD.findall(text.lower())}
        words |= {w for term in (*category_terms, *colors, *brands) for w in term.split()}
        return cls(categories=category_terms, colors=colors, brands=brands,
                   sizes={s.lower(): s for s in sizes}, words=frozenset(words))

    def correct(self, word: str) -> str:
        """``word``, or the catalog word it is most likely a misspelling of: at most one
        edit (a swap of neighbours counts as one: "bleu") for words of 4-5 letters, two
        for longer ones; shorter words are kept as typed (too many three-letter words
        are one edit apart)."""
        if len(word) < _MIN_FUZZY_LEN or word in self.words or word in _FILLER or not word.isalpha():
            return word
        allowed = 1 if len(word) <= 5 else 2
        match = process.extractOne(word, self.words, scorer=OSA.distance, score_cutoff=allowed)
        if match is None:
            return word
        # Ties at the same distance: prefer the word that shares most of its shape.
        ties = [w for w, d, _ in process.extract(word, self.words, scorer=OSA.distance,
                                                   score_cutoff=match[1], limit=5)]
        return max(ties, key=lambda w: (fuzz.ratio(word, w), w[:1] == word[:1], -len(w)))


@dataclass(frozen=True)
class ProductQuery:
    """What the shopper asked for. ``text`` is the free-text part left for ranking."""

    text: str
    category: str | None = None
    color: str | None = None
    brand: str | None = None
    size: str | None = None
    price_min: float | None = None
    price_max: float | None = None
    in_stock_only: bool = True

    @property
    def has_filters(self) -> bool:
        return any(getattr(self, f) is not None for f in FILTERS)

    def without(self, field_name: str) -> "ProductQuery":
        """The same query with one filter dropped (used to relax a query that found nothing)."""
        if field_name not in FILTERS:
            raise InvalidInput(f"{field_name!r} is not a filter")
        changes: dict[str, Any] = {field_name: None}
        return replace(self, **changes)

    def to_slot(self) -> dict[str, Any]:
        """A JSON-safe dict for a Rasa slot; :meth:`from_slot` reads it back."""
        return {"v": SLOT_VERSION, **{f.name: getattr(self, f.name) for f in fields(self)}}

    @classmethod
    def from_slot(cls, slot: Any) -> "ProductQuery":
        """Read back :meth:`to_slot`'s dict. Slots travel through the client and the
        tracker store, so everything is checked.

        Raises:
            InvalidInput: not a dict, unknown or missing keys, wrong types, text too long,
                prices negative, not finite or min above max.
        """
        if not isinstance(slot, Mapping):
            raise InvalidInput("a search slot must be a dict")
        names = {f.name for f in fields(cls)}
        unknown = set(slot) - names - {"v"}
        if unknown or slot.get("v") != SLOT_VERSION or "text" not in slot:
            raise InvalidInput(f"not a version-{SLOT_VERSION} search slot (keys {sorted(map(str, slot))})")
        text = slot["text"]
        if not isinstance(text, str) or len(text) > MAX_QUERY_CHARS:
            raise InvalidInput(f"search slot text must be a string of at most {MAX_QUERY_CHARS} characters")
        in_stock = slot.get("in_stock_only", True)
        if not isinstance(in_stock, bool):
            raise InvalidInput("search slot in_stock_only must be true or false")
        terms = {name: _slot_term(slot.get(name), name) for name in ("category", "color", "brand", "size")}
        low, high = _slot_price(slot.get("price_min"), "price_min"), _slot_price(slot.get("price_max"), "price_max")
        if low is not None and high is not None and low > high:
            raise InvalidInput("search slot price_min is above price_max")
        return cls(text=text, price_min=low, price_max=high, in_stock_only=in_stock, **terms)


def parse_product_query(
    text: str, vocabulary: Vocabulary, entities: Mapping[str, str] | None = None
) -> ProductQuery:
    """Parse shopper text (and optional NLU entities) into a ProductQuery.

    Args:
        text: the shopper's message; treated strictly as data.
        vocabulary: catalog terms.
        entities: NLU entity values by name (category, color, brand, size, price).
    """
    entities = entities or {}
    lowered = normalize_text(text)
    price_min, price_max = _price_limits(lowered, entities.get("price"))
    size, lowered = _size(lowered, vocabulary, entities.get("size"))
    words = [vocabulary.correct(w) for w in _WORD.findall(_strip_prices(lowered))]
    return ProductQuery(
        text=" ".join(w for w in words if w not in _FILLER),
        category=lookup(vocabulary.categories, entities.get("category"), words),
        color=lookup(vocabulary.colors, entities.get("color"), words),
        brand=lookup(vocabulary.brands, entities.get("brand"), words),
        size=size,
        price_min=price_min,
        price_max=price_max,
    )


def normalize_text(text: str) -> str:
    """Lower-case NFKC text, truncated, with control characters and symbols as spaces:
    shopper text is data, and nothing after this can see quotes or operators."""
    text = unicodedata.normalize("NFKC", str(text)[: MAX_QUERY_CHARS * 4])[:MAX_QUERY_CHARS].lower()
    return "".join(ch if ch.isalnum() or ch in " .,$€£<>-'" else " " for ch in text)


def lookup(terms: Mapping[str, str], entity: str | None, words: Sequence[str]) -> str | None:
    """The catalog value an entity or a phrase of ``words`` names (longest phrase first:
    "t shirt" before "shirt")."""
    if entity and entity.lower() in terms:
        return terms[entity.lower()]
    for n in (3, 2, 1):
        for i in range(len(words) - n + 1):
            phrase = " ".join(words[i : i + n])
            if phrase in terms:
                return terms[phrase]
    return None


def price_limits(text: str) -> tuple[float | None, float | None]:
    """(minimum, maximum) price a lower-cased text asks for."""
    return _price_limits(text, None)


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


def _size(text: str, vocabulary: Vocabulary, entity: str | None) -> tuple[str | None, str]:
    """The size asked for, and the text without the words that said it."""
    if entity and entity.strip().lower() in vocabulary.sizes:
        return vocabulary.sizes[entity.strip().lower()], text
    for pattern in _SIZES:
        for match in pattern.finditer(text):
            if match.group(1) in vocabulary.sizes:
                return vocabulary.sizes[match.group(1)], text[: match.start()] + " " + text[match.end() :]
    bare = next((w for w in _WORD.findall(text) if w in _BARE_SIZES and w in vocabulary.sizes), None)
    return (vocabulary.sizes[bare], text) if bare else (None, text)


def _strip_prices(text: str) -> str:
    for pattern in (_BETWEEN, _PRICE_MAX, _PRICE_MIN):
        text = pattern.sub(" ", text)
    return text


def _number(raw: str) -> float:
    return min(float(raw.replace(",", ".").strip().lstrip("$")), MAX_PRICE)


def _slot_term(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= 100:
        raise InvalidInput(f"search slot {name} must be a short string or null")
    return value


def _slot_price(value: Any, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not 0 <= value <= MAX_PRICE:
        raise InvalidInput(f"search slot {name} must be a price between 0 and {MAX_PRICE:.0f} or null")
    return float(value)


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
