"""The outbox keeps pushed frames for an absent shopper, within every bound."""

from __future__ import annotations

import logging

import pytest

from ecomai.chat.outbox import Outbox, OutboxLimits
from ecomai.errors import InvalidInput


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def clock() -> Clock:
    return Clock()


def test_frames_are_delivered_once_in_order(clock: Clock) -> None:
    box = Outbox(OutboxLimits(), clock)
    box.push("s1", "a")
    box.push("s1", "b")
    box.push("s2", "x")
    assert box.pending("s1") == 2
    assert box.drain("s1") == ["a", "b"]
    assert box.drain("s1") == []
    assert box.drain("s2") == ["x"]
    assert len(box) == 0


def test_unknown_session_drains_nothing(clock: Clock) -> None:
    assert Outbox(OutboxLimits(), clock).drain("nobody") == []


def test_full_session_drops_oldest_with_warning(clock: Clock, caplog: pytest.LogCaptureFixture) -> None:
    box = Outbox(OutboxLimits(max_frames=3), clock)
    with caplog.at_level(logging.WARNING, logger="ecomai.chat.outbox"):
        for frame in "abcde":
            box.push("s1", frame)
    assert box.drain("s1") == ["c", "d", "e"]
    assert sum("dropped oldest" in r.getMessage() for r in caplog.records) == 2


def test_stale_frames_are_dropped_on_drain(clock: Clock, caplog: pytest.LogCaptureFixture) -> None:
    box = Outbox(OutboxLimits(max_age_s=60), clock)
    box.push("s1", "old")
    clock.now += 50
    box.push("s1", "new")
    clock.now += 20
    with caplog.at_level(logging.WARNING, logger="ecomai.chat.outbox"):
        assert box.drain("s1") == ["new"]
    assert any("stale" in r.getMessage() for r in caplog.records)


def test_prune_frees_sessions_that_never_return(clock: Clock) -> None:
    box = Outbox(OutboxLimits(max_age_s=60), clock)
    box.push("gone", "a")
    box.push("gone", "b")
    clock.now += 30
    box.push("recent", "c")
    clock.now += 40
    assert box.prune() == 2
    assert len(box) == 1 and box.drain("recent") == ["c"]


def test_session_limit_evicts_the_idlest_session(clock: Clock) -> None:
    box = Outbox(OutboxLimits(max_sessions=2), clock)
    box.push("s1", "a")
    box.push("s2", "b")
    box.push("s1", "c")  # s1 is now the most recently used
    box.push("s3", "d")
    assert box.drain("s2") == []
    assert box.drain("s1") == ["a", "c"] and box.drain("s3") == ["d"]


@pytest.mark.parametrize("kwargs", [{"max_frames": 0}, {"max_age_s": 0}, {"max_sessions": 0}])
def test_limits_are_checked(kwargs: dict) -> None:
    with pytest.raises(InvalidInput):
        OutboxLimits(**kwargs)
