"""Elementwise unary maths: y = f(x), dL/dx = dL/dy * f'(x).

    exp     f' = y                 log      f' = 1 / x
    log1p   f' = 1 / (1 + x)       expm1    f' = y + 1
    sqrt    f' = 1 / (2 y)         rsqrt    f' = -y**3 / 2
    abs     f' = sign(x)           sin      f' = cos(x)
    cos     f' = -sin(x)           reciprocal  f' = -y**2
    sign, floor, ceil, round, trunc: f' = 0
Backward rules are written with Tensor ops, so they can be differentiated again.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._util import float_operand


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


class ZeroGrad(Function):
    """Piecewise-constant functions (sign, floor, ceil, round, trunc): dL/dx = 0."""

    uses_input_values = False

    def forward(self, x, fn, decimals=0):
        return fn(x) if not decimals else np.round(x, decimals)

    def backward(self, g):
        return g * 0.0


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
