"""Small shared helpers of the Keras face: epsilon, float dtype, unique names, conversions.

Keras 3 keeps these in `keras.config` / `keras.backend`; here they are plain functions.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from ..tensor import Tensor

_EPSILON = 1e-7
_FLOATX = "float32"
_NAME_COUNTS: dict[str, int] = {}


def epsilon() -> float:
    """The fuzz factor Keras uses to clip probabilities and guard divisions (1e-7)."""
    return _EPSILON


def set_epsilon(value: float) -> None:
    global _EPSILON
    _EPSILON = float(value)


def floatx() -> str:
    """The default float dtype of weights and inputs ('float32')."""
    return _FLOATX


def set_floatx(value: str) -> None:
    global _FLOATX
    if value not in ("float16", "float32", "float64"):
        raise ValueError(f"set_floatx: unknown dtype {value!r}; use 'float16', 'float32' or "
                         f"'float64'")
    _FLOATX = value


def snake_case(name: str) -> str:
    """'BatchNormalization' -> 'batch_normalization' (Keras's default layer names)."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(prefix: str) -> str:
    """'dense', then 'dense_1', 'dense_2', ... (per prefix, like Keras)."""
    count = _NAME_COUNTS.get(prefix, 0)
    _NAME_COUNTS[prefix] = count + 1
    return prefix if count == 0 else f"{prefix}_{count}"


def clear_session() -> None:
    """Reset the name counters (`keras.backend.clear_session()`)."""
    _NAME_COUNTS.clear()


def to_tensor(value: Any, dtype: Any = None) -> Tensor:
    """Wrap an array-like as a Tensor; float64 data becomes floatx unless dtype says so."""
    if isinstance(value, Tensor):
        return value
    arr = np.asarray(value)
    if dtype is not None:
        arr = arr.astype(dtype, copy=False)
    elif arr.dtype.kind == "f" and arr.dtype != np.dtype(_FLOATX):
        arr = arr.astype(_FLOATX)
    elif arr.dtype.kind in "ub" and arr.dtype != np.bool_:
        arr = arr.astype(_FLOATX)
    return Tensor._wrap(np.ascontiguousarray(arr))


def to_numpy(value: Any) -> np.ndarray:
    """The array behind a Tensor (or the array-like itself as an array)."""
    if isinstance(value, Tensor):
        return value._data
    return np.asarray(value)


def standardize_shape(shape: Any, where: str) -> tuple:
    """A shape as a tuple of ints / None, with a clear error otherwise."""
    if isinstance(shape, int):
        shape = (shape,)
    try:
        shape = tuple(shape)
    except TypeError:
        raise ValueError(f"{where}: shape must be a tuple of integers or None, received "
                         f"{shape!r}") from None
    for dim in shape:
        if dim is not None and (not isinstance(dim, int | np.integer) or dim < 0):
            raise ValueError(f"{where}: shape must be a tuple of non-negative integers or None, "
                             f"received {shape!r}")
    return tuple(None if d is None else int(d) for d in shape)
