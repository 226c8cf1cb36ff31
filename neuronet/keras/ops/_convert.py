"""Keras's dtype rules and argument conversion, shared by `keras.ops` and `keras.random`.

    convert(x)       a Tensor stays itself (so gradients flow through it); a Python bool, int
                     or float becomes a 0-d bool / int32 / floatx tensor; a NumPy array keeps
                     its dtype; a list takes the dtype Keras infers from its items (ints ->
                     int32, any float -> float32)
    result_type      Keras's promotion lattice (JAX's): int32 with float32 -> float32, uint8
                     with int8 -> int16; a Python int or float is weak (takes the other
                     operand's dtype); 64-bit results come back as 32-bit (int64 -> int32,
                     float64 -> float32)
    binary(x1, x2)   both operands converted and promoted as PyTorch does, for the ops Keras's
                     torch backend hands straight to torch (add, multiply, ...): floats win over
                     ints, a 0-d operand of the same kind does not widen a shaped one
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from ...dtypes import result_type as _torch_result_type
from ...ops.shape import stack as _stack
from ...tensor import Tensor
from .. import backend

# Keras's lattice without the complex types: each dtype maps to the dtypes just above it.
_LATTICE = {
    "bool": ("int",), "int": ("uint8", "int8"), "uint8": ("int16", "uint16"),
    "uint16": ("int32", "uint32"), "uint32": ("int64", "uint64"), "uint64": ("float",),
    "int8": ("int16",), "int16": ("int32",), "int32": ("int64",), "int64": ("float",),
    "float": ("bfloat16", "float16"), "bfloat16": ("float32",), "float16": ("float32",),
    "float32": ("float64",), "float64": (),
}
_TO_32_BITS = {"int64": "int32", "uint64": "uint32", "float64": "float32"}
# neuronet has no uint16/uint32: stored as Keras's torch backend stores them
_STORAGE = {"uint16": "int32", "uint32": "int64"}
SUPPORTED = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32",
             "float64")
_PYTHON = {bool: "bool", int: "int32", float: "float32", "int": "int32", "float": "float32"}


def _upper_bounds() -> dict[str, set[str]]:
    bounds = {name: {name} for name in _LATTICE}
    for name in _LATTICE:
        while True:
            above = set().union(*(_LATTICE[b] for b in bounds[name]))
            if above <= bounds[name]:
                break
            bounds[name] |= above
    return bounds


_BOUNDS = _upper_bounds()


@lru_cache(maxsize=512)
def _least_upper_bound(*names: str) -> str:
    common = set.intersection(*(_BOUNDS[n] for n in names))
    least = (common & set(names)) or {c for c in common if common <= _BOUNDS[c]}
    if len(least) != 1:
        raise ValueError(f"result_type: dtypes {names} have no implicit promotion path; cast "
                         f"them explicitly")
    return least.pop()


def standardize_dtype(dtype: Any) -> str:
    """A dtype given as a string, NumPy dtype, neuronet dtype or Python type, as Keras's name
    ('float32'); None is floatx."""
    if dtype is None:
        return backend.floatx()
    if isinstance(dtype, str) and dtype in _PYTHON:
        return _PYTHON[dtype]
    if dtype is bool or dtype is int or dtype is float:
        return _PYTHON[dtype]
    name = getattr(dtype, "name", None)
    if not isinstance(name, str):
        try:
            name = np.dtype(dtype).name
        except TypeError:
            raise ValueError(f"Invalid dtype: {dtype!r}") from None
    if name not in _LATTICE:
        raise ValueError(f"Invalid dtype: {dtype!r}; expected one of {sorted(_LATTICE)}")
    return name


def result_type(*dtypes: Any) -> str:
    """Keras's `backend.result_type`: the promoted dtype name (module docstring)."""
    if not dtypes:
        return backend.floatx()
    names = [standardize_dtype(d) for d in dtypes]
    weak = [d is int or d is float for d in dtypes]
    if len(names) == 1:
        out, out_weak = names[0], weak[0]
    elif len(set(names)) == 1 and not all(weak):
        out, out_weak = names[0], False
    elif all(weak):
        out, out_weak = _least_upper_bound(*sorted(set(names))), True
    else:
        lifted = {("float" if "float" in n else "int") if w and n != "bool" else n
                  for n, w in zip(names, weak)}
        out = _least_upper_bound(*sorted(lifted))
        out_weak = out in ("int", "float")
    if out != "bool" and out_weak:
        bits = backend.floatx()[-2:]
        out = {"i": f"int{bits}", "u": f"uint{bits}"}.get(out[0], f"float{bits}")
    return _TO_32_BITS.get(out, out)


