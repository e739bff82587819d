"""The load bench's script and its guard rails (checked before any connection)."""

from __future__ import annotations

import pytest

pytest.importorskip("aiohttp")  # the REST peer's client; absent where Rasa is not installed

from ecomai.bench.load import SCRIPT, check_options, script_for  # noqa: E402
from ecomai.errors import InvalidInput  # noqa: E402

WS, REST = "ws://127.0.0.1:5005/webhooks/ecomai/ws", "http://localhost:5005/webhooks/rest/webhook"


def test_scripts_are_varied_and_rotated_per_client() -> None:
    assert len(set(SCRIPT)) == len(SCRIPT) >= 10
    assert script_for(0, 3) == list(SCRIPT[:3])
    assert script_for(1, 2) == [SCRIPT[1], SCRIPT[2]]
    assert len(script_for(3, 45)) == 45


def test_local_options_are_accepted() -> None:
    check_options(WS, REST, clients=50, turns=20, timeout_s=60)
    check_options("ws://localhost:1/x", "http://[::1]:2/y", clients=1, turns=1, timeout_s=0.5)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"ws_url": "ws://shop.example.com/ws"},
        {"rest_url": "http://10.0.0.1:5005/webhooks/rest/webhook"},
        {"ws_url": "http://127.0.0.1:5005/ws"},
        {"rest_url": "https://localhost/webhook"},
        {"clients": 0}, {"clients": 501}, {"turns": 0}, {"turns": 1001},
        {"timeout_s": 0}, {"timeout_s": 601},
    ],
)
def test_unsafe_or_unbounded_options_are_refused(kwargs: dict) -> None:
    options = {"ws_url": WS, "rest_url": REST, "clients": 2, "turns": 2, "timeout_s": 5.0, **kwargs}
    with pytest.raises(InvalidInput):
        check_options(**options)
