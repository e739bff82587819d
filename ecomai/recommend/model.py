"""The recommender the shop serves: one front end over any item scorer (EASE, implicit's
ALS, popularity), so cold start, exclusions, category filters, ranking and persistence
are written once and every scorer is held to the same tests.

Answer rules, in order:
- A customer with history (and/or context items: products just shown or ordered, which
  count like a purchase) gets the scorer's personal ranking.
- Nobody known and no known context: the most popular products, in the requested
  category, else in the context products' own categories (a product added since the
  model was trained gets "popular in its category").
- Never returned: excluded SKUs (the caller passes what the customer bought and what is
  out of stock), the context items themselves, products no longer in the catalog.
- Ties (e.g. items nobody touched) go to the more popular item, then the lower SKU, so
  answers are deterministic.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Collection, Mapping, Protocol, Sequence

import numpy as np
from scipy import sparse

from ecomai.errors import InvalidInput, ModelFileError
from ecomai.recommend.attributes import ItemAttributes, augment, augment_rows, build_attributes
from ecomai.recommend.base import RecommendRequest
from ecomai.recommend.matrix import Events, InteractionMatrix, WeightOptions, build_matrix, events_from_interactions
from ecomai.recommend.persist import load_model_file, save_model_file
from ecomai.store.catalog import Interaction


class Scorer(Protocol):
    """What a model must do for the front end: fit a matrix, score histories, save state."""

    kind: str

    def fit(self, matrix: sparse.csr_matrix) -> None: ...

    def score(self, users: np.ndarray, histories: np.ndarray) -> np.ndarray: ...

    def state(self) -> dict[str, np.ndarray]: ...

    def config(self) -> dict[str, Any]: ...


def _scorer_types() -> dict[str, Any]:
    from ecomai.recommend.als import AlsScorer
    from ecomai.recommend.ease import EaseScorer
    from ecomai.recommend.popularity import PopularityScorer

    return {cls.kind: cls for cls in (EaseScorer, AlsScorer, PopularityScorer)}


@dataclasses.dataclass(frozen=True)
class _Fitted:
    """What fitting learned besides the scorer: the matrix and its ids, item attributes,
    and popularity."""

    data: InteractionMatrix
    attributes: ItemAttributes | None
    popularity: np.ndarray  # (items,) total weight per item
    user_index: dict[str, int]
    item_index: dict[str, int]


class CFRecommender:
    """Implements ``ecomai.recommend.base.Recommender`` over a ``Scorer``."""

    def __init__(self, scorer: Scorer, weights: WeightOptions = WeightOptions()) -> None:
        self.scorer = scorer
        self.weights = weights
        self._fitted: _Fitted | None = None
        self._catalog: dict[str, str] = {}
        self._item_category = np.array([], dtype=str)
        self._in_catalog = np.array([], dtype=bool)

    @property
    def kind(self) -> str:
        return self.scorer.kind

    def fit(self, interactions: Sequence[Interaction], item_category: Mapping[str, str],
            item_attributes: Mapping[str, Collection[str]] | None = None) -> "CFRecommender":
        """Fit on the shop's events.

        Args:
            item_category: the catalog (SKU -> category).
            item_attributes: SKU -> attribute values ("category=shoes", "brand=Acme") the
                model may learn tastes from (``ecomai.recommend.attributes``); None: none.
        """
        events = events_from_interactions(interactions, self.weights.event_weights)
        return self.fit_events(events, item_category, item_attributes)

    def fit_events(self, events: Events, item_category: Mapping[str, str],
                   item_attributes: Mapping[str, Collection[str]] | None = None) -> "CFRecommender":
        """Fit on already weighted events (the benchmark's CSV input)."""
        data = build_matrix(events, list(item_category), self.weights)
        attributes = build_attributes(data.items, item_attributes) if item_attributes else None
        self.scorer.fit(augment(data.matrix, attributes, self.weights.attribute_weight))
        self._set_fitted(data, attributes)
        return self.with_catalog(item_category, in_place=True)

    def with_catalog(self, item_category: Mapping[str, str], in_place: bool = False) -> "CFRecommender":
        """This model answering for the catalog as it is now: products removed since
        training are never returned; products added since get cold-start answers."""
        target = self if in_place else self._copy()
        target._catalog = dict(item_category)
        items = self._data().items
        target._item_category = np.array([target._catalog.get(sku, "") for sku in items], dtype=str)
        target._in_catalog = np.array([sku in target._catalog for sku in items], dtype=bool)
        return target

    def recommend(self, request: RecommendRequest) -> list[str]:
        fitted = self._state()
        history = np.zeros(len(fitted.data.items), dtype=np.float32)
        user = fitted.user_index.get(request.customer_id, -1) if request.customer_id else -1
        if user >= 0:
            history += fitted.data.matrix.getrow(user).toarray().ravel()
        context = self._columns(request.context)
        context = context[fitted.popularity[context] > 0]  # a product nobody touched says nothing yet
        if len(context):
            strongest = max(self.weights.event_weights.values(), default=1.0)
            history[context] += self.weights.cell(np.array(strongest, dtype=np.float32))
            user = -1  # the history the scorer sees is no longer the trained one
        if history.any():
            rows = augment_rows(history[None, :], fitted.attributes, self.weights.attribute_weight)
            scores = self.scorer.score(np.array([user]), rows)[0, :len(history)]
            categories = [request.category] if request.category else None
        else:
            scores = fitted.popularity
            categories = self._cold_categories(request)
        allowed = self._allowed(categories, [*request.exclude, *request.context])
        return self._top(scores, allowed, request.k)

    def similar(self, sku: str, k: int = 5, exclude: Collection[str] = ()) -> list[str]:
        """'Customers also bought': the scorer's answer for a shopper whose whole history
        is this one product (for EASE that is exactly the item-item weights of ``sku``)."""
        return self.recommend(RecommendRequest(None, k=k, exclude=exclude, context=(sku,)))

    def knows(self, customer_id: str) -> bool:
        """Whether the model was trained on this customer's history."""
        return customer_id in self._state().user_index

    def save(self, path: Path) -> None:
        """Write the model to one file atomically (see ``ecomai.recommend.persist``)."""
        fitted = self._state()
        matrix = fitted.data.matrix
        arrays = {f"scorer.{name}": value for name, value in self.scorer.state().items()}
        arrays.update({
            "users": np.array(fitted.data.users, dtype=str), "items": np.array(fitted.data.items, dtype=str),
            "matrix.data": matrix.data, "matrix.indices": matrix.indices, "matrix.indptr": matrix.indptr,
            "catalog.skus": np.array(list(self._catalog), dtype=str),
            "catalog.categories": np.array(list(self._catalog.values()), dtype=str),
        })
        if fitted.attributes is not None:
            arrays.update({"attributes.names": np.array(fitted.attributes.names, dtype=str),
                           "attributes.indices": fitted.attributes.matrix.indices,
                           "attributes.indptr": fitted.attributes.matrix.indptr})
        manifest = {"kind": self.kind, "scorer": self.scorer.config(),
                    "weights": {"event_weights": dict(self.weights.event_weights),
                                "half_life_days": self.weights.half_life_days,
                                "log_scale": self.weights.log_scale,
                                "attribute_weight": self.weights.attribute_weight},
                    "users": len(fitted.data.users), "items": len(fitted.data.items)}
        save_model_file(path, manifest, arrays)

    @classmethod
    def load(cls, path: Path, device: str | None = None) -> "CFRecommender":
        """Read a saved model; ``device`` as in ``ecomai.device.choose_placement``.

        Raises:
            ModelFileError: see ``load_model_file``; or an unknown model kind.
        """
        manifest, arrays = load_model_file(path)
        scorer_type = _scorer_types().get(manifest.get("kind", ""))
        if scorer_type is None:
            raise ModelFileError(f"{path}: unknown recommender kind {manifest.get('kind')!r}")
        try:
            state = {name[len("scorer."):]: a for name, a in arrays.items() if name.startswith("scorer.")}
            scorer = scorer_type.from_state(manifest["scorer"], state, device=device)
            weights = WeightOptions(**manifest["weights"])
            users, items = tuple(arrays["users"].tolist()), tuple(arrays["items"].tolist())
            matrix = sparse.csr_matrix((arrays["matrix.data"], arrays["matrix.indices"], arrays["matrix.indptr"]),
                                       shape=(len(users), len(items)))
            catalog = dict(zip(arrays["catalog.skus"].tolist(), arrays["catalog.categories"].tolist()))
            attributes = _load_attributes(arrays, len(items))
        except (KeyError, TypeError, ValueError, InvalidInput) as exc:
            raise ModelFileError(f"{path}: inconsistent recommender model: {exc}") from None
        model = cls(scorer, weights)
        model._set_fitted(InteractionMatrix(users, items, matrix), attributes)
        return model.with_catalog(catalog, in_place=True)

    # -- internals -------------------------------------------------------------------

    def _set_fitted(self, data: InteractionMatrix, attributes: ItemAttributes | None) -> None:
        popularity = np.asarray(data.matrix.sum(axis=0), dtype=np.float32).ravel()
        self._fitted = _Fitted(data, attributes, popularity, data.user_index(), data.item_index())

    def _copy(self) -> "CFRecommender":
        clone = CFRecommender(self.scorer, self.weights)
        clone._fitted = self._fitted
        return clone

    def _state(self) -> _Fitted:
        if self._fitted is None:
            raise InvalidInput("the recommender is not fitted")
        return self._fitted

    def _data(self) -> InteractionMatrix:
        return self._state().data

    def _columns(self, skus: Collection[str]) -> np.ndarray:
        index = self._state().item_index
        return np.array(sorted({index[s] for s in skus if s in index}), dtype=np.int64)

    def _cold_categories(self, request: RecommendRequest) -> list[str] | None:
        if request.category:
            return [request.category]
        from_context = sorted({self._catalog[s] for s in request.context if s in self._catalog})
        return from_context or None

    def _allowed(self, categories: list[str] | None, excluded: Collection[str]) -> np.ndarray:
        allowed = self._in_catalog.copy()
        if categories is not None:
            allowed &= np.isin(self._item_category, categories)
        allowed[self._columns(excluded)] = False
        return allowed

    def _top(self, scores: np.ndarray, allowed: np.ndarray, k: int) -> list[str]:
        candidates = np.flatnonzero(allowed)
        if not len(candidates):
            return []
        # lexsort: last key first -> by score desc, then popularity desc, then column (= SKU order)
        order = np.lexsort((candidates, -self._state().popularity[candidates], -scores[candidates]))
        items = self._data().items
        return [items[c] for c in candidates[order[:k]]]


def _load_attributes(arrays: Mapping[str, np.ndarray], n_items: int) -> ItemAttributes | None:
    if "attributes.names" not in arrays:
        return None
    names = tuple(arrays["attributes.names"].tolist())
    indices, indptr = arrays["attributes.indices"], arrays["attributes.indptr"]
    ones = np.ones(len(indices), dtype=np.float32)
    return ItemAttributes(names, sparse.csr_matrix((ones, indices, indptr), shape=(n_items, len(names))))