def np_dtype(dtype: Any) -> np.dtype:
    """The NumPy dtype neuronet stores a Keras dtype in."""
    name = standardize_dtype(dtype)
    name = _STORAGE.get(name, name)
    if name not in SUPPORTED:
        raise ValueError(f"dtype {name!r} is not supported by neuronet; use one of "
                         f"{list(SUPPORTED)}")
    return np.dtype(name)


def dtype_name(x: Tensor) -> str:
    return x._data.dtype.name


def cast(x: Tensor, dtype: Any) -> Tensor:
    """x in `dtype` (differentiable between float dtypes; x itself when it already is)."""
    target = np_dtype(dtype)
    return x if x._data.dtype == target else x.to(target)


def _flat(x: Any) -> list:
    if isinstance(x, list | tuple):
        return [leaf for item in x for leaf in _flat(item)]
    return [x]


def convert(x: Any, dtype: Any = None) -> Tensor:
    """An op argument as a Tensor with Keras's dtype (module docstring)."""
    if isinstance(x, Tensor):
        return x if dtype is None else cast(x, dtype)
    if isinstance(x, bool | int | float):  # np.float64 too: it is a Python float
        if dtype is None:
            dtype = ("bool" if isinstance(x, bool) else backend.floatx() if isinstance(x, float)
                     else "int32" if -2**31 <= x < 2**31 else "int64")
        return Tensor._wrap(np.asarray(x, np_dtype(dtype)))
    if isinstance(x, list | tuple):
        if any(isinstance(item, Tensor) for item in x):
            out = _stack([convert(item) for item in x])
            return out if dtype is None else cast(out, dtype)
        if dtype is None:
            dtype = result_type(*[getattr(i, "dtype", type(i)) for i in _flat(x)])
        arr = np.array(x)
    else:
        arr = np.asarray(x)
        if arr.dtype.kind in "OUS":
            raise TypeError(f"Cannot convert {type(x).__name__} of dtype {arr.dtype} to a "
                            f"tensor")
        dtype = arr.dtype if dtype is None else dtype
    arr = arr.astype(np_dtype(dtype), copy=False)
    return Tensor._wrap(arr if arr.flags.c_contiguous else arr.copy())


def convert_all(xs: Sequence[Any]) -> list[Tensor]:
    return [convert(x) for x in xs]


def binary(x1: Any, x2: Any) -> tuple[Tensor, Tensor]:
    """Both operands as Tensors of PyTorch's promoted dtype (module docstring)."""
    a, b = convert(x1), convert(x2)
    if a._data.dtype != b._data.dtype:
        target = _torch_result_type(a._data, b._data)
        a, b = cast(a, target), cast(b, target)
    return a, b


def floating(x: Any) -> Tensor:
    """x converted; int and bool tensors as floatx (Keras's rule for exp, sqrt, mean, ...)."""
    x = convert(x)
    return x if x._data.dtype.kind == "f" else cast(x, backend.floatx())


def axes(axis: Any, ndim: int) -> tuple[int, ...] | None:
    """`axis` (None, an int or a sequence) as sorted non-negative axes; None means all."""
    if axis is None:
        return None
    seq = (axis,) if isinstance(axis, int | np.integer) else tuple(axis)
    out = []
    for a in seq:
        if not -max(ndim, 1) <= int(a) < max(ndim, 1):
            raise ValueError(f"axis {a} is out of bounds for a tensor of rank {ndim}")
        out.append(int(a) % max(ndim, 1))
    return tuple(sorted(out))


def shape_tuple(shape: Any) -> tuple[int, ...]:
    """A shape argument (an int, a sequence or a Tensor) as a tuple of ints."""
    if isinstance(shape, Tensor):
        shape = shape._data.tolist()
    if isinstance(shape, int | np.integer):
        return (int(shape),)
    return tuple(int(s) for s in shape)
