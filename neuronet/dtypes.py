"""Data types: PyTorch's names over NumPy's dtypes.

A `neuronet.dtype` wraps one `numpy.dtype`; `neuronet.float32` is the default for floating
point data. Promotion follows PyTorch, not NumPy: an integer tensor combined with a float32
tensor gives float32 (NumPy would give float64), and a Python scalar never changes the dtype of
a floating point tensor.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np


class dtype:  # noqa: N801 - PyTorch's name
    """A tensor element type. Compare with `==`; `.numpy` gives the NumPy dtype."""

    __slots__ = ("name", "numpy", "is_floating_point", "is_signed", "itemsize")

    def __init__(self, name: str, np_dtype: Any) -> None:
        self.name = name
        self.numpy = np.dtype(np_dtype)
        self.is_floating_point = self.numpy.kind == "f"
        self.is_signed = self.numpy.kind in "fi"
        self.itemsize = self.numpy.itemsize

    def __repr__(self) -> str:
        return f"neuronet.{self.name}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, dtype):
            return self.numpy == other.numpy
        if other is None:
            return False
        try:
            return self.numpy == np.dtype(other)  # type: ignore[arg-type]
        except TypeError:
            return False

    def __hash__(self) -> int:
        return hash(self.numpy)

    def __reduce__(self):  # copy/deepcopy return the same singleton
        return (_by_name, (self.name,))


float16 = half = dtype("float16", np.float16)
float32 = float = dtype("float32", np.float32)  # noqa: A001 - PyTorch's alias
float64 = double = dtype("float64", np.float64)
int8 = dtype("int8", np.int8)
uint8 = dtype("uint8", np.uint8)
int16 = short = dtype("int16", np.int16)
int32 = int = dtype("int32", np.int32)  # noqa: A001
int64 = long = dtype("int64", np.int64)
bool = dtype("bool", np.bool_)  # noqa: A001

ALL = (float16, float32, float64, int8, uint8, int16, int32, int64, bool)
_FROM_NUMPY = {d.numpy: d for d in ALL}
_NAMES = {d.name: d for d in ALL}
_NAMES.update(half=float16, float=float32, double=float64, short=int16, int=int32, long=int64)

_default_float = float32


def _by_name(name: str) -> dtype:
    return _NAMES[name]


def get_default_dtype() -> dtype:
    """The dtype of floating point tensors made from Python floats (float32 unless changed)."""
    return _default_float


def set_default_dtype(d: Any) -> None:
    """Set the dtype used for Python floats, as `torch.set_default_dtype`."""
    global _default_float
    d = to_dtype(d)
    if not d.is_floating_point:
        raise TypeError(f"set_default_dtype: only floating point dtypes are allowed, received {d}")
    _default_float = d


def from_numpy_dtype(np_dtype: np.dtype) -> dtype:
    """The neuronet dtype for a NumPy dtype; raises TypeError for unsupported kinds."""
    try:
        return _FROM_NUMPY[np_dtype]
    except KeyError:
        raise TypeError(
            f"neuronet: unsupported NumPy dtype {np_dtype}; supported: "
            + ", ".join(d.name for d in ALL)
        ) from None


def to_dtype(d: Any) -> dtype:
    """Accept a neuronet dtype, a NumPy dtype, a dtype name or a Python type."""
    if isinstance(d, dtype):
        return d
    if isinstance(d, str) and d in _NAMES:
        return _NAMES[d]
    if d is builtins_float:
        return _default_float
    if d is builtins_int:
        return int64
    if d is builtins_bool:
        return bool
    try:
        return from_numpy_dtype(np.dtype(d))
    except TypeError:
        raise TypeError(f"neuronet: cannot interpret {d!r} as a dtype") from None


def to_numpy_dtype(d: Any) -> np.dtype:
    return to_dtype(d).numpy


import builtins as _builtins  # noqa: E402

builtins_float, builtins_int, builtins_bool = _builtins.float, _builtins.int, _builtins.bool


@lru_cache(maxsize=256)
def _promote_pair(a: np.dtype, b: np.dtype) -> np.dtype:
    if a == b:
        return a
    fa, fb = a.kind == "f", b.kind == "f"
    if fa and not fb:
        return a
    if fb and not fa:
        return b
    if a.kind == "b":
        return b
    if b.kind == "b":
        return a
    return np.promote_types(a, b)


def result_type(a: np.ndarray, b: np.ndarray) -> np.dtype:
    """PyTorch's promotion for two arrays: floats win over integers and bools; a 0-d array of
    the same category as the other operand does not widen it (it behaves like a scalar)."""
    da, db = a.dtype, b.dtype
    if da == db:
        return da
    if a.ndim == 0 and b.ndim != 0 and _category(da) <= _category(db):
        return db if _category(da) == _category(db) else _promote_pair(da, db)
    if b.ndim == 0 and a.ndim != 0 and _category(db) <= _category(da):
        return da if _category(da) == _category(db) else _promote_pair(da, db)
    return _promote_pair(da, db)


def _category(d: np.dtype) -> _builtins.int:
    return {"b": 0, "u": 1, "i": 1, "f": 2}.get(d.kind, 3)


def scalar_to_array(value: Any, like: np.ndarray) -> np.ndarray:
    """A Python scalar as a 0-d array of the dtype PyTorch would give `like OP value`."""
    kind = like.dtype.kind
    if isinstance(value, _builtins.bool):
        return np.asarray(value, dtype=like.dtype)
    if isinstance(value, _builtins.int):
        return np.asarray(value, dtype=like.dtype if kind != "b" else np.int64)
    if isinstance(value, _builtins.float):
        return np.asarray(value, dtype=like.dtype if kind == "f" else _default_float.numpy)
    arr = np.asarray(value)
    if arr.dtype.kind == "f" and kind != "f" and arr.dtype != like.dtype:
        return arr.astype(_default_float.numpy)
    return arr
