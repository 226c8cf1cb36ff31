"""Factory functions: `tensor`, `zeros`, `ones`, `randn`, `arange`, ... (PyTorch's names).

Floats default to float32 (see `set_default_dtype`), integers to int64.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes as _dt
from . import random as _random
from .tensor import Tensor, _shape_arg, _to_array


def _np_dtype(dtype: Any, default: Any = None) -> np.dtype:
    if dtype is None:
        return (_dt.to_numpy_dtype(default) if default is not None
                else _dt.get_default_dtype().numpy)
    return _dt.to_numpy_dtype(dtype)


def _finish(arr: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._wrap(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new tensor holding a copy of `data` (lists, scalars, arrays or tensors)."""
    if isinstance(data, Tensor):
        arr = data._data.astype(_np_dtype(dtype, data.dtype), copy=True)
    else:
        arr = np.array(_to_array(data, dtype), copy=True)
    return _finish(arr, requires_grad)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Like `tensor` but shares memory with a NumPy array or tensor when it can."""
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    return Tensor._wrap(_to_array(data, dtype))


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with `array` (its dtype kept, float64 included)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray (got {type(array).__name__})")
    _dt.from_numpy_dtype(array.dtype)
    return Tensor._wrap(array)


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
          out: Any = None) -> Tensor:
    return _finish(np.zeros(_shape_arg(size), _np_dtype(dtype)), requires_grad)


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _finish(np.ones(_shape_arg(size), _np_dtype(dtype)), requires_grad)


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
          memory_format: Any = None) -> Tensor:
    return _finish(np.empty(_shape_arg(size), _np_dtype(dtype)), requires_grad)


def full(size: Any, fill_value: Any, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    if dtype is None:
        dtype = (_dt.bool if isinstance(fill_value, bool) else
                 _dt.int64 if isinstance(fill_value, int) else None)
    return _finish(np.full(tuple(size) if not isinstance(size, int) else (size,), fill_value,
                           _np_dtype(dtype)), requires_grad)


def _like_dtype(t: Tensor, dtype: Any) -> np.dtype:
    return t._data.dtype if dtype is None else _dt.to_numpy_dtype(dtype)


def zeros_like(t: Tensor, dtype: Any = None, device: Any = None,
               requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    return _finish(np.zeros(t.shape, _like_dtype(t, dtype)), requires_grad)


def ones_like(t: Tensor, dtype: Any = None, device: Any = None,
              requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    return _finish(np.ones(t.shape, _like_dtype(t, dtype)), requires_grad)


def empty_like(t: Tensor, dtype: Any = None, device: Any = None,
               requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    return _finish(np.empty(t.shape, _like_dtype(t, dtype)), requires_grad)


def full_like(t: Tensor, fill_value: Any, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    return _finish(np.full(t.shape, fill_value, _like_dtype(t, dtype)), requires_grad)


def rand(*size: Any, generator: Any = None, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1)."""
    d = _np_dtype(dtype)
    arr = _random.rng(generator).random(_shape_arg(size), dtype=d if d in _RNG_FLOATS else None)
    return _finish(arr.astype(d, copy=False), requires_grad)


def randn(*size: Any, generator: Any = None, dtype: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """Standard normal samples."""
    d = _np_dtype(dtype)
    arr = _random.rng(generator).standard_normal(_shape_arg(size),
                                                 dtype=d if d in _RNG_FLOATS else None)
    return _finish(arr.astype(d, copy=False), requires_grad)


_RNG_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def rand_like(t: Tensor, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    return rand(*t.shape, dtype=_like_dtype(t, dtype), requires_grad=requires_grad)


def randn_like(t: Tensor, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    return randn(*t.shape, dtype=_like_dtype(t, dtype), requires_grad=requires_grad)


def randint(low: int, high: Any = None, size: Any = None, generator: Any = None,
            dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Integers in [low, high); `randint(high, size)` starts at 0, as in PyTorch."""
    if size is None:
        if high is None:
            raise TypeError("randint() missing required argument 'size'")
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    arr = _random.rng(generator).integers(low, high, tuple(size))
    return _finish(arr.astype(_np_dtype(dtype, _dt.int64)), requires_grad)


def randint_like(t: Tensor, low: int = 0, high: int | None = None, dtype: Any = None) -> Tensor:
    if high is None:
        low, high = 0, low
    return randint(low, high, tuple(t.shape), dtype=_like_dtype(t, dtype))


def randperm(n: int, generator: Any = None, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    return _finish(_random.rng(generator).permutation(n).astype(_np_dtype(dtype, _dt.int64)),
                   requires_grad)


def normal(mean: Any, std: Any, size: Any = None, generator: Any = None) -> Tensor:
    m = mean._data if isinstance(mean, Tensor) else mean
    s = std._data if isinstance(std, Tensor) else std
    shape = tuple(size) if size is not None else np.broadcast_shapes(np.shape(m), np.shape(s))
    arr = _random.rng(generator).normal(m, s, shape)
    d = mean._data.dtype if isinstance(mean, Tensor) else _dt.get_default_dtype().numpy
    return Tensor._wrap(arr.astype(d))


def bernoulli(p: Tensor, generator: Any = None) -> Tensor:
    return Tensor._wrap((_random.rng(generator).random(p.shape) < p._data).astype(p._data.dtype))


def multinomial(probs: Tensor, num_samples: int, replacement: bool = False,
                generator: Any = None) -> Tensor:
    rng = _random.rng(generator)
    p = probs._data.astype(np.float64)
    rows = p.reshape(-1, p.shape[-1])
    out = np.stack([rng.choice(p.shape[-1], num_samples, replace=replacement, p=r / r.sum())
                    for r in rows])
    return Tensor._wrap(out.reshape(p.shape[:-1] + (num_samples,)).astype(np.int64))


def arange(start: Any, end: Any = None, step: Any = 1, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if dtype is None:
        is_int = all(isinstance(v, (int, np.integer)) for v in vals)
        dtype = _dt.int64 if is_int else _dt.get_default_dtype()
    d = _dt.to_numpy_dtype(dtype)
    # computed in float64/int64 then cast, so float32 ranges match PyTorch's lengths
    return _finish(np.arange(*vals).astype(d), requires_grad)


def linspace(start: float, end: float, steps: int, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    return _finish(np.linspace(start, end, steps).astype(_np_dtype(dtype)), requires_grad)


def logspace(start: float, end: float, steps: int, base: float = 10.0, dtype: Any = None,
             requires_grad: bool = False) -> Tensor:
    return _finish(np.logspace(start, end, steps, base=base).astype(_np_dtype(dtype)),
                   requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:
    return _finish(np.eye(n, m, dtype=_np_dtype(dtype)), requires_grad)


def tril_indices(row: int, col: int, offset: int = 0, dtype: Any = None) -> Tensor:
    return Tensor._wrap(np.stack(np.tril_indices(row, offset, col)).astype(np.int64))


def triu_indices(row: int, col: int, offset: int = 0, dtype: Any = None) -> Tensor:
    return Tensor._wrap(np.stack(np.triu_indices(row, offset, col)).astype(np.int64))
