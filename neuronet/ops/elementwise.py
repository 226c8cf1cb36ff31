"""Elementwise maths: y = f(x), dL/dx = dL/dy * f'(x).

    exp     f' = y                 log      f' = 1 / x
    log1p   f' = 1 / (1 + x)       expm1    f' = y + 1
    sqrt    f' = 1 / (2 y)         rsqrt    f' = -y**3 / 2
    abs     f' = sign(x)           sin      f' = cos(x)
    cos     f' = -sin(x)           tanh     f' = 1 - y**2
    sigmoid f' = y (1 - y)         relu     f' = 1 if x > 0 else 0
    erf     f' = 2/sqrt(pi) exp(-x**2)  (erf itself: Cody's rational approximations, vectorised)
    reciprocal  f' = -y**2         clamp    f' = 1 where min <= x <= max, else 0
    clamp with tensor bounds: dL/dmin = g where x < min < max, dL/dmax = g where x > max
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
from . import _blocks
from ._util import float_operand, operands
from .arithmetic import apply_broadcast, broadcast_error


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


def sigmoid_array(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)) in place on one new array, as PyTorch computes it: full relative
    precision in both tails (0.5 tanh(x / 2) + 0.5, the same function, rounds to 0 below
    x = -17 in float32 where the true value is ~4e-8); exp(-x) overflowing to inf for
    x < -88 (float32) gives the right limit 0."""
    y = np.asarray(np.negative(x))  # asarray: a 0-d input gives a NumPy scalar
    with np.errstate(over="ignore"):
        np.exp(y, out=y)
    y += 1
    np.reciprocal(y, out=y)
    return y


class Sigmoid(Function):
    """y = 1 / (1 + exp(-x));  dL/dx = g * y * (1 - y)  (see sigmoid_array)"""

    saves_output = True

    def forward(self, x):
        return sigmoid_array(x)

    def backward(self, g):
        y = self.output()
        return g * (y * (1.0 - y))


def _in_batch_blocks(work: Any, *arrays: np.ndarray) -> None:
    """work(index) with index = slices [s:e] of the first axis, spread over the BLAS threads
    when the arrays are large (ops._blocks.run_blocks); index ... for 0-d arrays."""
    a = arrays[0]
    if a.ndim == 0 or a.nbytes < _blocks.SMALL_BYTES:  # small: threads cost more than they win
        work(...)
    else:
        _blocks.run_blocks(lambda s, e: work(slice(s, e)), a.shape[0],
                   sum(b[:1].nbytes for b in arrays))


class Relu(Function):
    """y = max(x, 0);  dL/dx = g where x > 0, else 0

    The mask y > 0 (= x > 0) is made in backward, from the kept output (as PyTorch keeps it:
    changing x in place afterwards is allowed): a ReLU whose output only feeds a max-pool
    never runs backward (max_pool2d pools its input instead) and never pays for a mask."""

    saves_output = True
    uses_input_values = False

    def forward(self, x):
        y = np.empty_like(x)  # laid out like x

        def work(i: Any) -> None:
            np.maximum(x[i], 0, out=y[i])

        _in_batch_blocks(work, x, y)
        return y

    def backward(self, g):
        y = self.output()._data
        # the mask laid out like g, so that g * mask runs over matching memory (a Flatten's
        # gradient is NCHW while a conv's output is channels-last: mixed layouts made the
        # multiply 16x slower, 0.96 vs 0.06 ms on (128, 64, 5, 5); the compare absorbs it)
        mask = np.empty_like(g._data, dtype=bool)
        ym, mm = _memory_order(mask, y)[::-1]

        def work(i: Any) -> None:
            np.greater(ym[i], 0, out=mm[i])

        _in_batch_blocks(work, ym, mm)
        return MaskMul.apply(g, mask=mask)


