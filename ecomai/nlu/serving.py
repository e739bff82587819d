"""Messages that arrive together are classified together, off the event loop.

Rasa 3.6 runs its NLU pipeline one message at a time, synchronously, on the server's
event loop (``MessageProcessor._parse_message_with_graph`` hands the graph a single
message, and dask's synchronous scheduler runs it). Fifty shoppers typing at once would
each wait for the others' encoder passes, one by one. So the websocket channel asks a
:class:`BatchedPredictor` first: one thread owns the model and classifies whatever
messages are waiting as one batch, while the event loop goes on reading sockets; Rasa's
component then takes the ready prediction instead of running the encoder again.
"""

from __future__ import annotations

import asyncio

from ecomai.batching import BatchOptions, BatchWorker
from ecomai.nlu.model import NluPrediction, ShopNluModel

# On a GPU a pass over a few dozen short messages costs little more than over one (the
# kernels are launch-bound at these sizes), so a message there waits up to this long for
# others to share its pass. On the CPU the cost grows with the batch: no waiting, only
# what queued while the previous batch ran.
GPU_BATCH_WINDOW_S = 0.005
MAX_BATCH = 64


class BatchedPredictor:
    """``model.predict`` for one message at a time from many coroutines, batched.

    Args:
        model: a loaded model. Its ``predict`` may still be called directly meanwhile
            (Rasa's component does, for messages that did not come this way): ONNX
            Runtime sessions and torch inference are safe to call from two threads.
        options: default: batches of up to 64, and the GPU window above on CUDA.
    """

    def __init__(self, model: ShopNluModel, options: BatchOptions | None = None) -> None:
        self.model = model
        window = GPU_BATCH_WINDOW_S if model.device.type == "cuda" else 0.0
        self.worker: BatchWorker[str, NluPrediction] = BatchWorker(
            lambda: model.predict, options or BatchOptions(max_batch=MAX_BATCH, window_s=window), "nlu-worker")

    async def predict(self, text: str) -> NluPrediction:
        """Intent and sentiment of ``text``, from a batch with any messages queued with it."""
        return await asyncio.wrap_future(self.worker.submit(text))

    def close(self) -> None:
        """Finish the queued messages and end the thread (see ``BatchWorker.close``)."""
        self.worker.close()
