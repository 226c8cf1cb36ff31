"""Reductions of `keras.ops.numpy` (and `logsumexp`, `norm`): over `axis` (None = all,
an int or a tuple), `keepdims` keeping the reduced axes with size 1.

    mean       sum(x) / n;   var = mean((x - mean(x))**2);   std = sqrt(var)  (biased, as NumPy)
    logsumexp  m + log(sum(exp(x - m))), m = max(x)  (stable; dL/dx = g softmax(x))
    norm       vector: (sum |x|**p)**(1/p);  matrix (2 axes): 'fro', 1, -1, inf, -inf
Output dtypes follow Keras's torch backend: sum keeps ints (bool and 8/16-bit ints give
int32); mean, std and var give floatx for ints; argmax/argmin/argsort/count_nonzero give
int32; prod and cumsum give 32-bit results (Keras's result_type maps 64 to 32 bits).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...ops import elementwise as _el
from ...ops import indexing as _idx
from ...ops import reductions as _red
from ...ops.linalg import SingularValueNorm
from ...ops.shape import stack
from ...tensor import Tensor
from .. import backend
from ._convert import axes, cast, convert, dtype_name, floating, result_type

_SMALL_INTS = ("bool", "uint8", "int8", "int16")


def _stacked(x: Any) -> Tensor:
    return stack([convert(item) for item in x]) if isinstance(x, list | tuple) else convert(x)


def _empty(axis: Any) -> bool:
    return isinstance(axis, list | tuple) and len(axis) == 0


def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Sum over `axis`; bool and small int inputs sum as int32."""
    x = _stacked(x)
    if _empty(axis):
        return x
    dtype = "int32" if dtype_name(x) in _SMALL_INTS else dtype_name(x)
    return cast(_red.sum(cast(x, dtype), axes(axis, x.ndim), keepdims), dtype)


def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Arithmetic mean over `axis` (ints give floatx)."""
    x = _stacked(x)
    if _empty(axis):
        return x
    return _red.mean(floating(x), axes(axis, x.ndim), keepdims)


def prod(x: Any, axis: Any = None, keepdims: bool = False, dtype: Any = None) -> Tensor:
    """Product over `axis`; dL/dx_i = g * prod_{j != i} x_j."""
    x = convert(x)
    if dtype is None:
        dtype = result_type(dtype_name(x))
        dtype = "int32" if dtype in _SMALL_INTS else dtype
    return cast(_red.prod(cast(x, dtype), axes(axis, x.ndim), keepdims), dtype)


def _extreme(x: Any, axis: Any, keepdims: bool, initial: Any, use_max: bool) -> Tensor:
    x = convert(x)
    if x._data.size == 0:
        if initial is None:
            raise ValueError(f"Cannot compute the {'max' if use_max else 'min'} of an empty "
                             f"tensor.")
        shape = (1,) * x.ndim if keepdims else ()
        return Tensor(initial).reshape(shape)  # PyTorch's dtype for a Python number
    if _empty(axis):
        out = x
    else:
        reduce = _red.amax if use_max else _red.amin
        out = reduce(x, () if axis is None else axes(axis, x.ndim), keepdims)
    if initial is not None:
        bound = cast(convert(initial), x._data.dtype)
        out = _el.maximum(out, bound) if use_max else _el.minimum(out, bound)
    return out


def max(x: Any, axis: Any = None, keepdims: bool = False,  # noqa: A001
        initial: Any = None) -> Tensor:
    """Largest value over `axis` (at least `initial`); the gradient goes to the maxima."""
    return _extreme(x, axis, keepdims, initial, True)


def min(x: Any, axis: Any = None, keepdims: bool = False,  # noqa: A001
        initial: Any = None) -> Tensor:
    """Smallest value over `axis` (at most `initial`); the gradient goes to the minima."""
    return _extreme(x, axis, keepdims, initial, False)


def var(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Biased variance mean((x - mean(x))**2) over `axis`."""
    x = convert(x)
    out_dtype = result_type(dtype_name(x), float)
    if _empty(axis):
        return Tensor._wrap(np.zeros(x.shape, np.dtype(out_dtype)))
    x = floating(x)
    return cast(_red.var(x, axes(axis, x.ndim), keepdim=keepdims, correction=0), out_dtype)


