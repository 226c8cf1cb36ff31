"""`DistributedSampler`: each rank's share of a dataset, the same number of samples per rank.

Formula (n samples, P ranks, rank r):
    order = permutation(n) from seed + epoch      (or 0..n-1 without shuffle)
    drop_last=False: per_rank = ceil(n / P); order is padded by repeating its head
    drop_last=True:  per_rank = floor(n / P); the tail of order is dropped
    rank r takes order[r], order[r + P], order[r + 2P], ...   (per_rank indices)
Every rank must call `set_epoch(epoch)` before each epoch so the shuffles differ per epoch
but agree across ranks. Equal per-rank counts give equal batch counts, so no rank waits in a
collective for a batch another rank never has. The permutation comes from NumPy's PCG64
seeded with seed + epoch (the same on every rank; not bit-identical to torch.randperm).

Example:
    >>> [list(DistributedSampler(range(5), num_replicas=2, rank=r, shuffle=False))
    ...  for r in (0, 1)]
    [[0, 2, 4], [1, 3, 0]]
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator, Sized

import numpy as np

from .sampler import Sampler

__all__ = ["DistributedSampler"]


def _group_default(what: str) -> int:
    from ... import distributed as dist

    if not dist.is_initialized():
        raise RuntimeError(f"DistributedSampler: {what} was not given and the default process "
                           "group is not initialized; pass num_replicas= and rank= or call "
                           "neuronet.distributed.init_process_group first")
    return dist.get_world_size() if what == "num_replicas" else dist.get_rank()


class DistributedSampler(Sampler):
    """Indices of this rank's share of `dataset` (PyTorch's arguments and defaults).

    Args:
        dataset: the dataset (only its length is used).
        num_replicas: number of ranks (default: the process group's world size).
        rank: this rank (default: the process group's rank).
        shuffle: a new permutation per epoch (seed + epoch), identical on every rank.
        seed: base seed; must be the same on every rank.
        drop_last: drop the tail so the ranks split the data evenly instead of padding.
    """

    def __init__(self, dataset: Sized, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False) -> None:
        if num_replicas is None:
            num_replicas = _group_default("num_replicas")
        if rank is None:
            rank = _group_default("rank")
        if isinstance(num_replicas, bool) or not isinstance(num_replicas, numbers.Integral) or (
                num_replicas < 1):
            raise ValueError(f"DistributedSampler: num_replicas must be a positive integer, "
                             f"received num_replicas={num_replicas!r}")
        if isinstance(rank, bool) or not isinstance(rank, numbers.Integral) or not (
                0 <= rank < num_replicas):
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval "
                             f"[0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas, self.rank = int(num_replicas), int(rank)
        self.shuffle, self.seed, self.drop_last = bool(shuffle), int(seed), bool(drop_last)
        self.epoch = 0
        n = len(dataset)
        if self.drop_last and n % self.num_replicas:
            self.num_samples = math.ceil((n - self.num_replicas) / self.num_replicas)
        else:
            self.num_samples = math.ceil(n / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas

    def set_epoch(self, epoch: int) -> None:
        """Choose this epoch's shuffle (call on every rank before iterating)."""
        self.epoch = int(epoch)

    def _index_array(self) -> np.ndarray:
        n = len(self.dataset)
        if self.shuffle:
            order = np.random.default_rng(self.seed + self.epoch).permutation(n)
        else:
            order = np.arange(n, dtype=np.int64)
        pad = self.total_size - n
        if pad > 0 and n > 0:
            order = np.concatenate([order, np.resize(order, pad)])
        else:
            order = order[: self.total_size]
        return order[self.rank : self.total_size : self.num_replicas].astype(np.int64)

    def __iter__(self) -> Iterator[int]:
        return iter(self._index_array().tolist())

    def __len__(self) -> int:
        return self.num_samples
