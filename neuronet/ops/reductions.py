"""Reductions over `dim` (an int, a tuple, or None for all) with `keepdim`.

    sum        dL/dx = g broadcast back over the reduced dims
    mean       sum / n
    prod       dL/dx = g * y / x  (products of the other elements where x has zeros)
    amax/amin  the gradient is shared equally among tied extreme elements (as PyTorch)
    max(dim)   values = x gathered at the argmax, so the gradient goes to that one element
    logsumexp  y = m + log(sum(exp(x - m))), m = max(x);  dL/dx = g * exp(x - y)
    var        sum((x - mean)**2) / (n - correction);  std = sqrt(var), dL/dvar = 0 where std == 0
    norm (p=2) y = sqrt(sum(x**2));  dL/dx = g * x / y  (0 where y == 0, as PyTorch)
    norm (p)   y = (sum |x|**p)**(1/p);  dL/dx = g * sign(x) |x|**(p-1) / y**(p-1)  (0 at y == 0)
    norm (inf) amax(|x|), ties share the gradient;  p=1: sum(|x|)
    cumsum     dL/dx = reverse cumulative sum of g
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._util import float_operand, norm_dim, norm_dims

values_indices = namedtuple("values_indices", ["values", "indices"])


def _kept_shape(shape: tuple, axes: tuple | None) -> tuple:
    """The output shape with keepdim=True."""
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def _expand_back(g: Tensor, in_shape: tuple, axes: tuple | None) -> Tensor:
    """g (reduced shape, keepdim or not) -> broadcast to the input shape."""
    from .shape import expand, reshape

    return expand(reshape(g, _kept_shape(in_shape, axes)), in_shape)


class Sum(Function):
    """y = sum of x over axes;  dL/dx = g broadcast back to x's shape"""

    uses_input_values = False

    def forward(self, x, axes, keepdim):
        self.axes, self.in_shape = axes, x.shape
        if x.dtype.kind in "bui" and x.dtype != np.int64:
            return np.sum(x, axis=axes, keepdims=keepdim, dtype=np.int64)
        return np.sum(x, axis=axes, keepdims=keepdim)

    def backward(self, g):
        return _expand_back(g, self.in_shape, self.axes)


class Prod(Function):
    """y = prod of x over axes;  dL/dx_i = g * (product of the other elements) = g * y / x_i

    NOTE: where a slice holds zeros, y / x is 0/0; the product of the others is then built from
    the non-zero product P = prod(x where x != 0 else 1) and the zero count E of the slice:
        E = 0: P / x_i;   E = 1: P at the zero, P / x_i * x_zero elsewhere (value 0);
        E = 2: P * (other zero) at the zeros, 0 elsewhere;   E >= 3: 0.
    Each piece is written so its derivative is right too (second derivatives match PyTorch)."""

    saves_output = True

    def forward(self, x, axes, keepdim):
        self.axes = axes
        return np.prod(x, axis=axes, keepdims=keepdim)

    def backward(self, g):
        x = self.inputs[0]
        shape = x._data.shape
        ge = _expand_back(g, shape, self.axes)
        zero = x._data == 0
        if not zero.any():
            return ge * _expand_back(self.output(), shape, self.axes) / x
        from .elementwise import where

        count = np.broadcast_to(np.sum(zero, axis=self.axes, keepdims=True), shape)
        x_safe = where(zero, 1.0, x)
        others_nz = _expand_back(prod(x_safe, self.axes, True), shape, self.axes) / x_safe
        zero_sum = _expand_back(sum(where(zero, x, 0.0), self.axes, True), shape, self.axes)
        # product over the slice's zeros other than x_i (see the NOTE above)
        zeros_excl = where(count == 0, 1.0, where(
            count == 1, where(zero, 1.0, zero_sum), where((count == 2) & zero, zero_sum - x, 0.0)))
        return ge * others_nz * zeros_excl


class Amax(Function):
    """y = max over axes;  dL/dx = g * [x == y] / (number of ties)"""

    def forward(self, x, axes, keepdim, use_max):
        fn = np.max if use_max else np.min
        y = fn(x, axis=axes, keepdims=True)
        mask = (x == y).astype(x.dtype)
        self.share = mask / np.sum(mask, axis=axes, keepdims=True)
        self.axes = axes
        return y if keepdim else (y.reshape(()) if axes is None else np.squeeze(y, axis=axes))

    def backward(self, g):
        return _expand_back(g, self.share.shape, self.axes) * self.share


