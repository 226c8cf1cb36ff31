"""``DataLoader``: iterate over a dataset in (shuffled) mini-batches, as in PyTorch.

Each epoch: the sampler gives indices, ``BatchSampler`` groups them, the dataset is indexed
and ``collate_fn`` (``default_collate``) merges the samples into one batch.

Fast path: with the default ``collate_fn``, a dataset that can gather a whole batch at once
(``TensorDataset``, a ``Subset`` of one, ``vision.datasets.MNIST`` with no transform or a
ToTensor/Normalize one) is indexed by one fancy index per tensor instead of one Python call
per sample; the batches are identical to the slow path's.

Workers: ``num_workers`` is accepted for compatibility, but loading always happens in the
main process (NumPy gathers are already faster than process hand-offs for in-memory data).

Example:
    >>> import neuronet
    >>> from neuronet.utils.data import TensorDataset
    >>> ds = TensorDataset(neuronet.arange(10).float().reshape(5, 2), neuronet.arange(5))
    >>> loader = DataLoader(ds, batch_size=2)
    >>> len(loader), [tuple(y.tolist()) for _, y in loader]
    (3, [(0, 1), (2, 3), (4,)])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from .collate import default_collate, default_convert
from .dataset import Dataset, IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader"]


def _check_arguments(loader: DataLoader, shuffle: Any, sampler: Any, batch_sampler: Any,
                     num_workers: Any) -> None:
    if isinstance(num_workers, bool) or not isinstance(num_workers, int) or num_workers < 0:
        raise ValueError(
            f"DataLoader: num_workers option should be a non-negative integer, "
            f"received num_workers={num_workers!r}"
        )
    if isinstance(loader.dataset, IterableDataset):
        if shuffle not in (None, False):
            raise ValueError(
                f"DataLoader with IterableDataset: expected unspecified shuffle option, "
                f"but got shuffle={shuffle!r} (an IterableDataset gives its own order)"
            )
        if sampler is not None or batch_sampler is not None:
            raise ValueError(
                "DataLoader with IterableDataset: expected unspecified sampler and "
                "batch_sampler options"
            )
        return
    if sampler is not None and shuffle:
        raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
    if batch_sampler is not None and (
        loader.batch_size != 1 or shuffle or sampler is not None or loader.drop_last
    ):
        raise ValueError(
            "DataLoader: batch_sampler option is mutually exclusive with batch_size, "
            "shuffle, sampler, and drop_last"
        )


class DataLoader:
    """Batches of samples from ``dataset``, reshuffled every epoch when ``shuffle=True``.

    Args:
        dataset: a map-style ``Dataset`` (``__getitem__``/``__len__``) or an
            ``IterableDataset``.
        batch_size: samples per batch; None turns batching off (samples are yielded one by
            one, NumPy arrays converted to tensors).
        shuffle: a new random order each epoch (a ``RandomSampler``).
        sampler: the order of indices (excludes ``shuffle``).
        batch_sampler: yields whole lists of indices (excludes ``batch_size``, ``shuffle``,
            ``sampler`` and ``drop_last``).
        num_workers: accepted for PyTorch compatibility; loading runs in this process.
        collate_fn: merges a list of samples into a batch (default ``default_collate``).
        drop_last: drop the last batch when it is smaller than ``batch_size``.
        generator: the ``neuronet.Generator`` used for shuffling (default: the global
            source seeded by ``neuronet.manual_seed``).
        pin_memory, timeout, worker_init_fn, prefetch_factor, persistent_workers,
        multiprocessing_context, pin_memory_device, in_order: accepted and ignored (they
            concern worker processes and GPUs).

    Example:
        ``for data, target in DataLoader(train_set, batch_size=64, shuffle=True): ...``
    """

    def __init__(
        self,
        dataset: Dataset | Iterable[Any],
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Sampler | Iterable[Any] | None = None,
        batch_sampler: Sampler | Iterable[list[Any]] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[list[Any]], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: Any = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.generator = generator
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self._is_iterable = isinstance(dataset, IterableDataset)
        _check_arguments(self, shuffle, sampler, batch_sampler, num_workers)
        if batch_size is None and drop_last:
            raise ValueError(
                "DataLoader: batch_size=None option disables auto-batching and is mutually "
                "exclusive with drop_last"
            )
        if batch_size is not None and batch_sampler is None:
            if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
                raise ValueError(
                    f"DataLoader: batch_size should be a positive integer or None, "
                    f"received batch_size={batch_size!r}"
                )
        if sampler is None and not self._is_iterable:
            sampler = (RandomSampler(dataset, generator=generator) if shuffle
                       else SequentialSampler(dataset))
        if batch_sampler is not None:  # the user's: it decides the batch sizes (as PyTorch)
            self.batch_size = None
            self.drop_last = False
        elif batch_size is not None and not self._is_iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self._default_collate = collate_fn is None or collate_fn is default_collate
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None or (self._is_iterable and self.batch_size is not None)

    def __len__(self) -> int:
        if self._is_iterable:
            n = len(self.dataset)  # type: ignore[arg-type]  # TypeError if it has no length
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        if self.batch_sampler is not None:
            return len(self.batch_sampler)  # type: ignore[arg-type]
        return len(self.sampler)  # type: ignore[arg-type]

    def __iter__(self) -> _DataLoaderIter:
        return _DataLoaderIter(self, self._batches())

    # --- the three ways of producing batches ---------------------------------------------
    def _batches(self) -> Iterator[Any]:
        if self._is_iterable:
            return self._iterable_batches()
        if self.batch_sampler is None:  # batch_size=None: one sample at a time
            return (self.collate_fn(self.dataset[i]) for i in self.sampler)
        getter = self._fast_getter()
        if getter is not None:
            index_batches = getattr(self.batch_sampler, "_index_batches", lambda: None)()
            if index_batches is None:
                index_batches = (np.asarray(b, dtype=np.int64) for b in self.batch_sampler)
            return (getter(indices) for indices in index_batches)
        return (self._fetch(indices) for indices in self.batch_sampler)

    def _fast_getter(self) -> Callable[[np.ndarray], Any] | None:
        if not self._default_collate:
            return None
        make_getter = getattr(self.dataset, "_batch_getter", None)
        return make_getter() if make_getter is not None else None

    def _fetch(self, indices: list[Any]) -> Any:
        getitems = getattr(self.dataset, "__getitems__", None)
        samples = getitems(indices) if getitems is not None else [self.dataset[i] for i in indices]
        return self.collate_fn(samples)

    def _iterable_batches(self) -> Iterator[Any]:
        if self.batch_size is None:
            yield from (self.collate_fn(sample) for sample in self.dataset)
            return
        batch: list[Any] = []
        for sample in self.dataset:
            batch.append(sample)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)


class _DataLoaderIter:
    """One epoch's iterator: ``next()`` gives a batch; ``len()`` the number of batches."""

    def __init__(self, loader: DataLoader, batches: Iterator[Any]) -> None:
        self._loader = loader
        self._batches = batches

    def __iter__(self) -> _DataLoaderIter:
        return self

    def __next__(self) -> Any:
        return next(self._batches)

    def __len__(self) -> int:
        return len(self._loader)
