from __future__ import annotations

import threading
from typing import Callable

import pytest

from ecomai.batching import BatchFunction, BatchOptions, BatchWorker
from ecomai.errors import InvalidInput, ModelFileError


def squares_after(gate: threading.Event, loads: list[int]) -> Callable[[], BatchFunction[int, int]]:
    """A loader that holds the worker until ``gate`` opens (so requests can queue up)."""
    def load() -> BatchFunction[int, int]:
        gate.wait(5)
        loads.append(1)
        return lambda items: [item * item for item in items]
    return load


def test_requests_waiting_together_are_one_batch_and_the_model_loads_once() -> None:
    gate, loads = threading.Event(), []
    worker = BatchWorker(squares_after(gate, loads), BatchOptions(max_batch=3))
    futures = [worker.submit(n) for n in range(4)]
    gate.set()
    assert [f.result(timeout=5) for f in futures] == [0, 1, 4, 9]
    assert worker.batch_sizes == [3, 1] and loads == [1]


def test_a_model_that_fails_to_load_fails_every_request_clearly() -> None:
    def load() -> BatchFunction[int, int]:
        raise ModelFileError("model.bin is truncated")

    worker: BatchWorker[int, int] = BatchWorker(load)
    for _ in range(2):
        with pytest.raises(ModelFileError, match="truncated"):
            worker.submit(1).result(timeout=5)


def test_a_bad_item_fails_alone_not_its_batch_mates() -> None:
    gate = threading.Event()

    def load() -> BatchFunction[int, float]:
        gate.wait(5)
        return lambda items: [1 / item for item in items]

    worker = BatchWorker(load)
    good, bad = worker.submit(4), worker.submit(0)
    gate.set()
    assert good.result(timeout=5) == 0.25
    with pytest.raises(ZeroDivisionError):
        bad.result(timeout=5)
    assert worker.batch_sizes == [2]


def test_batch_options_are_checked() -> None:
    with pytest.raises(InvalidInput):
        BatchOptions(max_batch=0)
    with pytest.raises(InvalidInput):
        BatchOptions(window_s=2)


def test_a_closed_worker_serves_what_was_queued_then_refuses_more() -> None:
    gate = threading.Event()
    worker = BatchWorker(squares_after(gate, []), BatchOptions(max_batch=2))
    queued = [worker.submit(n) for n in (2, 3, 4)]
    worker.close()
    gate.set()
    assert [f.result(timeout=5) for f in queued] == [4, 9, 16]
    with pytest.raises(InvalidInput, match="closed"):
        worker.submit(5)
    assert worker._thread is not None
    worker._thread.join(timeout=5)
    assert not worker._thread.is_alive()  # the thread, and the model it held, are gone