class LogSumExp(Function):
    """y = log(sum(exp(x))) computed as m + log(sum(exp(x - m))), m = max(x);
    dL/dx = g * exp(x - y)"""

    saves_output = True

    def forward(self, x, axes, keepdim):
        self.axes = axes
        m = np.max(x, axis=axes, keepdims=True) if x.size else np.zeros((1,) * x.ndim, x.dtype)
        m = np.where(np.isfinite(m), m, 0).astype(x.dtype, copy=False)
        out = np.log(np.sum(np.exp(x - m), axis=axes, keepdims=True)) + m
        return out if keepdim else np.squeeze(out, axis=axes)

    def backward(self, g):
        from .elementwise import exp

        x = self.inputs[0]
        y = _expand_back(self.output(), x._data.shape, self.axes)
        return _expand_back(g, x._data.shape, self.axes) * exp(x - y)


class Norm2(Function):
    """y = sqrt(sum(x**2));  dL/dx = g * x / y, 0 where y == 0"""

    saves_output = True

    def forward(self, x, axes, keepdim):
        self.axes = axes
        return np.sqrt(np.sum(x * x, axis=axes, keepdims=keepdim))

    def backward(self, g):
        from .elementwise import where

        x = self.inputs[0]
        y = _expand_back(self.output(), x._data.shape, self.axes)
        zero = y._data == 0
        safe = where(zero, 1.0, y)
        return where(zero, 0.0, _expand_back(g, x._data.shape, self.axes) * x / safe)


class StdSqrt(Function):
    """y = sqrt(v) for std = sqrt(var);  dL/dv = g / (2 y), and 0 where y == 0 (as PyTorch)"""

    saves_output = True

    def forward(self, v):
        return np.sqrt(v)

    def backward(self, g):
        from .elementwise import where

        y = self.output()
        zero = y._data == 0
        return where(zero, 0.0, g / (2.0 * where(zero, 1.0, y)))


class NormP(Function):
    """y = (sum |x|**p)**(1/p);  dL/dx = g * sign(x) |x|**(p-1) / y**(p-1), 0 where y == 0
    (and the |x|**(p-1) factor is 0 where x == 0, as PyTorch)"""

    saves_output = True

    def forward(self, x, axes, keepdim, p):
        self.axes, self.p = axes, p
        return np.sum(np.abs(x) ** p, axis=axes, keepdims=keepdim) ** (1.0 / p)

    def backward(self, g):
        from .elementwise import abs, sign, where

        x, p = self.inputs[0], self.p
        shape = x._data.shape
        y = _expand_back(self.output(), shape, self.axes)
        y_zero, x_zero = y._data == 0, x._data == 0
        scale = where(y_zero, 0.0, _expand_back(g, shape, self.axes)
                      / where(y_zero, 1.0, y) ** (p - 1))
        x_scaled = sign(x) * where(x_zero, 0.0, where(x_zero, 1.0, abs(x)) ** (p - 1))
        return x_scaled * scale


class Cumsum(Function):
    """y_i = sum_{j <= i} x_j along dim;  dL/dx_j = sum_{i >= j} g_i"""

    uses_input_values = False

    def forward(self, x, dim):
        self.dim = dim
        out = np.cumsum(x, axis=dim, dtype=np.int64 if x.dtype.kind in "bui" else x.dtype)
        return out.reshape(x.shape)  # a 0-d input stays 0-d

    def backward(self, g):
        from .shape import flip

        if g.ndim == 0:
            return g
        return flip(cumsum(flip(g, (self.dim,)), self.dim), (self.dim,))


