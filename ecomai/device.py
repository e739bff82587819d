"""The only place where cuda/cpu and the compute dtype are chosen.

Everything else asks the model it was given (``next(model.parameters()).device``), the
way openai-whisper does after ``load_model``. ``ECOMAI_DEVICE`` overrides the choice
(``cpu``, ``cuda``, ``cuda:1``), e.g. to benchmark the CPU on a GPU machine.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import torch

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Placement:
    """Where a model runs and in which floating-point type.

    Attributes:
        device: torch device for weights and inputs.
        dtype: float16 on CUDA (half the memory, tensor cores), float32 on CPU.
    """

    device: torch.device
    dtype: torch.dtype

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"


def choose_placement(requested: str | None = None) -> Placement:
    """Pick the device once, at model load.

    Args:
        requested: "cpu", "cuda", "cuda:N" or None/"auto" (``ECOMAI_DEVICE``, else cuda when
            available). Asking for cuda where there is none falls back to cpu with a warning.
    """
    wanted = (requested or os.environ.get("ECOMAI_DEVICE") or "auto").lower()
    if wanted == "auto":
        wanted = "cuda" if torch.cuda.is_available() else "cpu"
    if wanted.startswith("cuda") and not torch.cuda.is_available():
        logger.warning("device %s requested but CUDA is not available; using cpu", wanted)
        wanted = "cpu"
    device = torch.device(wanted)
    if device.type == "cpu":
        _set_cpu_threads()
        return Placement(device, torch.float32)
    return Placement(device, torch.float16)


def _set_cpu_threads() -> None:
    """Use the cores we may use (cgroup/affinity aware), not every core the host has;
    ``ECOMAI_TORCH_THREADS`` overrides."""
    configured = os.environ.get("ECOMAI_TORCH_THREADS")
    threads = int(configured) if configured else max(1, len(os.sched_getaffinity(0)))
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
