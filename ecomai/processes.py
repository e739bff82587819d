"""Run independent CPU-bound jobs (the distillation teachers' fine-tuning) in worker
processes, each with its share of the torch threads (``ecomai.device.threads_per_process``).

Why processes and not threads: fine-tuning holds the GIL between kernels, and one job
uses a second core poorly (see ``ecomai.device.parallel_processes``). Why "spawn": a
forked child of a process whose OpenMP pool is running can deadlock, and spawn is how
torch's own multiprocessing notes say to start workers that use torch.

Workers share tqdm's lock and each draws its progress bars on its own terminal row, so
bars of concurrent jobs do not overwrite each other.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.sharedctypes import Synchronized
from typing import Any, Callable, Sequence, TypeVar

import torch
from tqdm.auto import tqdm

from ecomai.device import threads_per_process

Job = TypeVar("Job")
Result = TypeVar("Result")
_slot: int | None = None  # this worker's terminal row; None in the main process


def map_in_processes(function: Callable[[Job], Result], jobs: Sequence[Job], processes: int) -> list[Result]:
    """``[function(job) for job in jobs]``, computed by up to ``processes`` spawned workers
    (in this process when one is enough). ``function`` and the jobs must pickle; the
    first job that raises makes this raise its error after the workers stop."""
    processes = min(processes, len(jobs))
    if processes <= 1:
        return [function(job) for job in jobs]
    context = multiprocessing.get_context("spawn")
    next_slot = context.Value("i", 0)
    with ProcessPoolExecutor(processes, mp_context=context, initializer=_start_worker,
                             initargs=(context.RLock(), next_slot, threads_per_process(processes))) as pool:
        return list(pool.map(function, jobs))


def progress_row() -> int | None:
    """The tqdm ``position`` for this process's bars: the worker's own row, or None
    (tqdm's default) outside workers."""
    return _slot


def _start_worker(bar_lock: Any, next_slot: Synchronized, threads: int) -> None:
    global _slot
    tqdm.set_lock(bar_lock)
    os.environ["ECOMAI_TORCH_THREADS"] = str(threads)  # ecomai.device reads it at placement
    torch.set_num_threads(threads)
    with next_slot.get_lock():
        _slot = next_slot.value
        next_slot.value += 1
