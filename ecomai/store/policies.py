"""The shop's policy answers (shipping, payment, returns...) as seeded from ``policies.yml``.

The bot answers policy questions from these rows, so a shop changes its wording or
numbers in data, never in code.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Engine

from ecomai.errors import NotFound
from ecomai.store.db import store_errors
from ecomai.store.schema import policies, shop_settings


@store_errors()
def policy_answer(engine: Engine, topic: str) -> str:
    """The shop's answer for ``topic`` (e.g. 'shipping', 'returns_policy').

    Raises:
        NotFound: the shop has no answer for that topic.
    """
    key = topic.strip().lower()
    with engine.connect() as conn:
        answer = conn.execute(select(policies.c.answer).where(policies.c.topic == key)).scalar_one_or_none()
    if answer is None:
        raise NotFound(f"no policy answer for topic {key!r}")
    return str(answer)


@store_errors()
def policy_topics(engine: Engine) -> list[str]:
    """Every topic the shop has an answer for, sorted."""
    with engine.connect() as conn:
        return list(conn.execute(select(policies.c.topic).order_by(policies.c.topic)).scalars())


@store_errors()
def shop_setting(engine: Engine, key: str) -> str:
    """A raw shop setting from ``policies.yml`` (e.g. 'free_shipping_threshold', 'currency').

    Raises:
        NotFound: the setting does not exist.
    """
    with engine.connect() as conn:
        value = conn.execute(select(shop_settings.c.value).where(shop_settings.c.key == key)).scalar_one_or_none()
    if value is None:
        raise NotFound(f"no shop setting {key!r}")
    return str(value)