def _memory_order(*arrays: np.ndarray) -> tuple:
    """The arrays with their axes permuted alike so that the first one's strides decrease
    (C order for a transposed contiguous array, e.g. a conv's channels-last output seen as
    (N, C, H, W)). Ufuncs that cast (float * bool) iterate their buffers in the order they are
    given: over a transposed view that was 10x slower (MaskMul on (128, 32, 13, 13)
    channels-last: 1.7 ms vs 0.15 ms)."""
    a = arrays[0]
    order = sorted(range(a.ndim), key=lambda i: -abs(a.strides[i]))
    if order == list(range(a.ndim)):
        return arrays
    return tuple(b.transpose(order) for b in arrays)


class MaskMul(Function):
    """y = g * mask for a constant boolean mask;  dL/dg = dL/dy * mask

    NOTE: 3x faster than np.where(mask, g, 0) here; adding +0.0 turns the -0.0 that
    negative g * False gives into 0.0, so printed gradients read as PyTorch's."""

    uses_input_values = False

    def forward(self, g, mask):
        self.mask = mask
        out = np.empty_like(g)  # laid out like g
        gm, mm, om = _memory_order(g, mask, out)

        def work(i: Any) -> None:
            np.multiply(gm[i], mm[i], out=om[i])
            om[i] += 0.0

        _in_batch_blocks(work, gm, om, mm)
        return out

    def backward(self, grad):
        return MaskMul.apply(grad, mask=self.mask)


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


# W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23
# (1969), as in his CALERF routine: three rational approximations, each accurate to about
# 1e-16 relative in float64, evaluated on the whole array at once (no per-element Python loop).
_ERF_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
          3.20937758913846947e03, 1.85777706184603153e-1)
_ERF_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
          2.84423683343917062e03)
_ERF_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
          2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
          2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8)
_ERF_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
          1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
          3.43936767414372164e03, 1.23033935480374942e03)
_ERF_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
          1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2)
_ERF_Q = (2.56852019228982242e00, 1.87295284992346725e00, 5.27905102951428412e-1,
          6.05183413124413191e-2, 2.33520497626869185e-3)


def _erf_small(x: np.ndarray) -> np.ndarray:
    """erf(x) for |x| <= 0.46875: x * R(x**2)."""
    z = x * x
    num, den = _ERF_A[4] * z, z
    for a, b in zip(_ERF_A[:3], _ERF_B[:3]):
        num, den = (num + a) * z, (den + b) * z
    return x * (num + _ERF_A[3]) / (den + _ERF_B[3])


def _erfc_large(y: np.ndarray) -> np.ndarray:
    """erfc(y) for y > 0.46875: exp(-y**2) * R(y), split as exp(-t**2) exp(-(y-t)(y+t)) with
    t = y rounded down to 1/16, so that exp(-y**2) keeps its digits."""
    mid = y <= 4.0
    ym = np.where(mid, y, 1.0)
    num, den = _ERF_C[8] * ym, ym
    for c, d in zip(_ERF_C[:7], _ERF_D[:7]):
        num, den = (num + c) * ym, (den + d) * ym
    r_mid = (num + _ERF_C[7]) / (den + _ERF_D[7])
    yt = np.where(mid, 4.0, y)
    z = 1.0 / (yt * yt)
    num, den = _ERF_P[5] * z, z
    for p, q in zip(_ERF_P[:4], _ERF_Q[:4]):
        num, den = (num + p) * z, (den + q) * z
    r_tail = (1.0 / math.sqrt(math.pi) - z * (num + _ERF_P[4]) / (den + _ERF_Q[4])) / yt
    t = np.trunc(y * 16.0) / 16.0
    return np.exp(-t * t) * np.exp(-(y - t) * (y + t)) * np.where(mid, r_mid, r_tail)


def erf_array(x: np.ndarray) -> np.ndarray:
    """erf on a floating array (Cody's rational approximations), in x's dtype."""
    x = np.asarray(x)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        y = np.abs(x)
        small = y <= 0.46875
        out = _erf_small(np.where(small, x, 0.0).astype(x.dtype, copy=False))
        if not small.all():
            # erfc(y) underflows long before y = 10; capping keeps inf - inf out of the maths
            y = np.where(small, 1.0, np.minimum(y, 10.0)).astype(x.dtype, copy=False)
            big = 1.0 - _erfc_large(y)
            out = np.where(small, out, np.copysign(big, x))
    return np.asarray(out, dtype=x.dtype)


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
