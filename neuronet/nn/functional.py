"""`neuronet.nn.functional`: activations and layer functions under PyTorch's names.

Activation formulas (x input, y output):
    relu        y = max(x, 0)
    leaky_relu  y = x if x > 0 else negative_slope * x
    elu         y = x if x > 0 else alpha * (exp(x) - 1)
    selu        y = scale * elu(x, alpha), alpha = 1.6732632423543772, scale = 1.0507009873554805
    gelu        y = x * Phi(x) = 0.5 x (1 + erf(x / sqrt(2)))
                approximate='tanh': 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x**3)))
    silu        y = x * sigmoid(x)
    mish        y = x * tanh(softplus(x))
    softplus    y = log(1 + exp(beta x)) / beta, and y = x where beta x > threshold
    hardtanh    y = clamp(x, min_val, max_val)
    softmax     y_i = exp(x_i) / sum_j exp(x_j)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..ops import elementwise as _el
from ..ops._util import float_operand
from ..ops.fused import log_softmax as _log_softmax
from ..ops.fused import softmax as _softmax
from ..ops.linalg import linear  # noqa: F401
from ..tensor import Tensor


class LeakyRelu(Function):
    """y = x if x > 0 else a x;  dL/dx = g if x > 0 else a g"""

    def forward(self, x, slope):
        self.mask, self.slope = x > 0, slope
        return np.where(self.mask, x, x * slope)

    def backward(self, g):
        return _el.where(self.mask, g, g * self.slope)


class Elu(Function):
    """y = x if x > 0 else alpha (exp(x) - 1);  dL/dx = g if x > 0 else g (y + alpha)

    NOTE: at x = 0 the slope is alpha (y + alpha with y = 0), held constant there so that the
    second derivative at the kink is 0, as PyTorch's."""

    saves_output = True

    def forward(self, x, alpha):
        self.mask, self.alpha = x > 0, alpha
        self.kink = x == 0
        return np.where(self.mask, x, alpha * np.expm1(np.minimum(x, 0)))

    def backward(self, g):
        y = self.output()
        slope = _el.where(self.kink, self.alpha, y + self.alpha)
        return _el.where(self.mask, g, g * slope)


class Gelu(Function):
    """y = x Phi(x);  dL/dx = g (Phi(x) + x phi(x)), phi(x) = exp(-x**2 / 2) / sqrt(2 pi)"""

    def forward(self, x):
        return 0.5 * x * (1.0 + _el.erf_array(x * (1.0 / math.sqrt(2.0))))

    def backward(self, g):
        x = self.inputs[0]
        cdf = 0.5 * (1.0 + _el.erf(x * (1.0 / math.sqrt(2.0))))
        pdf = _el.exp(-0.5 * x * x) * (1.0 / math.sqrt(2.0 * math.pi))
        return g * (cdf + x * pdf)


class Softplus(Function):
    """y = log(1 + exp(beta x)) / beta (y = x where beta x > threshold);
    dL/dx = g * sigmoid(beta x) (g where beta x > threshold)"""

    def forward(self, x, beta, threshold):
        self.beta, self.linear = beta, x * beta > threshold
        return np.where(self.linear, x, np.logaddexp(0, x * beta) / beta).astype(x.dtype)

    def backward(self, g):
        x = self.inputs[0]
        return _el.where(self.linear, g, g * _el.sigmoid(x * self.beta))


class Hardtanh(Function):
    """y = clamp(x, lo, hi);  dL/dx = g where lo < x < hi (strict, as PyTorch), else 0"""

    def forward(self, x, lo, hi):
        self.mask = (x > lo) & (x < hi)
        return np.clip(x, lo, hi).astype(x.dtype, copy=False)

    def backward(self, g):
        return _el.where(self.mask, g, 0.0)


def _maybe_inplace(x: Tensor, fn: Callable[[Tensor], Tensor], inplace: bool) -> Tensor:
    """F.relu(x, inplace=True) and friends: fn(x) replaces x's contents. Tensor._inplace records
    fn on an alias of x's old value and rebinds x to the result, so a graph through x stays
    valid (and, as in PyTorch, a leaf that requires grad refuses)."""
    return x._inplace(fn) if inplace else fn(x)


