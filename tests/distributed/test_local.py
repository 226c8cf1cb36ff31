"""What works without mpiexec: errors before init, the sampler's arithmetic, launch commands."""

from __future__ import annotations

import os

import pytest

import neuronet
import neuronet.distributed as dist
from neuronet.distributed.launch import mpiexec_command
from neuronet.utils.data import DistributedSampler


def test_calls_before_init_raise_clearly() -> None:
    assert not dist.is_initialized()
    for call in (dist.get_rank, dist.get_world_size, dist.barrier,
                 lambda: dist.all_reduce(neuronet.ones(2))):
        with pytest.raises(RuntimeError, match="init_process_group"):
            call()
    with pytest.raises(ValueError, match="backend 'nccl' is not available"):
        dist.init_process_group("nccl")
    with pytest.raises(ValueError, match="timeout must be a positive"):
        dist.init_process_group("mpi", timeout=-1)
    with pytest.raises(RuntimeError, match="has not been initialized"):
        neuronet.nn.parallel.DistributedDataParallel(neuronet.nn.Linear(2, 2))


def test_sampler_matches_pytorch_splitting_without_shuffle() -> None:
    torch = pytest.importorskip("torch")
    from torch.utils.data import DistributedSampler as TorchSampler

    for n, replicas, drop_last in ((10, 3, False), (10, 3, True), (2, 5, False), (12, 4, True)):
        for rank in range(replicas):
            ours = list(DistributedSampler(range(n), replicas, rank, shuffle=False,
                                           drop_last=drop_last))
            theirs = list(TorchSampler(range(n), replicas, rank, shuffle=False,
                                       drop_last=drop_last))
            assert ours == theirs, (n, replicas, rank, drop_last)
            assert len(ours) == len(DistributedSampler(range(n), replicas, rank,
                                                       drop_last=drop_last))
    assert torch is not None


def test_sampler_validates() -> None:
    with pytest.raises(ValueError, match="Invalid rank 3"):
        DistributedSampler(range(4), num_replicas=3, rank=3)
    with pytest.raises(ValueError, match="num_replicas must be a positive integer"):
        DistributedSampler(range(4), num_replicas=0, rank=0)
    with pytest.raises(RuntimeError, match="process group is not initialized"):
        DistributedSampler(range(4))


def test_sampler_shuffle_is_seeded_by_epoch() -> None:
    a = DistributedSampler(range(50), 2, 0, seed=5)
    b = DistributedSampler(range(50), 2, 0, seed=5)
    assert list(a) == list(b)
    b.set_epoch(1)
    assert list(a) != list(b)
    other = DistributedSampler(range(50), 2, 1, seed=5)
    other.set_epoch(1)
    assert sorted(list(b) + list(other)) == list(range(50))  # the ranks split one permutation


def test_mpiexec_command_sets_threads_and_root_flags(tmp_path) -> None:
    fake = tmp_path / "mpiexec"
    fake.write_text("#!/bin/sh\necho 'mpiexec (Open MPI) 5.0'\n")
    fake.chmod(0o755)
    command = mpiexec_command(4, ["python", "train.py"], mpiexec=str(fake), oversubscribe=True)
    assert command[:3] == [str(fake), "-n", "4"] and command[-2:] == ["python", "train.py"]
    assert "--oversubscribe" in command and "OPENBLAS_NUM_THREADS=1" in command
    assert ("--allow-run-as-root" in command) == (os.geteuid() == 0)
    with pytest.raises(ValueError, match="nprocs must be a positive integer"):
        mpiexec_command(0, ["python"], mpiexec=str(fake))
