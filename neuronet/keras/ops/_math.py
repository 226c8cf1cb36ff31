"""Elementwise maths of `keras.ops.numpy`: arithmetic, functions, comparisons, logic.

Each op converts its arguments as Keras does (`_convert`) and calls a differentiable neuronet
op, so gradients are the engine's. Output dtypes follow Keras's torch backend:
    add, subtract, multiply, power   PyTorch's promotion (int32 + float32 -> float32)
    divide                           ints and bools give floatx
    exp, log, sqrt, sin, ... erf     ints and bools give floatx; floats keep their dtype
    floor, ceil                      Keras's result_type(x, float): float64 gives float32
    maximum, minimum, floor_divide   Keras's result_type (a Python scalar is weak)
    comparisons, logic, isnan, ...   bool, never differentiable
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...ops import arithmetic as _ar
from ...ops import elementwise as _el
from ...tensor import Tensor
from .. import backend
from ._convert import binary, cast, convert, dtype_name, floating, result_type


def _weak(x: Any) -> Any:
    """A Python int/float stays a weak type for result_type; anything else gives its dtype."""
    return type(x) if type(x) in (int, float) else dtype_name(convert(x))


# --- arithmetic ---------------------------------------------------------------------------

def add(x1: Any, x2: Any) -> Tensor:
    """x1 + x2, broadcast."""
    a, b = binary(x1, x2)
    return a + b


def subtract(x1: Any, x2: Any) -> Tensor:
    """x1 - x2, broadcast (a bool operand takes the other's dtype)."""
    a, b = convert(x1), convert(x2)
    if dtype_name(a) == "bool":
        a = cast(a, dtype_name(b))
    if dtype_name(b) == "bool":
        b = cast(b, dtype_name(a))
    a, b = binary(a, b)
    return a - b


def multiply(x1: Any, x2: Any) -> Tensor:
    """x1 * x2, broadcast."""
    a, b = binary(x1, x2)
    return a * b


def divide(x1: Any, x2: Any) -> Tensor:
    """x1 / x2 (true division: int operands give floatx)."""
    a, b = binary(x1, x2)
    if a._data.dtype.kind != "f":
        a, b = cast(a, backend.floatx()), cast(b, backend.floatx())
    return a / b


true_divide = divide


def floor_divide(x1: Any, x2: Any) -> Tensor:
    """floor(x1 / x2) in Keras's result dtype (not differentiable)."""
    a, b = binary(x1, x2)
    return cast(_ar.floor_divide(a, b), result_type(_weak(x1), _weak(x2)))


def power(x1: Any, x2: Any) -> Tensor:
    """x1 ** x2, broadcast."""
    a, b = binary(x1, x2)
    if b.ndim == 0 and not b.requires_grad:
        return a ** b._data.item()  # a constant exponent: dL/da = g p a**(p-1), no log(a)
    return a ** b


def negative(x: Any) -> Tensor:
    """-x."""
    return -convert(x)


def abs(x: Any) -> Tensor:  # noqa: A001
    """|x| (bool input returned as is)."""
    x = convert(x)
    return x if dtype_name(x) == "bool" else _el.abs(x)


absolute = abs


def square(x: Any) -> Tensor:
    """x * x (bool input as int32)."""
    x = convert(x)
    if dtype_name(x) == "bool":
        x = cast(x, "int32")
    return x * x


def sign(x: Any) -> Tensor:
    """-1, 0 or 1 by the sign of x, in x's dtype."""
    x = convert(x)
    return x if dtype_name(x) == "bool" else _el.sign(x)


def clip(x: Any, x_min: Any, x_max: Any) -> Tensor:
    """min(max(x, x_min), x_max); dL/dx = g where x_min <= x <= x_max."""
    x, lo, hi = convert(x), convert(x_min), convert(x_max)
    if dtype_name(x) == "bool":
        x = cast(x, "int32")
    x, lo = binary(x, lo)
    x, hi = binary(x, hi)
    lo, hi = cast(lo, x._data.dtype), cast(hi, x._data.dtype)
    lo = lo._data.item() if lo.ndim == 0 else lo
    hi = hi._data.item() if hi.ndim == 0 else hi
    return _el.clamp(x, lo, hi)


def maximum(x1: Any, x2: Any) -> Tensor:
    """Elementwise larger of x1 and x2, in Keras's result dtype."""
    dtype = result_type(_weak(x1), _weak(x2))
    return _el.maximum(convert(x1, dtype), convert(x2, dtype))


def minimum(x1: Any, x2: Any) -> Tensor:
    """Elementwise smaller of x1 and x2, in Keras's result dtype."""
    dtype = result_type(_weak(x1), _weak(x2))
    return _el.minimum(convert(x1, dtype), convert(x2, dtype))


# --- functions of reals -------------------------------------------------------------------

def sqrt(x: Any) -> Tensor:
    """x ** 0.5."""
    return _el.sqrt(floating(x))


def exp(x: Any) -> Tensor:
    """e ** x."""
    return _el.exp(floating(x))


def log(x: Any) -> Tensor:
    """Natural logarithm."""
    return _el.log(floating(x))


def log1p(x: Any) -> Tensor:
    """log(1 + x), accurate for small x."""
    return _el.log1p(floating(x))


def expm1(x: Any) -> Tensor:
    """exp(x) - 1, accurate for small x."""
    return _el.expm1(floating(x))


def sin(x: Any) -> Tensor:
    """Sine."""
    return _el.sin(floating(x))


def cos(x: Any) -> Tensor:
    """Cosine."""
    return _el.cos(floating(x))


def tan(x: Any) -> Tensor:
    """Tangent, sin(x) / cos(x)."""
    x = floating(x)
    return _el.sin(x) / _el.cos(x)


def tanh(x: Any) -> Tensor:
    """Hyperbolic tangent."""
    return _el.tanh(floating(x))


def erf(x: Any) -> Tensor:
    """Gauss error function, 2 / sqrt(pi) * integral of exp(-t**2) from 0 to x."""
    return _el.erf(floating(x))


def _rounding_dtype(x: Tensor) -> str:
    name = dtype_name(x)
    return backend.floatx() if name == "int64" else result_type(name, float)


def floor(x: Any) -> Tensor:
    """Largest integer <= x, as a float (zero gradient)."""
    x = convert(x)
    return _el.floor(cast(x, _rounding_dtype(x)))


def ceil(x: Any) -> Tensor:
    """Smallest integer >= x, as a float (zero gradient)."""
    x = convert(x)
    return _el.ceil(cast(x, _rounding_dtype(x)))


def round(x: Any, decimals: int = 0) -> Tensor:  # noqa: A001
    """x rounded half to even to `decimals` places; ints stay ints (zero gradient)."""
    x = convert(x)
    if x._data.dtype.kind in "iu":
        if decimals >= 0:
            return x
        scale = 10.0 ** -decimals
        rounded = np.round(x._data.astype(backend.floatx()) / scale) * scale
        return Tensor._wrap(rounded.astype(x._data.dtype))
    return _el.round(x, decimals)


# --- comparisons and logic (bool results, no gradient) ------------------------------------

def _compare(fn: Any, x1: Any, x2: Any) -> Tensor:
    a, b = binary(x1, x2)
    return _ar.compare(fn, a, b)


def equal(x1: Any, x2: Any) -> Tensor:
    """x1 == x2, elementwise."""
    return _compare(np.equal, x1, x2)


def not_equal(x1: Any, x2: Any) -> Tensor:
    """x1 != x2, elementwise."""
    return _compare(np.not_equal, x1, x2)


def greater(x1: Any, x2: Any) -> Tensor:
    """x1 > x2, elementwise."""
    return _compare(np.greater, x1, x2)


def greater_equal(x1: Any, x2: Any) -> Tensor:
    """x1 >= x2, elementwise."""
    return _compare(np.greater_equal, x1, x2)


def less(x1: Any, x2: Any) -> Tensor:
    """x1 < x2, elementwise."""
    return _compare(np.less, x1, x2)


def less_equal(x1: Any, x2: Any) -> Tensor:
    """x1 <= x2, elementwise."""
    return _compare(np.less_equal, x1, x2)


def logical_and(x1: Any, x2: Any) -> Tensor:
    """x1 and x2 as truth values."""
    return _compare(np.logical_and, x1, x2)


def logical_or(x1: Any, x2: Any) -> Tensor:
    """x1 or x2 as truth values."""
    return _compare(np.logical_or, x1, x2)


def logical_not(x: Any) -> Tensor:
    """not x as a truth value."""
    return Tensor._wrap(np.logical_not(convert(x)._data))


def isnan(x: Any) -> Tensor:
    """True where x is NaN."""
    return Tensor._wrap(np.isnan(convert(x)._data))


def isinf(x: Any) -> Tensor:
    """True where x is +inf or -inf."""
    return Tensor._wrap(np.isinf(convert(x)._data))


def isfinite(x: Any) -> Tensor:
    """True where x is neither NaN nor infinite."""
    return Tensor._wrap(np.isfinite(convert(x)._data))