def std(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Biased standard deviation sqrt(var(x)) over `axis`."""
    x = floating(x)
    return _red.std(x, axes(axis, x.ndim), keepdim=keepdims, correction=0)


def _arg(fn: Any, x: Any, axis: Any, keepdims: bool) -> Tensor:
    x = convert(x)
    out = _red.argmax(x, axis, keepdims) if fn is np.argmax else _red.argmin(x, axis, keepdims)
    if axis is None and keepdims:
        out = out.reshape((1,) * x.ndim)
    return cast(out, "int32")


def argmax(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Index of the (first) largest value along `axis` (of the flattened x when None)."""
    return _arg(np.argmax, x, axis, keepdims)


def argmin(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Index of the (first) smallest value along `axis` (of the flattened x when None)."""
    return _arg(np.argmin, x, axis, keepdims)


def argsort(x: Any, axis: Any = -1) -> Tensor:
    """Indices that sort x along `axis` (stable; the flattened x when None)."""
    x = convert(x)
    if axis is None:
        x, axis = x.reshape(-1), -1
    return cast(_idx.sort(x, axis)[1], "int32")


def sort(x: Any, axis: Any = -1) -> Tensor:
    """x sorted ascending along `axis` (the flattened x when None); the gradient follows
    each value to its place."""
    x = convert(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return _idx.sort(x, axis)[0]


def cumsum(x: Any, axis: Any = None, dtype: Any = None) -> Tensor:
    """Running sum along `axis` (of the flattened x when None)."""
    x = convert(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    dtype = result_type(dtype or dtype_name(x))
    dtype = "int32" if dtype == "bool" else dtype
    return cast(_red.cumsum(cast(x, dtype), axis), dtype)


def _logical(fn: Any, x: Any, axis: Any, keepdims: bool) -> Tensor:
    x = convert(x)
    if _empty(axis):
        return cast(x, "bool")
    return Tensor._wrap(np.asarray(fn(x._data, axis=axes(axis, x.ndim), keepdims=keepdims)))


def any(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """True where any element over `axis` is non-zero."""
    return _logical(np.any, x, axis, keepdims)


def all(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """True where every element over `axis` is non-zero."""
    return _logical(np.all, x, axis, keepdims)


def count_nonzero(x: Any, axis: Any = None) -> Tensor:
    """Number of non-zero elements over `axis`, as int32."""
    x = convert(x)
    if _empty(axis):
        return Tensor._wrap((x._data != 0).astype(np.int32))
    found = np.count_nonzero(x._data, axis=axes(axis, x.ndim))
    return Tensor._wrap(np.asarray(found, np.int32))


def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """log(sum(exp(x))) over `axis`, computed without overflow."""
    x = floating(x)
    return _red.logsumexp(x, tuple(range(x.ndim)) if axis is None else axis, keepdims)


def average(x: Any, axis: Any = None, weights: Any = None) -> Tensor:
    """Weighted mean sum(w * x) / sum(w) over `axis` (NumPy's rule: 1-D weights lie along
    `axis`); the plain mean without weights."""
    x = convert(x)
    names = [dtype_name(x), float]
    if weights is not None:
        weights = convert(weights)
        names.append(dtype_name(weights))
    dtype = result_type(*names)
    x = cast(x, dtype)
    if _empty(axis):
        return x
    if weights is None:
        return _red.mean(x, axes(axis, x.ndim))
    w = cast(weights, dtype)
    if w.ndim == 1 and x.ndim > 1 and axis is not None:
        view = [1] * x.ndim
        view[int(axis) % x.ndim] = w.shape[0]
        w = w.reshape(view)
    return _red.sum(x * w, axes(axis, x.ndim)) / _red.sum(w.expand(x.shape), axes(axis, x.ndim))


def trace(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor:
    """Sum of the `offset` diagonal of the (axis1, axis2) planes."""
    x = convert(x)
    dtype = "int32" if dtype_name(x) in _SMALL_INTS else dtype_name(x)
    return cast(_red.sum(cast(x, dtype).diagonal(offset, axis1, axis2), -1), dtype)


def norm(x: Any, ord: Any = None, axis: Any = None,  # noqa: A002
         keepdims: bool = False) -> Tensor:
    """Vector or matrix norm (module docstring); float64 gives float32, as Keras."""
    x = convert(x)
    x = cast(x, backend.floatx() if dtype_name(x) == "int64" else
             result_type(dtype_name(x), float))
    if axis is None:
        if ord is None:
            out = _red.norm(x, 2, None, False)
            return out.reshape((1,) * x.ndim) if keepdims else out
        axis = tuple(range(x.ndim))
    dims = axes(axis, x.ndim)
    if len(dims) == 1:
        return _vector_norm(x, ord, dims, keepdims)
    if len(dims) == 2 and x.ndim >= 2:
        return _matrix_norm(x, ord, axis if isinstance(axis, tuple | list) else dims, keepdims)
    raise ValueError(f"norm: axis must name 1 or 2 axes, received axis={axis}")


def _vector_norm(x: Tensor, ord: Any, dims: tuple, keepdims: bool) -> Tensor:  # noqa: A002
    if ord in (None, 2, 2.0):
        return _red.norm(x, 2, dims, keepdims)
    if ord in ("fro", "nuc"):
        raise ValueError(f"norm: ord={ord!r} is a matrix norm; a vector norm takes a number")
    return _red.norm(x, float(ord), dims, keepdims)


def _matrix_norm(x: Tensor, ord: Any, pair: Any, keepdims: bool) -> Tensor:  # noqa: A002
    row, col = (int(a) % x.ndim for a in pair)
    if ord in (None, "fro"):
        return _red.norm(x, 2, (row, col), keepdims)
    if ord in (1, -1, np.inf, -np.inf):
        # 1: largest column sum of |x|;  inf: largest row sum
        summed, other = (row, col) if ord in (1, -1) else (col, row)
        sums = _red.sum(_el.abs(x), summed, keepdim=True)
        reduce = _red.amax if ord > 0 else _red.amin
        out = reduce(sums, other, keepdim=True)
        return out if keepdims else out.squeeze((row, col))
    if ord in (2, -2, "nuc"):  # from the singular values of the (row, col) planes
        planes = x.movedim((row, col), (-2, -1))
        out = SingularValueNorm.apply(planes, ord=ord)
        if keepdims:
            for a in sorted((row, col)):
                out = out.unsqueeze(a)
        return out
    raise ValueError(f"norm: invalid matrix norm ord={ord!r}; use None, 'fro', 'nuc', 1, -1, "
                     f"2, -2, inf or -inf")
