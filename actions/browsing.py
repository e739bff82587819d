"""What the conversation remembers of the shopper's browsing, in two slots: the last search
(for "show more" and follow-ups like "cheaper") and the products just shown (the context of
recommendations). Slots come back from Rasa as plain JSON, so they are read defensively:
anything malformed counts as "no previous search" rather than an error."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from ecomai import replies
from ecomai.errors import InvalidInput
from ecomai.search.index import SearchResult
from ecomai.search.query import ProductQuery
from ecomai.store.catalog import Product

logger = logging.getLogger(__name__)

PAGE_SIZE = 5
LAST_SEARCH_SLOT = "last_search"
SHOWN_SKUS_SLOT = "shown_skus"
MAX_CONTEXT_SKUS = 20


@dataclass(frozen=True)
class LastSearch:
    """The effective query of the last search (as its slot dict), the page shown, the match count."""

    query: Dict[str, Any]
    offset: int
    total: int


def last_search(tracker: Tracker) -> Optional[LastSearch]:
    value = tracker.get_slot(LAST_SEARCH_SLOT)
    if not isinstance(value, dict):
        return None
    query, offset, total = value.get("query"), value.get("offset"), value.get("total")
    if not (isinstance(query, dict) and isinstance(offset, int) and isinstance(total, int)
            and 0 <= offset and 0 <= total):
        logger.info("ignoring malformed %s slot", LAST_SEARCH_SLOT)
        return None
    try:
        ProductQuery.from_slot(query)
    except InvalidInput as error:
        logger.info("ignoring malformed %s slot: %s", LAST_SEARCH_SLOT, error)
        return None
    return LastSearch(query, offset, total)


def shown_skus(tracker: Tracker) -> List[str]:
    value = tracker.get_slot(SHOWN_SKUS_SLOT)
    if not isinstance(value, list):
        return []
    return [sku for sku in value if isinstance(sku, str)][:MAX_CONTEXT_SKUS]


def present_results(dispatcher: CollectingDispatcher, result: SearchResult, offset: int) -> List[Dict[str, Any]]:
    """Lead-in, product cards, then where this page sits with quick replies to go on;
    returns the slot events that let the next turn continue this search."""
    dispatcher.utter_message(text=replies.search_text(result))
    if not result.products:
        return [SlotSet(LAST_SEARCH_SLOT, None)]
    dispatcher.utter_message(json_message=replies.product_cards(result.products))
    shown = len(result.products)
    has_more = offset + shown < result.total
    dispatcher.utter_message(text=replies.results_page_text(offset, shown, result.total),
                             buttons=replies.search_followup_buttons(has_more))
    remembered = {"query": result.query.to_slot(), "offset": offset, "total": result.total}
    return [SlotSet(LAST_SEARCH_SLOT, remembered), shown_event(result.products)]


def shown_event(products: Sequence[Product]) -> SlotSet:
    return shown_event_for_skus([p.sku for p in products])


def shown_event_for_skus(skus: Sequence[str]) -> SlotSet:
    return SlotSet(SHOWN_SKUS_SLOT, list(skus)[:MAX_CONTEXT_SKUS])
