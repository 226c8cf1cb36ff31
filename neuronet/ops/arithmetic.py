"""Arithmetic: + - * / ** and negation, casts and copies.

Derivatives (for z = op(a, b), upstream gradient g = dL/dz):
    add       dL/da = g                dL/db = g
    sub       dL/da = g                dL/db = -g
    mul       dL/da = g * b            dL/db = g * a
    div       dL/da = g / b            dL/db = -g * a / b**2
    pow       dL/da = g * b * a**(b-1) dL/db = g * a**b * log(a)
    neg       dL/da = -g
Operands broadcast; the engine sums each gradient back to its operand's shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..dtypes import get_default_dtype, result_type
from ..tensor import Tensor
from ._util import operands


class Add(Function):
    """z = a + b;  dL/da = g,  dL/db = g"""

    uses_input_values = False

    def forward(self, a, b):
        return a + b

    def backward(self, g):
        return g, g


class Sub(Function):
    """z = a - b;  dL/da = g,  dL/db = -g"""

    uses_input_values = False

    def forward(self, a, b):
        return a - b

    def backward(self, g):
        return g, (-g if self.needs_input_grad[1] else None)


class Mul(Function):
    """z = a * b;  dL/da = g * b,  dL/db = g * a"""

    def forward(self, a, b):
        return a * b

    def backward(self, g):
        a, b = self.inputs
        da = g * b if self.needs_input_grad[0] else None
        db = g * a if self.needs_input_grad[1] else None
        return da, db


class Div(Function):
    """z = a / b;  dL/da = g / b,  dL/db = -g * a / b**2"""

    def forward(self, a, b):
        return a / b

    def backward(self, g):
        a, b = self.inputs
        da = g / b if self.needs_input_grad[0] else None
        db = -g * a / (b * b) if self.needs_input_grad[1] else None
        return da, db


class Neg(Function):
    """z = -a;  dL/da = -g"""

    uses_input_values = False

    def forward(self, a):
        return -a

    def backward(self, g):
        return -g


class PowScalar(Function):
    """z = a ** p for a constant p;  dL/da = g * p * a**(p-1)  (0 when p == 0)"""

    def forward(self, a, p):
        self.p = p
        return a ** p if p != 2 else a * a

    def backward(self, g):
        (a,) = self.inputs
        p = self.p
        if p == 0:
            return g * 0.0
        if p == 1:
            return g
        if p == 2:
            return g * (2.0 * a)
        return g * (p * a ** (p - 1))


class Pow(Function):
    """z = a ** b;  dL/da = g * b * a**(b-1),  dL/db = g * z * log(a)

    NOTE: as in PyTorch, dL/da is 0 where b == 0 and dL/db is 0 where a == 0 and b >= 0,
    instead of the nan the formulas give there."""

    def forward(self, a, b):
        return np.power(a, b)

    def backward(self, g):
        from .elementwise import log, where

        a, b = self.inputs
        da = db = None
        if self.needs_input_grad[0]:
            da = where(b._data == 0, 0.0, g * b * a ** (b - 1))
        if self.needs_input_grad[1]:
            mask = (a._data == 0) & (b._data >= 0)
            safe_a = where(mask, 1.0, a)
            db = where(mask, 0.0, g * a ** b * log(safe_a))
        return da, db


class Cast(Function):
    """z = a converted to another dtype;  dL/da = g (cast back by the engine)"""

    uses_input_values = False

    def forward(self, a, dtype):
        return a.astype(dtype)

    def backward(self, g):
        return g


class Clone(Function):
    """z = copy of a;  dL/da = g"""

    uses_input_values = False

    def forward(self, a):
        return a.copy()

    def backward(self, g):
        return g


class CopyFrom(Function):
    """z = src broadcast to dst's shape and dtype (dst.copy_(src));  dL/d(dst) = 0, dL/d(src) = g"""

    uses_input_values = False

    def forward(self, dst, src):
        out = np.empty_like(dst)
        out[...] = src
        return out

    def backward(self, g):
        return None, g