def _axes(x: Tensor, dim: Any, op: str) -> tuple | None:
    """`dim` as sorted axes; None (all) for None or (). A 0-d tensor accepts dim 0 or -1 and
    reduces over nothing, which is the same as over everything."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return None
    axes = norm_dims(dim, x._data.ndim, op)
    return None if x._data.ndim == 0 else axes


def sum(x: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    return Sum.apply(x, axes=_axes(x, dim, "sum"), keepdim=keepdim)


def mean(x: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    if x._data.dtype.kind != "f":
        raise RuntimeError(
            f"mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {x.dtype}"
        )
    axes = _axes(x, dim, "mean")
    n = x._data.size if axes is None else int(np.prod([x._data.shape[a] for a in axes]))
    return Sum.apply(x, axes=axes, keepdim=keepdim) / float(n) if n else (
        Sum.apply(x, axes=axes, keepdim=keepdim) * float("nan"))


def prod(x: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return Prod.apply(x, axes=_axes(x, dim, "prod"), keepdim=keepdim)


def amax(x: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    _check_nonempty(x, "amax")
    return Amax.apply(x, axes=_axes(x, dim, "amax"), keepdim=keepdim, use_max=True)


def amin(x: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    _check_nonempty(x, "amin")
    return Amax.apply(x, axes=_axes(x, dim, "amin"), keepdim=keepdim, use_max=False)


def _check_nonempty(x: Tensor, op: str) -> None:
    if x._data.size == 0:
        raise RuntimeError(
            f"{op}(): Expected reduction dim to be specified for input.numel() == 0. Specify "
            "the reduction dim with the 'dim' argument."
        )


def _extreme(x: Tensor, dim: Any, keepdim: bool, use_max: bool) -> Any:
    op = "max" if use_max else "min"
    if dim is None:
        _check_nonempty(x, op)
        return Amax.apply(x, axes=None, keepdim=False, use_max=use_max)
    d = norm_dim(dim, x._data.ndim, op)
    if x._data.ndim == 0:
        return values_indices(x, Tensor._wrap(np.zeros((), np.int64)))
    arg = np.argmax if use_max else np.argmin
    idx = np.expand_dims(arg(x._data, axis=d), d)
    from .indexing import gather

    values = gather(x, d, Tensor._wrap(idx))
    indices = Tensor._wrap(idx.astype(np.int64))
    if not keepdim:
        values, indices = values.squeeze(d), indices.squeeze(d)
    return values_indices(values, indices)


def max(x: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    return _extreme(x, dim, keepdim, True)


def min(x: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    return _extreme(x, dim, keepdim, False)


def argmax(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    return _arg(np.argmax, x, dim, keepdim)


def argmin(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    return _arg(np.argmin, x, dim, keepdim)


def _arg(fn: Callable, x: Tensor, dim: int | None, keepdim: bool) -> Tensor:
    if dim is None:
        out = np.asarray(fn(x._data))
        if keepdim:
            out = out.reshape((1,) * x._data.ndim)
    else:
        d = norm_dim(dim, x._data.ndim, fn.__name__)
        out = fn(x._data, axis=d, keepdims=keepdim) if x._data.ndim else np.asarray(0)
    return Tensor._wrap(np.asarray(out, dtype=np.int64))


def var(x: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
        correction: Any = None) -> Tensor:
    """sum((x - mean)**2) / (N - correction); correction defaults to 1 (unbiased)."""
    if isinstance(unbiased, (int, np.integer)) and not isinstance(unbiased, bool) and dim is None:
        dim, unbiased = unbiased, None  # var(x, 0) means dim=0
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    x = float_operand(x)
    axes = _axes(x, dim, "var")
    n = x._data.size if axes is None else int(np.prod([x._data.shape[a] for a in axes]))
    centered = x - mean(x, axes, keepdim=True)
    denom = float(n - correction)
    ss = sum(centered * centered, axes, keepdim)
    return ss / denom if denom > 0 else ss * float("nan") if denom == 0 else ss / denom


def std(x: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
        correction: Any = None) -> Tensor:
    return StdSqrt.apply(var(x, dim, unbiased, keepdim, correction=correction))


def logsumexp(x: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    x = float_operand(x)
    return LogSumExp.apply(x, axes=_axes(x, dim, "logsumexp"), keepdim=keepdim)


def norm(x: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> Tensor:
    """Vector p-norm over `dim` (all elements when None); 'fro' is the 2-norm of all entries."""
    x = float_operand(x)
    axes = _axes(x, dim, "norm")
    if p in ("fro", 2, 2.0, None):
        return Norm2.apply(x, axes=axes, keepdim=keepdim)
    if p in (float("inf"), "inf"):
        return amax(x.abs(), axes if axes is not None else (), keepdim)
    if p in (float("-inf"), "-inf"):
        return amin(x.abs(), axes if axes is not None else (), keepdim)
    if p == 1:
        return sum(x.abs(), axes, keepdim)
    if p == 0:
        return sum((x != 0).to(x.dtype), axes, keepdim)
    if isinstance(p, str):
        raise ValueError(f"norm: unsupported p={p!r}; use a number, 'fro', inf or -inf")
    return NormP.apply(x, axes=axes, keepdim=keepdim, p=float(p))


def cumsum(x: Tensor, dim: int) -> Tensor:
    return Cumsum.apply(x, dim=norm_dim(dim, x._data.ndim, "cumsum"))


def logical_reduce(fn: Callable, x: Tensor, dim: Any, keepdim: bool) -> Tensor:
    axes = _axes(x, dim, fn.__name__)
    return Tensor._wrap(np.asarray(fn(x._data, axis=axes, keepdims=keepdim)))
