"""Elementwise maths: y = f(x), dL/dx = dL/dy * f'(x).

    exp     f' = y                 log      f' = 1 / x
    log1p   f' = 1 / (1 + x)       expm1    f' = y + 1
    sqrt    f' = 1 / (2 y)         rsqrt    f' = -y**3 / 2
    abs     f' = sign(x)           sin      f' = cos(x)
    cos     f' = -sin(x)           tanh     f' = 1 - y**2
    sigmoid f' = y (1 - y)         relu     f' = 1 if x > 0 else 0
    erf     f' = 2/sqrt(pi) exp(-x**2)
    reciprocal  f' = -y**2         clamp    f' = 1 where min <= x <= max, else 0
    sign, floor, ceil, round, trunc: f' = 0
    maximum(a, b): the gradient goes to the larger input; ties split it in half (as PyTorch).
    where(c, a, b): dL/da = g where c, dL/db = g where not c.
Backward rules are written with Tensor ops, so they can be differentiated again.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, as_tensor_arg
from ._util import float_operand, operands


class Exp(Function):
    """y = exp(x);  dL/dx = g * y"""

    saves_output = True

    def forward(self, x):
        return np.exp(x)

    def backward(self, g):
        return g * self.output()


class Log(Function):
    """y = log(x);  dL/dx = g / x"""

    def forward(self, x):
        return np.log(x)

    def backward(self, g):
        return g / self.inputs[0]


class Log1p(Function):
    """y = log(1 + x);  dL/dx = g / (1 + x)"""

    def forward(self, x):
        return np.log1p(x)

    def backward(self, g):
        return g / (self.inputs[0] + 1.0)


class Expm1(Function):
    """y = exp(x) - 1;  dL/dx = g * (y + 1)"""

    saves_output = True

    def forward(self, x):
        return np.expm1(x)

    def backward(self, g):
        return g * (self.output() + 1.0)


class Sqrt(Function):
    """y = sqrt(x);  dL/dx = g / (2 y)"""

    saves_output = True

    def forward(self, x):
        return np.sqrt(x)

    def backward(self, g):
        return g / (2.0 * self.output())


class Rsqrt(Function):
    """y = 1 / sqrt(x);  dL/dx = -g * y**3 / 2"""

    saves_output = True

    def forward(self, x):
        return 1.0 / np.sqrt(x)

    def backward(self, g):
        y = self.output()
        return g * (-0.5 * y * y * y)


class Reciprocal(Function):
    """y = 1 / x;  dL/dx = -g * y**2"""

    saves_output = True

    def forward(self, x):
        return 1.0 / x

    def backward(self, g):
        y = self.output()
        return -g * (y * y)


class Abs(Function):
    """y = |x|;  dL/dx = g * sign(x)  (0 at x = 0)"""

    def forward(self, x):
        self.sign = np.sign(x)
        return np.abs(x)

    def backward(self, g):
        return g * self.sign


class Sin(Function):
    """y = sin(x);  dL/dx = g * cos(x)"""

    def forward(self, x):
        return np.sin(x)

    def backward(self, g):
        return g * cos(self.inputs[0])


class Cos(Function):
    """y = cos(x);  dL/dx = -g * sin(x)"""

    def forward(self, x):
        return np.cos(x)

    def backward(self, g):
        return -g * sin(self.inputs[0])


class Tanh(Function):
    """y = tanh(x);  dL/dx = g * (1 - y**2)"""

    saves_output = True

    def forward(self, x):
        return np.tanh(x)

    def backward(self, g):
        y = self.output()
        return g * (1.0 - y * y)


class Sigmoid(Function):
    """y = 1 / (1 + exp(-x));  dL/dx = g * y * (1 - y)

    Computed as 0.5 * tanh(0.5 x) + 0.5 in place: the same function, no overflow for large
    negative x and fewer temporaries than the naive formula."""

    saves_output = True

    def forward(self, x):
        y = np.multiply(x, 0.5)
        np.tanh(y, out=y)
        y *= 0.5
        y += 0.5
        return y

    def backward(self, g):
        y = self.output()
        return g * (y * (1.0 - y))


class Relu(Function):
    """y = max(x, 0);  dL/dx = g where x > 0, else 0"""

    def forward(self, x):
        self.mask = x > 0
        return np.maximum(x, 0, dtype=x.dtype)

    def backward(self, g):
        return where(self.mask, g, 0.0)


class Erf(Function):
    """y = erf(x);  dL/dx = g * 2 / sqrt(pi) * exp(-x**2)"""

    def forward(self, x):
        return erf_array(x)

    def backward(self, g):
        x = self.inputs[0]
        return g * (exp(-(x * x)) * (2.0 / math.sqrt(math.pi)))


class ZeroGrad(Function):
    """Piecewise-constant functions (sign, floor, ceil, round, trunc): dL/dx = 0."""

    uses_input_values = False

    def forward(self, x, fn, decimals=0):
        return fn(x) if not decimals else np.round(x, decimals)

    def backward(self, g):
        return g * 0.0


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


def erf_array(x: np.ndarray) -> np.ndarray:
    """erf on an array: SciPy's when installed, else Python's math.erf elementwise."""
    try:
        from scipy.special import erf as _erf

        return _erf(x).astype(x.dtype, copy=False)
    except ImportError:  # pragma: no cover - depends on the environment
        return np.frompyfunc(math.erf, 1, 1)(x).astype(x.dtype)


def exp(x: Any) -> Tensor:
    return Exp.apply(float_operand(x))


def log(x: Any) -> Tensor:
    return Log.apply(float_operand(x))


def log1p(x: Any) -> Tensor:
    return Log1p.apply(float_operand(x))


def expm1(x: Any) -> Tensor:
    return Expm1.apply(float_operand(x))


def sqrt(x: Any) -> Tensor:
    return Sqrt.apply(float_operand(x))


def rsqrt(x: Any) -> Tensor:
    return Rsqrt.apply(float_operand(x))


def reciprocal(x: Any) -> Tensor:
    return Reciprocal.apply(float_operand(x))


def abs(x: Any) -> Tensor:  # noqa: A001
    return Abs.apply(x)


def sin(x: Any) -> Tensor:
    return Sin.apply(float_operand(x))


def cos(x: Any) -> Tensor:
    return Cos.apply(float_operand(x))


def tanh(x: Any) -> Tensor:
    return Tanh.apply(float_operand(x))


def sigmoid(x: Any) -> Tensor:
    return Sigmoid.apply(float_operand(x))


def relu(x: Any) -> Tensor:
    return Relu.apply(x)


def erf(x: Any) -> Tensor:
    return Erf.apply(float_operand(x))


def sign(x: Any) -> Tensor:
    return ZeroGrad.apply(x, fn=np.sign)


def floor(x: Any) -> Tensor:
    return ZeroGrad.apply(x, fn=np.floor)


def ceil(x: Any) -> Tensor:
    return ZeroGrad.apply(x, fn=np.ceil)


def round(x: Any, decimals: int = 0) -> Tensor:  # noqa: A001
    return ZeroGrad.apply(x, fn=np.round, decimals=decimals)


def trunc(x: Any) -> Tensor:
    return ZeroGrad.apply(x, fn=np.trunc)


def clamp(x: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        out = x
        if min is not None:
            out = maximum(out, min)
        if max is not None:
            out = minimum(out, max)
        return out
    if x._data.dtype.kind != "f" and (isinstance(min, float) or isinstance(max, float)):
        x = float_operand(x)
    return Clamp.apply(x, lo=min, hi=max)


def maximum(a: Any, b: Any) -> Tensor:
    a, b = operands(a, b)
    return Maximum.apply(a, b, pick_max=True)


def minimum(a: Any, b: Any) -> Tensor:
    a, b = operands(a, b)
    return Maximum.apply(a, b, pick_max=False)


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """Elements of `a` where `condition` holds, else of `b` (broadcast together)."""
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        cond = cond.astype(bool)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = as_tensor_arg(a)
    a, b = operands(a, b)
    return Where.apply(a, b, cond=cond)
