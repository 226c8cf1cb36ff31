"""`keras.ops` core: conversion, dtype and shape queries, control flow and scatter/slice
updates, on neuronet Tensors.

    slice_update(x, start, u)      y = x with y[start:start + u.shape] = u;
                                   dL/dx = g outside the window, dL/du = g inside it
    scatter(indices, values, s)    zeros(s) with values added at indices (duplicates add up);
                                   dL/dvalues = g[indices]
    scatter_update(x, i, u)        x with the rows at i replaced by u (reduction='add' adds)
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

import numpy as np

from ...ops import indexing as _idx
from ...tensor import Tensor
from ._convert import cast as _cast
from ._convert import convert, dtype_name, shape_tuple
from ._shape import where

__all__ = ["cast", "cond", "convert_to_numpy", "convert_to_tensor", "dtype", "is_tensor",
           "scatter", "scatter_update", "shape", "slice", "slice_update", "stop_gradient",
           "where"]


def convert_to_tensor(x: Any, dtype: Any = None, sparse: bool | None = None,
                      ragged: bool | None = None) -> Tensor:
    """x as a neuronet Tensor (a Tensor is returned as is, or cast to `dtype`)."""
    if sparse or ragged:
        raise ValueError("convert_to_tensor: neuronet has no sparse or ragged tensors "
                         f"(received sparse={sparse}, ragged={ragged})")
    return convert(x, dtype)


def convert_to_numpy(x: Any) -> np.ndarray:
    """A NumPy copy of x's values (detached from any graph)."""
    if isinstance(x, list | tuple):
        return np.array([convert_to_numpy(item) for item in x])
    if isinstance(x, Tensor):
        return np.array(x._data)
    return np.array(x)


def cast(x: Any, dtype: Any) -> Tensor:
    """x converted to `dtype` (differentiable between float dtypes)."""
    return _cast(convert(x), dtype)


def shape(x: Any) -> tuple[int, ...]:
    """x's shape as a tuple of ints."""
    return tuple(convert(x).shape)


def dtype(x: Any) -> str:
    """x's dtype as Keras names it ('float32', 'int32', 'bool', ...)."""
    return dtype_name(convert(x))


def is_tensor(x: Any) -> bool:
    """True for a neuronet Tensor (Keras's 'native tensor' of this backend)."""
    return isinstance(x, Tensor)


def stop_gradient(variable: Any) -> Tensor:
    """The same values, cut from the graph: no gradient flows back through it."""
    return convert(variable).detach()


def cond(pred: Any, true_fn: Callable[[], Any], false_fn: Callable[[], Any]) -> Any:
    """true_fn() if pred holds, else false_fn() (eager: only the taken branch runs)."""
    return true_fn() if bool(pred) else false_fn()


def slice(inputs: Any, start_indices: Any, shape: Any) -> Tensor:  # noqa: A001
    """The block of `inputs` starting at start_indices with the given shape."""
    x = convert(inputs)
    starts, sizes = shape_tuple(start_indices), shape_tuple(shape)
    index = tuple(builtins.slice(s, s + n) for s, n in zip(starts, sizes))
    return _idx.getitem(x, index)


def slice_update(inputs: Any, start_indices: Any, updates: Any) -> Tensor:
    """`inputs` with the block at start_indices replaced by `updates` (a new tensor)."""
    x, u = convert(inputs), convert(updates)
    starts = shape_tuple(start_indices)
    index = tuple(builtins.slice(s, s + n) for s, n in zip(starts, u.shape))
    return _idx.index_put(x, index, _cast(u, x._data.dtype))


def _rows(indices: Any, lead: tuple[int, ...]) -> np.ndarray:
    """(..., k) index tuples into the leading `lead` axes as flat row numbers."""
    idx = convert(indices)._data.astype(np.int64).reshape(-1, len(lead))
    idx = np.where(idx < 0, idx + np.asarray(lead), idx)
    return np.ravel_multi_index(tuple(idx.T), lead)


def scatter(indices: Any, values: Any, shape: Any) -> Tensor:
    """A tensor of `shape`, zero but for `values` added at `indices` ((..., k) index tuples
    into the first k axes)."""
    values = convert(values)
    shape = shape_tuple(shape)
    k = convert(indices).shape[-1]
    lead, tail = shape[:k], shape[k:]
    rows = _rows(indices, lead)
    base = Tensor._wrap(np.zeros((int(np.prod(lead)),) + tail, values._data.dtype))
    summed = _idx.index_add(base, 0, rows, values.reshape((len(rows),) + tail))
    return summed.reshape(shape)


def scatter_update(inputs: Any, indices: Any, updates: Any,
                   reduction: str | None = None) -> Tensor:
    """`inputs` with the entries at `indices` set to `updates` (reduction None), or combined
    with them ('add'; 'max', 'min' and 'mul' without a gradient)."""
    x = convert(inputs)
    u = _cast(convert(updates), x._data.dtype)
    k = convert(indices).shape[-1]
    lead, tail = tuple(x.shape[:k]), tuple(x.shape[k:])
    rows = _rows(indices, lead)
    flat = x.reshape((int(np.prod(lead)),) + tail)
    u = u.reshape((len(rows),) + tail)
    if reduction is None:
        out = _idx.index_put(flat, (rows,), u)
    elif reduction == "add":
        out = _idx.index_add(flat, 0, rows, u)
    elif reduction in ("max", "min", "mul"):
        ufunc = {"max": np.maximum, "min": np.minimum, "mul": np.multiply}[reduction]
        arr = flat._data.copy()
        ufunc.at(arr, rows, u._data)
        out = Tensor._wrap(arr)
    else:
        raise ValueError(f"scatter_update: reduction must be None, 'add', 'max', 'min' or "
                         f"'mul'; received reduction={reduction!r}")
    return out.reshape(tuple(x.shape))