def relu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    return _maybe_inplace(input, _el.relu, inplace)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input: Tensor, negative_slope: float = 0.01,  # noqa: A002
               inplace: bool = False) -> Tensor:
    return _maybe_inplace(input, lambda x: LeakyRelu.apply(x, slope=negative_slope), inplace)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    return _maybe_inplace(input, lambda x: Elu.apply(float_operand(x), alpha=alpha), inplace)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    return _maybe_inplace(
        input, lambda x: Elu.apply(float_operand(x), alpha=_SELU_ALPHA) * _SELU_SCALE, inplace)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    if alpha == 0:
        raise ValueError("celu: alpha must be non-zero (it divides x), got alpha=0")
    # celu(x) = max(0, x) + min(0, alpha (exp(x / alpha) - 1)) = alpha * elu(x / alpha, 1)
    return _maybe_inplace(input, lambda x: Elu.apply(float_operand(x) / alpha, alpha=1.0) * alpha,
                          inplace)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:  # noqa: A002
    x = float_operand(input)
    if approximate == "none":
        return Gelu.apply(x)
    if approximate == "tanh":
        inner = math.sqrt(2.0 / math.pi) * (x + 0.044715 * x * x * x)
        return 0.5 * x * (1.0 + _el.tanh(inner))
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def silu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    return _maybe_inplace(input, lambda x: x * _el.sigmoid(x), inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    return _maybe_inplace(input, lambda x: x * _el.tanh(softplus(x)), inplace)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:  # noqa: A002
    return Softplus.apply(float_operand(input), beta=beta, threshold=threshold)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,  # noqa: A002
             inplace: bool = False) -> Tensor:
    if min_val > max_val:
        raise ValueError(
            f"hardtanh: min_val ({min_val}) cannot be greater than max_val ({max_val})")
    return _maybe_inplace(input, lambda x: Hardtanh.apply(x, lo=min_val, hi=max_val), inplace)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    return _maybe_inplace(input, lambda x: Hardtanh.apply(x / 6.0 + 0.5, lo=0.0, hi=1.0), inplace)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    return _maybe_inplace(input, lambda x: x * hardsigmoid(x), inplace)


def sigmoid(input: Tensor) -> Tensor:  # noqa: A002
    return _el.sigmoid(input)


def tanh(input: Tensor) -> Tensor:  # noqa: A002
    return _el.tanh(input)


def logsigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """log(sigmoid(x)) = -softplus(-x), stable for large |x|."""
    return -softplus(-input)


def softsign(input: Tensor) -> Tensor:  # noqa: A002
    return input / (1.0 + input.abs())


def tanhshrink(input: Tensor) -> Tensor:  # noqa: A002
    return input - _el.tanh(input)


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,  # noqa: A002
            dtype: Any = None) -> Tensor:
    return _softmax(input if dtype is None else input.to(dtype), dim)


def softmin(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:  # noqa: A002
    return softmax(-input, dim, dtype=dtype)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,  # noqa: A002
                dtype: Any = None) -> Tensor:
    return _log_softmax(input if dtype is None else input.to(dtype), dim)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Class indices (int64) -> one-hot int64 tensor with a trailing dim of num_classes."""
    idx = tensor._data
    if idx.dtype.kind not in "iu":
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        num_classes = int(idx.max()) + 1 if idx.size else 0
    if idx.size and (idx.min() < 0 or idx.max() >= num_classes):
        raise RuntimeError(f"one_hot: class values must be in [0, {num_classes}), got range "
                           f"[{int(idx.min())}, {int(idx.max())}]")
    out = np.zeros(idx.shape + (num_classes,), dtype=np.int64)
    np.put_along_axis(out, idx[..., None].astype(np.int64), 1, axis=-1)
    return Tensor._wrap(out)


def dropout(input: Tensor, p: float = 0.5, training: bool = True,  # noqa: A002
            inplace: bool = False) -> Tensor:
    """Zero each element with probability p and scale the rest by 1 / (1 - p) (inverted
    dropout), so the expected value is unchanged; identity when not training."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    from .. import random as _random

    if p == 1.0:
        return input * 0.0
    keep = _random.rng().random(input.shape, dtype=np.float32) >= p
    mask = keep.astype(input._data.dtype) * (1.0 / (1.0 - p))
    return _maybe_inplace(input, lambda x: x * mask, inplace)


def pad(input: Tensor, pad: Any, mode: str = "constant",  # noqa: A002
        value: float | None = None) -> Tensor:
    from ..ops.shape import pad as _pad

    return _pad(input, pad, mode, value)
from .functional_attention import *  # noqa: E402, F401, F403
from .functional_conv import (  # noqa: E402, F401
    adaptive_avg_pool2d,
    adaptive_max_pool2d,
    avg_pool1d,
    avg_pool2d,
    conv1d,
    conv2d,
    conv2d_max_pool2d,
    conv_transpose2d,
    dropout2d,
    fold,
    max_pool1d,
    max_pool2d,
    unfold,
)
from .functional_losses import *  # noqa: E402, F401, F403
from .functional_norm import *  # noqa: E402, F401, F403
from .functional_resample import (  # noqa: E402, F401
    interpolate,
    upsample_bilinear,
    upsample_nearest,
)
