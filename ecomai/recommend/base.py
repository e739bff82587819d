"""The interface every recommender implements, so the shop services and the benchmark
can swap them: ``fit`` / ``recommend`` / ``similar`` / ``save`` / ``load``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Collection, Mapping, Protocol, Sequence

from ecomai.errors import InvalidInput
from ecomai.store.catalog import Interaction

# How much one event says about a shopper's taste.
DEFAULT_EVENT_WEIGHTS: Mapping[str, float] = {"view": 1.0, "cart": 3.0, "purchase": 5.0}
MAX_K = 100


@dataclass(frozen=True)
class RecommendRequest:
    """Who is asking, what they are looking at, and what must not be shown.

    Attributes:
        customer_id: None for an anonymous shopper.
        k: how many items to return (1 to ``MAX_K``).
        category: restrict to one catalog category.
        exclude: SKUs never to return (already bought, out of stock).
        context: SKUs the shopper has just seen or ordered; they steer the answer like
            extra history ("in context" recommendations) and are never returned themselves.
    """

    customer_id: str | None
    k: int = 5
    category: str | None = None
    exclude: Collection[str] = ()
    context: Sequence[str] = ()

    def __post_init__(self) -> None:
        if not 1 <= self.k <= MAX_K:
            raise InvalidInput(f"k must be between 1 and {MAX_K}, got {self.k}")


class Recommender(Protocol):
    """What ShopServices and the benchmark need from any recommender."""

    def fit(self, interactions: Sequence[Interaction], item_category: Mapping[str, str]) -> "Recommender":
        """Learn from the shop's history; ``item_category`` is the catalog (SKU -> category)."""
        ...

    def recommend(self, request: RecommendRequest) -> list[str]:
        """Up to ``request.k`` SKUs, best first, none excluded by the request."""
        ...

    def similar(self, sku: str, k: int = 5, exclude: Collection[str] = ()) -> list[str]:
        """'Customers also bought': up to ``k`` SKUs that go with ``sku``, best first."""
        ...

    def save(self, path: Path) -> None:
        """Write the fitted model to one file, atomically."""
        ...
