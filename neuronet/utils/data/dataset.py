"""Datasets: indexable collections of samples, as in ``torch.utils.data``.

A map-style ``Dataset`` implements ``__getitem__(index)`` and ``__len__``; an
``IterableDataset`` implements ``__iter__``. ``DataLoader`` turns either into batches.

Batch fast path (neuronet's own addition): a dataset may define ``_batch_getter()``
returning a function ``get(indices) -> batch`` that builds the already-collated batch for an
int64 index array in one step (one fancy index per tensor), or None when it cannot (for
instance because a per-item transform is set). ``DataLoader`` uses it with the default
``collate_fn``; the batches are identical to those collated item by item.

Example:
    >>> import neuronet
    >>> ds = TensorDataset(neuronet.arange(6).reshape(3, 2), neuronet.tensor([0, 1, 0]))
    >>> len(ds), ds[1]
    (3, (tensor([2, 3]), tensor(1)))
"""

from __future__ import annotations

import bisect
import math
import numbers
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from ... import random as _random
from ...tensor import Tensor

__all__ = [
    "ConcatDataset",
    "Dataset",
    "IterableDataset",
    "Subset",
    "TensorDataset",
    "random_split",
]

BatchGetter = Callable[[np.ndarray], Any]


class Dataset:
    """A map-style dataset: subclasses define ``__getitem__(index)`` and ``__len__()``."""

    def __getitem__(self, index: Any) -> Any:
        raise NotImplementedError(
            f"{type(self).__name__}: a Dataset subclass must implement __getitem__"
        )

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A dataset read as a stream: subclasses define ``__iter__`` (``__len__`` optional)."""

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(
            f"{type(self).__name__}: an IterableDataset subclass must implement __iter__"
        )

    def __add__(self, other: Dataset) -> Any:
        raise TypeError("IterableDataset: concatenation with + is not supported")


def _check_index_array(name: str, indices: np.ndarray, length: int) -> np.ndarray:
    indices = np.asarray(indices, dtype=np.int64)
    if indices.size and (indices.max() >= length or indices.min() < -length):
        bad = indices[(indices >= length) | (indices < -length)][0]
        raise IndexError(f"{name}: index {bad} is out of range for a dataset of size {length}")
    return indices


class TensorDataset(Dataset):
    """Samples are the i-th rows of tensors that share their first dimension.

    Args:
        *tensors: tensors with the same size of dimension 0.

    Shape:
        ``ds[i]`` is ``tuple(t[i] for t in tensors)``.
    """

    def __init__(self, *tensors: Tensor) -> None:
        if not tensors:
            raise ValueError("TensorDataset: expected at least one tensor, received none")
        for position, t in enumerate(tensors):
            if not isinstance(t, Tensor):
                raise TypeError(
                    f"TensorDataset: argument {position} must be a Tensor, "
                    f"received {type(t).__name__} (wrap arrays with neuronet.from_numpy)"
                )
            if t.dim() == 0:
                raise ValueError(f"TensorDataset: argument {position} is a 0-d tensor")
        sizes = [t.shape[0] for t in tensors]
        if len(set(sizes)) != 1:
            raise ValueError(
                f"TensorDataset: size mismatch between tensors: first dimensions {sizes}"
            )
        self.tensors: tuple[Tensor, ...] = tuple(tensors)

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def _batch_getter(self) -> BatchGetter | None:
        if any(t.requires_grad for t in self.tensors):
            return None  # keep the graph: let the slow path index and stack with autograd
        arrays = [t._data for t in self.tensors]
        length = len(self)

        def get(indices: np.ndarray) -> tuple[Tensor, ...]:
            indices = _check_index_array("TensorDataset", indices, length)
            return tuple(Tensor._wrap(a[indices]) for a in arrays)  # one gather per tensor

        return get


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset: Dataset, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)

    def _batch_getter(self) -> BatchGetter | None:
        inner = getattr(self.dataset, "_batch_getter", None)
        get_inner = inner() if inner is not None else None
        if get_inner is None:
            return None
        mapping = np.asarray(
            self.indices.tolist() if isinstance(self.indices, Tensor) else self.indices,
            dtype=np.int64,
        )

        def get(indices: np.ndarray) -> Any:
            indices = _check_index_array("Subset", indices, len(mapping))
            return get_inner(mapping[indices])

        return get


class ConcatDataset(Dataset):
    """Several map-style datasets one after another."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets: list[Dataset] = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise TypeError("ConcatDataset: does not support IterableDataset")
        self.cumulative_sizes: list[int] = np.cumsum([len(d) for d in self.datasets]).tolist()

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        if index < 0:
            if -index > len(self):
                raise ValueError(
                    f"ConcatDataset: absolute value of index {index} should not exceed "
                    f"dataset length {len(self)}"
                )
            index = len(self) + index
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[which - 1] if which > 0 else 0
        return self.datasets[which][index - start]


def _split_lengths(lengths: Sequence[float], total: int) -> list[int]:
    """Integer lengths; fractions summing to 1 become counts, the remainder dealt round-robin."""
    if all(isinstance(x, numbers.Integral) and not isinstance(x, bool) for x in lengths):
        return [int(x) for x in lengths]
    if not math.isclose(sum(lengths), 1.0) or any(not 0 <= f <= 1 for f in lengths):
        raise ValueError(
            f"random_split: lengths must be integers summing to the dataset size ({total}) "
            f"or fractions in [0, 1] summing to 1, received lengths={list(lengths)}"
        )
    counts = [int(math.floor(total * f)) for f in lengths]
    for i in range(total - sum(counts)):  # same rule as PyTorch
        counts[i % len(counts)] += 1
    return counts


def random_split(
    dataset: Dataset, lengths: Sequence[float], generator: Any = None
) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random subsets of the given lengths.

    Args:
        dataset: a map-style dataset.
        lengths: sizes summing to ``len(dataset)``, or fractions summing to 1 (the samples
            left over after flooring are given one each to the first subsets).
        generator: a ``neuronet.Generator``; None draws from the global source
            (``neuronet.manual_seed``).
    """
    total = len(dataset)
    counts = _split_lengths(lengths, total)
    if sum(counts) != total or any(c < 0 for c in counts):
        raise ValueError(
            f"random_split: sum of input lengths {counts} does not equal the length of the "
            f"input dataset ({total})"
        )
    order = _random.rng(generator).permutation(total).tolist()
    offsets = np.cumsum([0, *counts]).tolist()
    return [Subset(dataset, order[a:b]) for a, b in zip(offsets[:-1], offsets[1:])]
