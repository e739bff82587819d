"""The interface every recommender implements, so actions and benchmarks can swap them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Collection, Mapping, Protocol, Sequence

from ecomai.store.catalog import Interaction

# How much one event says about a shopper's taste.
DEFAULT_EVENT_WEIGHTS: Mapping[str, float] = {"view": 1.0, "cart": 3.0, "purchase": 5.0}


@dataclass(frozen=True)
class RecommendRequest:
    """Who is asking and what must not be shown.

    Attributes:
        customer_id: None for an anonymous shopper.
        k: how many items to return.
        category: restrict to one catalog category.
        exclude: SKUs never to return (already bought, out of stock).
    """

    customer_id: str | None
    k: int = 5
    category: str | None = None
    exclude: Collection[str] = ()

    def __post_init__(self) -> None:
        if not 1 <= self.k <= 100:
            raise ValueError("k must be between 1 and 100")


class Recommender(Protocol):
    def fit(self, interactions: Sequence[Interaction]) -> "Recommender": ...

    def recommend(self, request: RecommendRequest) -> list[str]: ...
