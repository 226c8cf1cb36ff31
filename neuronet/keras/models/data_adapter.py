"""Batches for fit/evaluate/predict from NumPy arrays (or lists/dicts of them) or from any
iterable of (x, y[, sample_weight]) batches (a neuronet `DataLoader`, a generator).

Arrays are sliced batch by batch (no copy of the whole set); shuffling draws one permutation
per epoch from neuronet's global random source.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from ... import random as _random
from ...tensor import Tensor
from ..layers.symbolic import flatten, map_structure


def _array(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Tensor):
        return value._data
    if isinstance(value, np.ndarray):
        return value
    return np.asarray(value)


def to_arrays(data: Any) -> Any:
    """Tensors and array-likes in a (nested) structure -> NumPy arrays."""
    if isinstance(data, list | tuple | dict) and not _is_plain_sequence(data):
        return map_structure(_array, data)
    return _array(data)


def _is_plain_sequence(value: Any) -> bool:
    """A list of numbers (one array) rather than a list of arrays."""
    return isinstance(value, list | tuple) and len(value) > 0 and not any(
        isinstance(v, np.ndarray | Tensor | list | tuple | dict) for v in value)


def is_array_data(x: Any) -> bool:
    """Arrays (or a list/dict of arrays), as opposed to an iterable of batch tuples."""
    if isinstance(x, list) and any(isinstance(v, tuple) for v in x):
        return False  # a list of (x, y) batches
    return isinstance(x, np.ndarray | Tensor) or (
        isinstance(x, list | tuple | dict) and all(
            isinstance(v, np.ndarray | Tensor | list | tuple | int | float)
            for v in flatten(x)))


def num_samples(structure: Any, what: str) -> int:
    sizes = {len(a) for a in flatten(structure) if a is not None}
    if len(sizes) > 1:
        raise ValueError(f"{what}: all arrays must have the same number of samples, received "
                         f"sizes {sorted(sizes)}")
    return sizes.pop() if sizes else 0


def take(structure: Any, index: Any) -> Any:
    return map_structure(lambda a: None if a is None else a[index], structure)


class ArrayBatches:
    """Batches of (x, y, sample_weight) from in-memory arrays."""

    def __init__(self, x: Any, y: Any = None, sample_weight: Any = None, batch_size: int = 32,
                 shuffle: bool = False, steps: int | None = None) -> None:
        self.x, self.y, self.sample_weight = to_arrays(x), to_arrays(y), to_arrays(sample_weight)
        self.n = num_samples([self.x, self.y, self.sample_weight], "fit")
        self.batch_size, self.shuffle = batch_size, shuffle
        self.steps = steps if steps is not None else math.ceil(self.n / batch_size)

    def __len__(self) -> int:
        return self.steps

    def __iter__(self) -> Iterator[tuple]:
        order = _random.rng().permutation(self.n) if self.shuffle else None
        per_epoch = math.ceil(self.n / self.batch_size)
        for step in range(self.steps):
            start = (step % per_epoch) * self.batch_size
            stop = min(start + self.batch_size, self.n)
            index = slice(start, stop) if order is None else np.sort(order[start:stop])
            yield take(self.x, index), take(self.y, index), take(self.sample_weight, index)


class IterableBatches:
    """Batches from an iterable of (x, y[, sample_weight]) tuples (or x alone)."""

    def __init__(self, data: Any, steps: int | None = None) -> None:
        self.data, self.steps = data, steps
        self._iterator: Iterator | None = iter(data) if iter(data) is data else None
        try:
            length = len(data)
        except TypeError:
            length = None
        self.length = steps if steps is not None else length

    def __len__(self) -> int:
        return self.length or 0

    def __iter__(self) -> Iterator[tuple]:
        iterator = self._iterator if self._iterator is not None else iter(self.data)
        count = 0
        while self.steps is None or count < self.steps:
            try:
                batch = next(iterator)
            except StopIteration:
                return
            count += 1
            yield unpack(batch)


def unpack(batch: Any) -> tuple:
    if isinstance(batch, tuple | list) and len(batch) in (2, 3) and not _is_plain_sequence(batch):
        parts = [to_arrays(b) for b in batch]
        return parts[0], parts[1], parts[2] if len(parts) == 3 else None
    return to_arrays(batch), None, None


def split_validation(x: Any, y: Any, sample_weight: Any, fraction: float) -> tuple:
    """The last `fraction` of the samples (before any shuffling) for validation, as Keras."""
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"fit: validation_split must be in (0, 1), received {fraction}")
    x, y, sample_weight = to_arrays(x), to_arrays(y), to_arrays(sample_weight)
    n = num_samples([x, y, sample_weight], "fit")
    split = int(n * (1.0 - fraction))
    if split == 0 or split == n:
        raise ValueError(f"fit: validation_split={fraction} leaves no training or no "
                         f"validation samples out of {n}")
    head, tail = slice(0, split), slice(split, n)
    return ((take(x, head), take(y, head), take(sample_weight, head)),
            (take(x, tail), take(y, tail), take(sample_weight, tail)))


def class_weights_to_sample_weights(y: Any, class_weight: dict) -> np.ndarray:
    """sample_weight[i] = class_weight[class of sample i] (class from int, one-hot or 0/1)."""
    labels = np.asarray(y)
    if labels.ndim > 1 and labels.shape[-1] > 1:
        labels = labels.argmax(axis=-1)
    elif labels.ndim > 1:
        labels = labels[..., 0]
    labels = np.round(labels).astype(np.int64)
    missing = set(np.unique(labels).tolist()) - set(class_weight)
    if missing:
        raise ValueError(f"fit: class_weight has no entry for class(es) {sorted(missing)}")
    table = np.zeros(max(class_weight) + 1)
    for key, value in class_weight.items():
        table[key] = value
    return table[labels].astype(np.float32)
