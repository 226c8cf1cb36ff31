"""Collectives, DistributedDataParallel and DistributedSampler under `mpiexec -n 2` and
`-n 4` (oversubscribed): one launch per world size, each running every check on all ranks;
each check is reported as its own test."""

from __future__ import annotations

import json

import pytest
from distributed_helpers import mpi_or_skip, mpirun

GROUPS = ("collectives", "ddp", "sampler", "keras", "async")
CHECK_NAMES = [
    "all_reduce_ops", "all_reduce_non_contiguous_and_async", "reduce_broadcast_gather_barrier",
    "collective_errors", "initial_parameters_broadcast", "equals_one_process_sgd",
    "equals_one_process_adam", "equals_one_process_float32", "small_buckets_and_no_overlap",
    "batchnorm_per_process_statistics", "sync_batchnorm_equals_big_batch",
    "no_sync_accumulates", "shared_and_unused_parameters", "sampler_partitions_and_epochs",
    "keras_fit_data_parallel_equals_one_process", "parameter_server_bounded_staleness",
]

_RESULTS: dict[int, dict] = {}


def _results(nprocs: int, tmp_path_factory: pytest.TempPathFactory) -> dict:
    if nprocs not in _RESULTS:
        out = tmp_path_factory.mktemp(f"mpi{nprocs}") / "results.json"
        done = mpirun(nprocs, "checks.py", str(out), *GROUPS, timeout=240)
        assert done.returncode == 0, done.stdout + done.stderr
        _RESULTS[nprocs] = json.loads(out.read_text())
    return _RESULTS[nprocs]


@pytest.mark.parametrize("nprocs", [2, 4])
@pytest.mark.parametrize("name", CHECK_NAMES)
def test_check(name: str, nprocs: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    mpi_or_skip()
    results = _results(nprocs, tmp_path_factory)
    assert name in results, f"check {name} did not run; ran {sorted(results)}"
    assert results[name] == "ok", results[name]


def test_every_check_is_listed(tmp_path_factory: pytest.TempPathFactory) -> None:
    mpi_or_skip()
    assert sorted(_results(2, tmp_path_factory)) == sorted(CHECK_NAMES)
