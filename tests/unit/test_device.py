from __future__ import annotations

import pytest
import torch

from ecomai.device import choose_placement, parallel_processes, threads_per_process


def test_cpu_is_float32() -> None:
    placement = choose_placement("cpu")
    assert placement.device == torch.device("cpu") and placement.dtype == torch.float32
    assert not placement.is_cuda


def test_environment_chooses_when_not_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECOMAI_DEVICE", "cpu")
    monkeypatch.setenv("ECOMAI_TORCH_THREADS", "1")
    before = torch.get_num_threads()
    try:
        assert choose_placement().device.type == "cpu"
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the fallback where there is no GPU")
def test_cuda_without_a_gpu_falls_back_to_cpu(caplog: pytest.LogCaptureFixture) -> None:
    assert choose_placement("cuda").device.type == "cpu"
    assert "not available" in caplog.text


@pytest.mark.requires_cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_cuda_is_half_precision() -> None:
    placement = choose_placement("cuda")
    assert placement.is_cuda and placement.dtype == torch.float16


def test_parallel_jobs_get_one_process_per_core_and_share_the_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1, 2, 3})
    monkeypatch.delenv("ECOMAI_TORCH_THREADS", raising=False)
    before = torch.get_num_threads()
    try:
        assert [parallel_processes(jobs, "cpu") for jobs in (1, 3, 6)] == [1, 3, 4]
        assert [threads_per_process(processes) for processes in (1, 3, 4, 8)] == [4, 1, 1, 1]
        monkeypatch.setenv("ECOMAI_TORCH_THREADS", "8")  # threads asked for are shared out too
        assert threads_per_process(2) == 4
    finally:
        torch.set_num_threads(before)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU layout")
def test_a_gpu_request_without_a_gpu_still_parallelises_on_the_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setenv("ECOMAI_TORCH_THREADS", "1")
    assert parallel_processes(6, "cuda") == 2
