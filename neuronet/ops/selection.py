"""Elementwise selection: each output element is an input's element or a bound, so the
gradient goes to whichever input was picked.

    clamp           f' = 1 where min <= x <= max, else 0
    clamp with tensor bounds: dL/dmin = g where x < min < max, dL/dmax = g where x > max
    maximum(a, b): the gradient goes to the larger input; ties split it in half (as PyTorch).
    minimum(a, b) likewise for the smaller.
    where(c, a, b): dL/da = g where c, dL/db = g where not c.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, as_tensor_arg
from ._util import float_operand, operands
from .arithmetic import apply_broadcast, broadcast_error


class Clamp(Function):
    """y = min(max(x, lo), hi);  dL/dx = g where lo <= x <= hi, else 0"""

    def forward(self, x, lo, hi):
        self.mask = None
        if lo is not None and hi is not None:
            self.mask = (x >= lo) & (x <= hi)
            return np.minimum(np.maximum(x, lo), hi).astype(x.dtype, copy=False)
        if lo is not None:
            self.mask = x >= lo
            return np.maximum(x, lo).astype(x.dtype, copy=False)
        if hi is not None:
            self.mask = x <= hi
            return np.minimum(x, hi).astype(x.dtype, copy=False)
        raise ValueError("clamp: at least one of 'min' or 'max' must not be None")

    def backward(self, g):
        return where(self.mask, g, 0.0)


class ClampTensor(Function):
    """y = min(max(x, lo), hi) with tensor bounds (broadcast), as PyTorch:
    dL/dx = g where lo <= x <= hi;  dL/dlo = g where x < lo < hi;
    dL/dhi = g where x > hi or hi < lo (crossed bounds give y = hi)"""

    def forward(self, x, lo, hi):
        return np.minimum(np.maximum(x, lo), hi)

    def backward(self, g):
        x, lo, hi = (t._data for t in self.inputs)
        masks = ((x >= lo) & (x <= hi), (x < lo) & (lo < hi), (x > hi) | (hi < lo))
        return tuple(where(m, g, 0.0) if need else None
                     for m, need in zip(masks, self.needs_input_grad))


class Maximum(Function):
    """y = max(a, b);  dL/da = g * [a > b] + g/2 * [a == b], dL/db likewise"""

    def forward(self, a, b, pick_max=True):
        gt = a > b if pick_max else a < b
        eq = a == b
        self.wa = gt + 0.5 * eq
        self.wb = (~gt & ~eq) + 0.5 * eq
        return np.maximum(a, b) if pick_max else np.minimum(a, b)

    def backward(self, g):
        dt = g._data.dtype
        da = g * self.wa.astype(dt) if self.needs_input_grad[0] else None
        db = g * self.wb.astype(dt) if self.needs_input_grad[1] else None
        return da, db


class Where(Function):
    """y = a where cond else b;  dL/da = g where cond, dL/db = g where not cond"""

    uses_input_values = False

    def forward(self, a, b, cond):
        self.cond = cond
        return np.where(cond, a, b)

    def backward(self, g):
        zero = np.zeros((), dtype=g._data.dtype)
        da = Where.apply(g, zero, cond=self.cond) if self.needs_input_grad[0] else None
        db = Where.apply(zero, g, cond=self.cond) if self.needs_input_grad[1] else None
        return da, db


def clamp(x: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        return _clamp_tensor(x, min, max)
    if x._data.dtype.kind != "f" and (isinstance(min, float) or isinstance(max, float)):
        x = float_operand(x)
    return Clamp.apply(x, lo=min, hi=max)


def _clamp_tensor(x: Tensor, lo: Any, hi: Any) -> Tensor:
    """clamp with tensor bounds; a missing bound is the dtype's -inf/+inf (never binding)."""
    if lo is None and hi is None:
        raise ValueError("clamp: at least one of 'min' or 'max' must not be None")
    for bound in (lo, hi):
        if bound is not None:
            x, _ = operands(x, bound)
    dt = x._data.dtype
    low, high = (-np.inf, np.inf) if dt.kind == "f" else (np.iinfo(dt).min, np.iinfo(dt).max)
    lo = Tensor._wrap(np.asarray(low, dt)) if lo is None else operands(x, lo)[1]
    hi = Tensor._wrap(np.asarray(high, dt)) if hi is None else operands(x, hi)[1]
    return apply_broadcast("clamp", ClampTensor, x, lo, hi)


def maximum(a: Any, b: Any) -> Tensor:
    a, b = operands(a, b)
    return apply_broadcast("maximum", Maximum, a, b, pick_max=True)


def minimum(a: Any, b: Any) -> Tensor:
    a, b = operands(a, b)
    return apply_broadcast("minimum", Maximum, a, b, pick_max=False)


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """Elements of `a` where `condition` holds, else of `b` (broadcast together)."""
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        cond = cond.astype(bool)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = as_tensor_arg(a)
    a, b = operands(a, b)
    try:
        return Where.apply(a, b, cond=cond)
    except ValueError:
        err = broadcast_error("where", cond.shape, a._data.shape, b._data.shape)
        if err is None:
            raise
        raise err from None
