import pytest
from sqlalchemy.engine import Engine

from ecomai.errors import NotFound
from ecomai.store import policy_answer, policy_topics, shop_setting


def test_policy_topics(engine: Engine) -> None:
    assert policy_topics(engine) == ["delivery_time", "human_hours", "payment", "returns_policy", "shipping",
                                     "sizes"]


def test_policy_answer_is_the_shops_paragraph(engine: Engine) -> None:
    assert "30 days" in policy_answer(engine, "returns_policy")
    assert "PayPal" in policy_answer(engine, " Payment ")


def test_unknown_topic(engine: Engine) -> None:
    with pytest.raises(NotFound):
        policy_answer(engine, "crypto")


def test_shop_setting(engine: Engine) -> None:
    assert float(shop_setting(engine, "free_shipping_threshold")) > 0
    with pytest.raises(NotFound):
        shop_setting(engine, "nope")
