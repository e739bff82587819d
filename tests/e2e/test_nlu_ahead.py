"""The websocket channel's batched prediction reaches Rasa's real pipeline: the trained
model archive loaded by Rasa's own agent, a message parsed by its own processor, which
hands our component the message id it was classified under."""

from __future__ import annotations

import pytest
from rasa.core.agent import load_agent
from rasa.core.channels.channel import UserMessage

from bot import components
from ecomai.nlu.model import NluPrediction

from .conftest import MODEL


async def test_rasas_pipeline_takes_the_prediction_made_ahead() -> None:
    if not MODEL.exists():
        pytest.fail("no trained model: run `make train` (make test does it)")
    agent = await load_agent(model_path=str(MODEL))
    message = UserMessage("where is my order EC123456", sender_id="ahead")
    await components.predict_ahead(message.message_id, message.text)
    model, text, made_ahead = components._ready[message.message_id]
    assert made_ahead.intent == "order_status" and text == message.text

    stand_in = NluPrediction("request_human", 0.777, (("request_human", 0.777),), "negative", 0.666)
    components._ready[message.message_id] = (model, text, stand_in)  # recognisable when Rasa reads it
    try:
        parsed = await agent.processor.parse_message(message)
    finally:
        components.forget_prediction(message.message_id)
    assert parsed["intent"] == {"name": "request_human", "confidence": 0.777}
    assert parsed["sentiment"] == {"label": "negative", "score": 0.666}
    assert any(entity["entity"] == "order_number" for entity in parsed["entities"])  # the rest of the pipeline ran

    fresh = await agent.processor.parse_message(UserMessage("where is my order EC123456", sender_id="ahead"))
    assert fresh["intent"]["name"] == "order_status"  # no prediction made ahead: the component classifies
