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


def cpu_threads() -> int:
    """Torch threads a process uses on the CPU: the cores we may use (cgroup/affinity
    aware), not every core the host has; ``ECOMAI_TORCH_THREADS`` overrides."""
    configured = os.environ.get("ECOMAI_TORCH_THREADS")
    return int(configured) if configured else _usable_cores()


def parallel_processes(jobs: int, requested: str | None = None) -> int:
    """How many independent training jobs (teachers) should run at once: one at a time
    on a GPU (each job fills it), else one per core we may use, up to ``jobs``.

    Why several on the CPU: one fine-tuning on two cores runs only 1.5 times as fast as
    on one (0.39 s against 0.59 s a MiniLM step, batch 32, on our 2-core machine), while
    two fine-tunings, one per core, run twice as fast."""
    if choose_placement(requested).is_cuda:
        return 1
    return max(1, min(jobs, _usable_cores()))


def threads_per_process(processes: int) -> int:
    """Torch threads for each of ``processes`` concurrent CPU jobs: :func:`cpu_threads`
    shared out between them, at least one each."""
    return max(1, cpu_threads() // processes)


def _usable_cores() -> int:
    """Cores this process may run on (cgroup/affinity aware)."""
    return max(1, len(os.sched_getaffinity(0)))


def _set_cpu_threads() -> None:
    threads = cpu_threads()
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
