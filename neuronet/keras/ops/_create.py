"""Tensor creation of `keras.ops.numpy`: constants, ranges and triangular/identity matrices.

dtype None means floatx ('float32') for zeros, ones, full, eye, identity and tri; the input's
dtype for the *_like ops; for arange and linspace, the dtype Keras infers from the arguments
(arange(5) is int32, arange(0.0, 1.0, 0.25) float32, linspace always a float).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...tensor import Tensor
from ._convert import convert, dtype_name, np_dtype, result_type, shape_tuple


def _kind(value: Any) -> Any:
    """A Python number as its (weak) type for result_type; anything else as its dtype."""
    return type(value) if type(value) in (bool, int, float) else dtype_name(convert(value))


def zeros(shape: Any, dtype: Any = None) -> Tensor:
    """A tensor of zeros."""
    return Tensor._wrap(np.zeros(shape_tuple(shape), np_dtype(dtype)))


def ones(shape: Any, dtype: Any = None) -> Tensor:
    """A tensor of ones."""
    return Tensor._wrap(np.ones(shape_tuple(shape), np_dtype(dtype)))


def full(shape: Any, fill_value: Any, dtype: Any = None) -> Tensor:
    """A tensor of `fill_value` (broadcast when it is an array)."""
    value = convert(fill_value, np_dtype(dtype))._data
    return Tensor._wrap(np.ascontiguousarray(np.broadcast_to(value, shape_tuple(shape))))


def zeros_like(x: Any, dtype: Any = None) -> Tensor:
    """Zeros of x's shape (and dtype unless given)."""
    x = convert(x)
    return zeros(x.shape, dtype or dtype_name(x))


def ones_like(x: Any, dtype: Any = None) -> Tensor:
    """Ones of x's shape (and dtype unless given)."""
    x = convert(x)
    return ones(x.shape, dtype or dtype_name(x))


def full_like(x: Any, fill_value: Any, dtype: Any = None) -> Tensor:
    """`fill_value` in x's shape (and dtype unless given)."""
    x = convert(x)
    return full(x.shape, fill_value, dtype or dtype_name(x))


def arange(start: Any, stop: Any = None, step: Any = None, dtype: Any = None) -> Tensor:
    """Evenly spaced values in [start, stop) (or [0, start) with one argument)."""
    if dtype is None:
        dtype = result_type(*[_kind(v) for v in (start, stop, step) if v is not None])
    if stop is None:
        start, stop = 0, start
    step = 1 if step is None else step
    values = [convert(v)._data.item() if not isinstance(v, int | float) else v
              for v in (start, stop, step)]
    return Tensor._wrap(np.arange(*values).astype(np_dtype(dtype)))


def linspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True,
             retstep: bool = False, dtype: Any = None, axis: int = 0) -> Any:
    """`num` evenly spaced values from start to stop (stop included when endpoint)."""
    if dtype is None:
        dtype = result_type(_kind(start), _kind(stop), float)
    start_a, stop_a = convert(start)._data, convert(stop)._data
    values, step = np.linspace(start_a, stop_a, int(num), endpoint=endpoint, retstep=True,
                               axis=axis)
    out = Tensor._wrap(np.ascontiguousarray(values.astype(np_dtype(dtype))))
    return (out, step) if retstep else out


def eye(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> Tensor:  # noqa: N803
    """An N x M matrix with ones on the k-th diagonal."""
    return Tensor._wrap(np.eye(N, M, k, dtype=np_dtype(dtype)))


def identity(n: int, dtype: Any = None) -> Tensor:
    """The n x n identity matrix."""
    return eye(n, dtype=dtype)


def tri(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> Tensor:  # noqa: N803
    """An N x M matrix with ones at and below the k-th diagonal."""
    return Tensor._wrap(np.tri(N, M, k, dtype=np_dtype(dtype)))
