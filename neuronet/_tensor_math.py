"""Tensor's maths methods: operators, comparisons, elementwise maths, reductions, linear algebra.

`_TensorMath` is a base class of `neuronet.tensor.Tensor`. Each method calls a primitive in
`neuronet.ops` (arithmetic, elementwise, reductions, indexing, linalg); the maths (forward and
backward) lives there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ._tensor_data import _array_of

if TYPE_CHECKING:
    from .ops import arithmetic as _ar
    from .ops import elementwise as _el
    from .ops import indexing as _idx
    from .ops import linalg as _la
    from .ops import reductions as _red
else:
    # Set by neuronet.tensor once Tensor exists (the op modules import Tensor).
    _ar = _el = _idx = _la = _red = None

# Set by neuronet.tensor once Tensor exists (it imports this module).
Tensor: Any = None


class _TensorMath:
    """Operators and maths methods of `Tensor` (a base class of it; holds no state)."""

    __slots__ = ()

    # --- operators ------------------------------------------------------------------------
    def __add__(self, other: Any) -> Tensor:
        return _ar.add(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return _ar.add(other, self)

    def __sub__(self, other: Any) -> Tensor:
        return _ar.sub(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return _ar.sub(other, self)

    def __mul__(self, other: Any) -> Tensor:
        return _ar.mul(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return _ar.mul(other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return _ar.div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _ar.div(other, self)

    def __floordiv__(self, other: Any) -> Tensor:
        return _ar.floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return _ar.floor_divide(other, self)

    def __mod__(self, other: Any) -> Tensor:
        return _ar.remainder(self, other)

    def __pow__(self, other: Any) -> Tensor:
        return _ar.pow(self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return _ar.pow(other, self)

    def __matmul__(self, other: Any) -> Tensor:
        return _la.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _la.matmul(other, self)

    def __neg__(self) -> Tensor:
        return _ar.neg(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return _el.abs(self)

    def __iadd__(self, other: Any) -> Tensor:
        return self.add_(other)

    def __isub__(self, other: Any) -> Tensor:
        return self.sub_(other)

    def __imul__(self, other: Any) -> Tensor:
        return self.mul_(other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self.div_(other)

    # comparisons and logic: bool results, never differentiable
    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _ar.compare(np.equal, self, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _ar.compare(np.not_equal, self, other)

    def __lt__(self, other: Any) -> Tensor:
        return _ar.compare(np.less, self, other)

    def __le__(self, other: Any) -> Tensor:
        return _ar.compare(np.less_equal, self, other)

    def __gt__(self, other: Any) -> Tensor:
        return _ar.compare(np.greater, self, other)

    def __ge__(self, other: Any) -> Tensor:
        return _ar.compare(np.greater_equal, self, other)

    def __and__(self, other: Any) -> Tensor:
        return _ar.compare(np.bitwise_and, self, other, keep_dtype=True)

    def __or__(self, other: Any) -> Tensor:
        return _ar.compare(np.bitwise_or, self, other, keep_dtype=True)

    def __xor__(self, other: Any) -> Tensor:
        return _ar.compare(np.bitwise_xor, self, other, keep_dtype=True)

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__

    def __invert__(self) -> Tensor:
        if self._data.dtype.kind == "b":
            return Tensor._wrap(~self._data)
        return Tensor._wrap(np.invert(self._data))

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__
    greater, less, greater_equal, less_equal, not_equal = gt, lt, ge, le, ne

    def logical_not(self) -> Tensor:
        return Tensor._wrap(np.logical_not(self._data))

    def logical_and(self, other: Any) -> Tensor:
        return _ar.compare(np.logical_and, self, other)

    def logical_or(self, other: Any) -> Tensor:
        return _ar.compare(np.logical_or, self, other)

    def isnan(self) -> Tensor:
        return Tensor._wrap(np.isnan(self._data))

    def isinf(self) -> Tensor:
        return Tensor._wrap(np.isinf(self._data))

    def isfinite(self) -> Tensor:
        return Tensor._wrap(np.isfinite(self._data))

    def equal(self, other: Tensor) -> bool:
        return self.shape == other.shape and bool(np.array_equal(self._data, other._data))

    def allclose(self, other: Tensor, rtol: float = 1e-5, atol: float = 1e-8,
                 equal_nan: bool = False) -> bool:
        return bool(np.allclose(self._data, _array_of(other), rtol, atol, equal_nan))

    def isclose(self, other: Any, rtol: float = 1e-5, atol: float = 1e-8,
                equal_nan: bool = False) -> Tensor:
        return Tensor._wrap(np.isclose(self._data, _array_of(other), rtol, atol, equal_nan))

    # --- elementwise maths (neuronet.ops.elementwise, activations) -------------------------
    def exp(self) -> Tensor:
        return _el.exp(self)

    def log(self) -> Tensor:
        return _el.log(self)

    def log2(self) -> Tensor:
        return _el.log(self) / float(np.log(2.0))

    def log10(self) -> Tensor:
        return _el.log(self) / float(np.log(10.0))

    def log1p(self) -> Tensor:
        return _el.log1p(self)

    def expm1(self) -> Tensor:
        return _el.expm1(self)

    def sqrt(self) -> Tensor:
        return _el.sqrt(self)

    def rsqrt(self) -> Tensor:
        return _el.rsqrt(self)

    def square(self) -> Tensor:
        return _ar.mul(self, self)

    def abs(self) -> Tensor:
        return _el.abs(self)

    absolute = abs

    def sign(self) -> Tensor:
        return _el.sign(self)

    def sin(self) -> Tensor:
        return _el.sin(self)

    def cos(self) -> Tensor:
        return _el.cos(self)

    def tan(self) -> Tensor:
        return _el.sin(self) / _el.cos(self)

    def tanh(self) -> Tensor:
        return _el.tanh(self)

    def sigmoid(self) -> Tensor:
        return _el.sigmoid(self)

    def relu(self) -> Tensor:
        return _el.relu(self)

    def erf(self) -> Tensor:
        return _el.erf(self)

    def reciprocal(self) -> Tensor:
        return _el.reciprocal(self)

    def floor(self) -> Tensor:
        return _el.floor(self)

    def ceil(self) -> Tensor:
        return _el.ceil(self)

    def round(self, decimals: int = 0) -> Tensor:
        return _el.round(self, decimals)

    def trunc(self) -> Tensor:
        return _el.trunc(self)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        return _el.clamp(self, min, max)

    clip = clamp

    def clamp_min(self, min: Any) -> Tensor:  # noqa: A002
        return _el.clamp(self, min, None)

    def clamp_max(self, max: Any) -> Tensor:  # noqa: A002
        return _el.clamp(self, None, max)

    def maximum(self, other: Any) -> Tensor:
        return _el.maximum(self, other)

    def minimum(self, other: Any) -> Tensor:
        return _el.minimum(self, other)

    def pow(self, exponent: Any) -> Tensor:
        return _ar.pow(self, exponent)

    def add(self, other: Any, alpha: Any = 1) -> Tensor:
        return _ar.add(self, other if alpha == 1 else other * alpha)

    def sub(self, other: Any, alpha: Any = 1) -> Tensor:
        return _ar.sub(self, other if alpha == 1 else other * alpha)

    subtract = sub

    def mul(self, other: Any) -> Tensor:
        return _ar.mul(self, other)

    multiply = mul

    def div(self, other: Any, rounding_mode: str | None = None) -> Tensor:
        if rounding_mode is None:
            return _ar.div(self, other)
        if rounding_mode == "floor":
            return _ar.floor_divide(self, other)
        if rounding_mode == "trunc":
            return _ar.div(self, other).trunc().to(_ar.result_dtype(self, other))
        raise ValueError(
            f"div: rounding_mode must be None, 'floor' or 'trunc', got {rounding_mode!r}"
        )

    divide = true_divide = div

    def neg(self) -> Tensor:
        return _ar.neg(self)

    negative = neg

    def where(self, condition: Any, other: Any) -> Tensor:
        return _el.where(condition, self, other)

    def lerp(self, end: Any, weight: Any) -> Tensor:
        return self + weight * (end - self)

    def addcmul(self, t1: Any, t2: Any, value: Any = 1) -> Tensor:
        return self + value * t1 * t2

    def addcdiv(self, t1: Any, t2: Any, value: Any = 1) -> Tensor:
        return self + value * t1 / t2

    def softmax(self, dim: int, dtype: Any = None) -> Tensor:
        from .ops.fused import softmax

        return softmax(self if dtype is None else self.to(dtype), dim)

    def log_softmax(self, dim: int, dtype: Any = None) -> Tensor:
        from .ops.fused import log_softmax

        return log_softmax(self if dtype is None else self.to(dtype), dim)

    # --- reductions (neuronet.ops.reductions) ---------------------------------------------
    def sum(self, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
        return _red.sum(self if dtype is None else self.to(dtype), dim, keepdim)

    def mean(self, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
        return _red.mean(self if dtype is None else self.to(dtype), dim, keepdim)

    def prod(self, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
        return _red.prod(self if dtype is None else self.to(dtype), dim, keepdim)

    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        if isinstance(dim, Tensor):
            return _el.maximum(self, dim)
        return _red.max(self, dim, keepdim)

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        if isinstance(dim, Tensor):
            return _el.minimum(self, dim)
        return _red.min(self, dim, keepdim)

    def amax(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        return _red.amax(self, dim, keepdim)

    def amin(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        return _red.amin(self, dim, keepdim)

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return _red.argmax(self, dim, keepdim)

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return _red.argmin(self, dim, keepdim)

    def var(self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
            correction: Any = None) -> Tensor:
        return _red.var(self, dim, unbiased, keepdim, correction=correction)

    def std(self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
            correction: Any = None) -> Tensor:
        return _red.std(self, dim, unbiased, keepdim, correction=correction)

    def logsumexp(self, dim: Any, keepdim: bool = False) -> Tensor:
        return _red.logsumexp(self, dim, keepdim)

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> Tensor:
        return _red.norm(self, p, dim, keepdim)

    def cumsum(self, dim: int, dtype: Any = None) -> Tensor:
        return _red.cumsum(self if dtype is None else self.to(dtype), dim)

    def all(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return _red.logical_reduce(np.all, self, dim, keepdim)

    def any(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return _red.logical_reduce(np.any, self, dim, keepdim)

    def count_nonzero(self, dim: Any = None) -> Tensor:
        return Tensor._wrap(np.asarray(np.count_nonzero(self._data, axis=dim), dtype=np.int64))

    def nonzero(self, as_tuple: bool = False) -> Any:
        idx = np.nonzero(self._data)
        if as_tuple:
            return tuple(Tensor._wrap(i.astype(np.int64)) for i in idx)
        return Tensor._wrap(np.stack(idx, axis=1).astype(np.int64))

    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
        return _idx.sort(self, dim, descending)

    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
        return _idx.sort(self, dim, descending)[1]

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:  # noqa: A002
        return _idx.topk(self, k, dim, largest)

    # --- linear algebra (neuronet.ops.linalg) ---------------------------------------------
    def matmul(self, other: Any) -> Tensor:
        return _la.matmul(self, other)

    def mm(self, other: Tensor) -> Tensor:
        return _la.mm(self, other)

    def bmm(self, other: Tensor) -> Tensor:
        return _la.bmm(self, other)

    def mv(self, vec: Tensor) -> Tensor:
        return _la.matmul(self, vec)

    def dot(self, other: Tensor) -> Tensor:
        return _la.dot(self, other)

    def outer(self, other: Tensor) -> Tensor:
        return _la.outer(self, other)

    ger = outer