def broadcast_error(op: str, *shapes: tuple) -> ValueError | None:
    """A ValueError naming `op`, the shapes and the first clashing dim; None if they broadcast."""
    ndim = max(len(s) for s in shapes)
    for i in range(1, ndim + 1):
        sizes = [s[-i] for s in shapes if i <= len(s) and s[-i] != 1]
        if len(set(sizes)) > 1:
            names = " and ".join(str(tuple(s)) for s in shapes)
            return ValueError(
                f"{op}: shapes {names} are not broadcastable: sizes {sorted(set(sizes))} "
                f"clash at non-singleton dimension {ndim - i} (each size must match or be 1)"
            )
    return None


def apply_broadcast(op: str, cls: type[Function], *tensors: Tensor, **options: Any) -> Tensor:
    """`cls.apply(*tensors)`, turning NumPy's broadcast failure into an error that names the op."""
    try:
        return cls.apply(*tensors, **options)
    except ValueError:
        err = broadcast_error(op, *(t._data.shape for t in tensors))
        if err is None:
            raise
        raise err from None


def add(a: Any, b: Any) -> Tensor:
    a, b = operands(a, b)
    return apply_broadcast("add", Add, a, b)


def sub(a: Any, b: Any) -> Tensor:
    a, b = operands(a, b)
    if a._data.dtype.kind == "b":
        raise RuntimeError("sub: subtraction of two bool tensors is not supported; use ^ instead")
    return apply_broadcast("sub", Sub, a, b)


def mul(a: Any, b: Any) -> Tensor:
    a, b = operands(a, b)
    return apply_broadcast("mul", Mul, a, b)


def div(a: Any, b: Any) -> Tensor:
    """True division; integer operands give the default float dtype, as in PyTorch."""
    a, b = operands(a, b)
    if a._data.dtype.kind != "f":
        a, b = a.to(get_default_dtype()), b.to(get_default_dtype())
    return apply_broadcast("div", Div, a, b)


def neg(a: Tensor) -> Tensor:
    return Neg.apply(a)


def pow(a: Any, b: Any) -> Tensor:  # noqa: A001
    if isinstance(a, Tensor) and isinstance(b, (int, float)) and not isinstance(b, bool):
        if a._data.dtype.kind != "f" and (isinstance(b, float) or b < 0):
            if b < 0 and isinstance(b, int):
                raise RuntimeError("pow: integers to negative integer powers are not allowed")
            a = a.to(get_default_dtype())
        return PowScalar.apply(a, p=b)
    a, b = operands(a, b)
    return apply_broadcast("pow", Pow, a, b)


def cast(a: Tensor, dtype: np.dtype) -> Tensor:
    return Cast.apply(a, dtype=dtype)


def clone(a: Tensor) -> Tensor:
    return Clone.apply(a)


def copy_from(dst: Tensor, src: Any) -> Tensor:
    return CopyFrom.apply(dst, src)


def floor_divide(a: Any, b: Any) -> Tensor:
    """a // b rounded toward negative infinity (not differentiable)."""
    a, b = operands(a, b)
    return Tensor._wrap(np.floor_divide(a._data, b._data))


def remainder(a: Any, b: Any) -> Tensor:
    """Python-style a % b (sign of b); not differentiable here."""
    a, b = operands(a, b)
    return Tensor._wrap(np.remainder(a._data, b._data))


def result_dtype(a: Any, b: Any) -> np.dtype:
    a, b = operands(a, b)
    return result_type(a._data, b._data)


def compare(op: Callable, a: Any, b: Any, keep_dtype: bool = False) -> Tensor:
    """Comparisons and logic: bool results (bitwise ops keep integer dtypes), no gradient."""
    if b is None or isinstance(b, (str, type)):
        return NotImplemented  # type: ignore[return-value]
    a, b = operands(a, b)
    try:
        return Tensor._wrap(op(a._data, b._data))
    except ValueError:
        err = broadcast_error(op.__name__, a._data.shape, b._data.shape)
        if err is None:
            raise
        raise err from None
