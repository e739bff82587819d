from __future__ import annotations

import os

import pytest
import torch

from ecomai.processes import map_in_processes, progress_row


def worker_view(job: int) -> tuple[int, int, int | None, str | None, int]:
    """What a job sees of its process; module level, so a spawned worker can import it."""
    if job < 0:
        raise ValueError(f"job {job} refused")
    return job * job, torch.get_num_threads(), progress_row(), os.environ.get("ECOMAI_TORCH_THREADS"), os.getpid()


def test_one_process_runs_the_jobs_here_in_order() -> None:
    results = map_in_processes(worker_view, [1, 2, 3], processes=1)
    assert [square for square, *_ in results] == [1, 4, 9]
    assert {pid for *_, pid in results} == {os.getpid()} and {row for _, _, row, _, _ in results} == {None}


def test_workers_return_results_in_job_order_each_on_its_own_row_and_thread_share(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECOMAI_TORCH_THREADS", "4")  # two workers get two threads each
    results = map_in_processes(worker_view, [3, 1, 2, 5], processes=2)
    assert [square for square, *_ in results] == [9, 1, 4, 25]
    assert os.getpid() not in {pid for *_, pid in results}
    assert {(threads, env) for _, threads, _, env, _ in results} == {(2, "2")}
    rows = {pid: row for _, _, row, _, pid in results}
    assert sorted(set(rows.values())) == list(range(len(rows))) and len(rows) <= 2


def test_a_failing_job_raises_its_own_error_in_the_caller() -> None:
    with pytest.raises(ValueError, match="job -1 refused"):
        map_in_processes(worker_view, [2, -1], processes=2)
