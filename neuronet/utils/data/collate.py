"""Merging a list of samples into one batch, following ``torch.utils.data.default_collate``.

Rules, applied recursively to the first sample's structure:
    Tensor            -> stacked along a new dim 0 (all must have one shape)
    NumPy array       -> converted to a tensor, then stacked (0-d arrays: one tensor)
    float             -> float64 tensor;  int -> int64 tensor;  bool -> bool tensor
    str / bytes       -> left as a list
    dict (Mapping)    -> the same keys, each collated
    namedtuple        -> the same namedtuple of collated fields
    tuple / list      -> a list of collated fields (PyTorch turns tuples into lists too)

Example:
    >>> batch = default_collate([(1.5, 0), (2.5, 1)])
    >>> batch
    [tensor([1.5000, 2.5000], dtype=neuronet.float64), tensor([0, 1])]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ... import dtypes as _dt
from ...tensor import Tensor

__all__ = ["default_collate", "default_convert"]


def _stack_tensors(batch: Sequence[Tensor]) -> Tensor:
    shapes = {tuple(t.shape) for t in batch}
    if len(shapes) > 1:
        raise RuntimeError(
            f"default_collate: stack expects each tensor to be equal size, but got shapes "
            f"{sorted(shapes)} in one batch (pad the samples or pass a collate_fn)"
        )
    if any(t.requires_grad for t in batch):
        from ...functions import stack

        return stack(list(batch))
    return Tensor._wrap(np.stack([t._data for t in batch]))


def _array_to_tensor(array: np.ndarray) -> Tensor:
    if array.dtype.kind in "USO":
        raise TypeError(
            f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
            f"lists; found a numpy array of dtype {array.dtype}"
        )
    _dt.from_numpy_dtype(array.dtype)  # a clear TypeError for unsupported dtypes
    return Tensor._wrap(array)


def default_collate(batch: Sequence[Any]) -> Any:
    """Merge a list of samples into a batch (see the module docstring for the rules)."""
    if len(batch) == 0:
        raise ValueError("default_collate: received an empty batch")
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack_tensors(batch)
    if isinstance(elem, np.ndarray | np.generic) and not isinstance(elem, np.str_ | np.bytes_):
        if isinstance(elem, np.generic) or elem.ndim == 0:
            return _array_to_tensor(np.asarray(batch))
        return _stack_tensors([_array_to_tensor(np.asarray(b)) for b in batch])
    if isinstance(elem, bool):
        return Tensor._wrap(np.asarray(batch, dtype=np.bool_))
    if isinstance(elem, float):
        return Tensor._wrap(np.asarray(batch, dtype=np.float64))
    if isinstance(elem, int):
        return Tensor._wrap(np.asarray(batch, dtype=np.int64))
    if isinstance(elem, str | bytes):
        return list(batch)
    if isinstance(elem, Mapping):
        collated = {key: default_collate([d[key] for d in batch]) for key in elem}
        try:
            return type(elem)(collated)
        except TypeError:  # a Mapping type that cannot be built from a dict
            return collated
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(list(field)) for field in zip(*batch)))
    if isinstance(elem, Sequence):
        sizes = {len(sample) for sample in batch}
        if len(sizes) != 1:
            raise RuntimeError(
                f"default_collate: each element in list of batch should be of equal size, "
                f"found sizes {sorted(sizes)}"
            )
        return [default_collate(list(field)) for field in zip(*batch)]
    raise TypeError(
        f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
        f"found {type(elem).__name__}"
    )


def default_convert(data: Any) -> Any:
    """Without batching: NumPy arrays become tensors, containers are walked, the rest is kept."""
    if isinstance(data, np.ndarray) and data.dtype.kind not in "USO":
        return _array_to_tensor(data)
    if isinstance(data, Mapping):
        converted = {key: default_convert(value) for key, value in data.items()}
        try:
            return type(data)(converted)
        except TypeError:
            return converted
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, list):
        return [default_convert(d) for d in data]
    return data
