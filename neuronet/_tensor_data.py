"""Tensor's module-level helpers: converting data to arrays and op arguments to Tensors,
reading shape, dim, index and device arguments, and hook handles.

`neuronet.tensor` re-exports them all (other modules import them from there).
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from typing import Any

import numpy as np

from . import dtypes as _dt

# Set by neuronet.tensor once Tensor exists (it imports this module).
Tensor: Any = None


class _RemovableHandle:
    def __init__(self, hooks: list, hook: Any) -> None:
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def _shape_arg(args: tuple) -> tuple:
    """`f(2, 3)`, `f((2, 3))`, `f([2, 3])` and `f(Size)` all mean the shape (2, 3)."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return args


def _is_device(a: Any) -> bool:
    from .device import device

    return isinstance(a, device) or (isinstance(a, str) and a.split(":")[0] in ("cpu", "cuda",
                                                                                  "mps", "meta"))


def _check_device(d: Any) -> None:
    from .device import device

    device(d) if not isinstance(d, device) else None
    name = str(d).split(":")[0]
    if name != "cpu":
        raise RuntimeError(
            f"neuronet: device '{d}' is not available; this build runs on the CPU only"
        )


def _norm_dim(dim: int, ndim: int, op: str) -> int:
    n = builtins.max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"{op}: dimension out of range (expected to be in range of [{-n}, {n - 1}], "
            f"but got {dim})"
        )
    return dim % n


def _array_of(x: Any) -> Any:
    return x._data if isinstance(x, Tensor) else x


def _index_arg(index: Any) -> Any:
    """Replace Tensors inside an index by their arrays (ints, bools)."""
    if isinstance(index, Tensor):
        return index._data
    if isinstance(index, tuple):
        return tuple(i._data if isinstance(i, Tensor) else i for i in index)
    if isinstance(index, list) and any(isinstance(i, Tensor) for i in index):
        return [i._data if isinstance(i, Tensor) else i for i in index]
    return index


def _to_array(data: Any, dtype: Any = None) -> np.ndarray:
    """Array for `tensor(data)`: floats -> default float dtype, ints -> int64, bools -> bool."""
    if isinstance(data, Tensor):
        arr = data._data
    elif isinstance(data, (np.ndarray, np.generic)):
        arr = np.asarray(data)
    else:
        if isinstance(data, (list, tuple)) and any(isinstance(d, Tensor) for d in _flat(data)):
            data = _untensor(data)
        arr = np.asarray(data)
        if dtype is None:
            kind = arr.dtype.kind
            if kind == "f":
                arr = arr.astype(_dt.get_default_dtype().numpy, copy=False)
            elif kind in "iu":
                arr = arr.astype(np.int64, copy=False)
            elif kind == "c":
                raise TypeError("neuronet: complex numbers are not supported")
            elif kind not in "b":
                raise TypeError(
                    f"neuronet.tensor: could not convert data of type {type(data).__name__} "
                    f"(NumPy dtype {arr.dtype}) to a tensor"
                )
    if dtype is not None:
        arr = arr.astype(_dt.to_numpy_dtype(dtype), copy=False)
    else:
        _dt.from_numpy_dtype(arr.dtype)  # raises TypeError for unsupported dtypes
    return arr


def _flat(data: Any) -> Iterator[Any]:
    stack = [data]
    while stack:
        d = stack.pop()
        if isinstance(d, (list, tuple)):
            stack.extend(d)
        else:
            yield d


def _untensor(data: Any) -> Any:
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (list, tuple)):
        return [_untensor(d) for d in data]
    return data


def as_tensor_arg(x: Any, like: np.ndarray | None = None) -> Tensor:
    """An op argument as a constant Tensor (Python scalars take a dtype from `like`)."""
    if isinstance(x, Tensor):
        return x
    if like is not None and isinstance(x, (builtins.int, builtins.float, builtins.bool)):
        return Tensor._wrap(_dt.scalar_to_array(x, like))
    if isinstance(x, np.ndarray):
        return Tensor._wrap(x)
    return Tensor._wrap(_to_array(x))

