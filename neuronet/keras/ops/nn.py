"""`keras.ops.nn`: activations, encodings, losses and normalization on neuronet Tensors
(also exported at `keras.ops` top level), with Keras 3's names and defaults.

    relu x+ ; relu6 min(x+, 6) ; sigmoid 1 / (1 + e^-x) ; softplus log(1 + e^x)
    softsign x / (1 + |x|) ; silu = swish x sigmoid(x) ; log_sigmoid -softplus(-x)
    gelu 0.5 x (1 + erf(x / sqrt 2)); approximate: 0.5 x (1 + tanh(sqrt(2/pi)(x + 0.044715 x^3)))
    elu x if x > 0 else alpha (e^x - 1) ; selu 1.0507 elu(x, 1.67326) ; leaky_relu max(x, a x)
    hard_sigmoid clip(x / 6 + 1/2, 0, 1) ; hard_silu x hard_sigmoid(x)
    softmax e^x / sum e^x ; log_softmax x - logsumexp(x)   (stable fused ops)
    categorical_crossentropy   -sum(t log p); p = softmax(logits), or output / sum(output)
                               clipped to [eps, 1 - eps] (the naive log(p) of a softmax
                               underflows; from_logits uses log_softmax instead)
    binary_crossentropy        -(t log p + (1 - t) log(1 - p)); from_logits: the stable
                               max(z, 0) - z t + log(1 + e^-|z|)
    moments                    mean(x), mean(x^2) - mean(x)^2 (Keras's formula)
    batch_normalization        (x - mean) / sqrt(variance + epsilon) * scale + offset
    normalize                  x / max(||x||_order, epsilon)
Convolution, pooling and attention live in `_nn_conv` and are re-exported here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...nn import functional as F
from ...ops import elementwise as _el
from ...ops import fused as _fused
from ...ops import reductions as _red
from ...tensor import Tensor
from .. import backend
from ._convert import axes as _axes
from ._convert import cast, convert, dtype_name, floating, np_dtype
from ._nn_conv import average_pool, conv, depthwise_conv, dot_product_attention, max_pool

__all__ = [
    "average_pool", "batch_normalization", "binary_crossentropy", "categorical_crossentropy",
    "conv", "depthwise_conv", "dot_product_attention", "elu", "gelu", "hard_sigmoid",
    "hard_silu", "leaky_relu", "log_sigmoid", "log_softmax", "max_pool", "moments",
    "multi_hot", "normalize", "one_hot", "relu", "relu6", "selu", "sigmoid", "silu", "softmax",
    "softplus", "softsign", "sparse_categorical_crossentropy", "swish",
]


# --- activations --------------------------------------------------------------------------

def relu(x: Any) -> Tensor:
    """max(x, 0)."""
    return _el.relu(convert(x))


def relu6(x: Any) -> Tensor:
    """min(max(x, 0), 6)."""
    return F.relu6(convert(x))


def sigmoid(x: Any) -> Tensor:
    """1 / (1 + exp(-x))."""
    return _el.sigmoid(floating(x))


def softplus(x: Any) -> Tensor:
    """log(1 + exp(x)) (x itself where x > 20)."""
    return F.softplus(floating(x))


def softsign(x: Any) -> Tensor:
    """x / (1 + |x|)."""
    return F.softsign(floating(x))


def silu(x: Any) -> Tensor:
    """x * sigmoid(x)."""
    return F.silu(floating(x))


swish = silu


def log_sigmoid(x: Any) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x)."""
    return F.logsigmoid(floating(x))


def gelu(x: Any, approximate: bool = True) -> Tensor:
    """x * Phi(x), with the tanh approximation when `approximate`."""
    return F.gelu(floating(x), approximate="tanh" if approximate else "none")


def elu(x: Any, alpha: float = 1.0) -> Tensor:
    """x where x > 0, else alpha * (exp(x) - 1)."""
    return F.elu(floating(x), alpha)


def selu(x: Any) -> Tensor:
    """scale * elu(x, alpha) with alpha = 1.67326..., scale = 1.05070... (self-normalizing)."""
    return F.selu(floating(x))


def leaky_relu(x: Any, negative_slope: float = 0.2) -> Tensor:
    """x where x > 0, else negative_slope * x."""
    return F.leaky_relu(floating(x), negative_slope)


def hard_sigmoid(x: Any) -> Tensor:
    """clip(x / 6 + 0.5, 0, 1)."""
    return F.hardsigmoid(floating(x))


def hard_silu(x: Any) -> Tensor:
    """x * hard_sigmoid(x)."""
    return F.hardswish(floating(x))


def _over_axes(fn: Any, x: Tensor, axis: Any) -> Tensor:
    """fn(x, -1) applied jointly over several axes: moved last and flattened into one."""
    if axis is None:
        return fn(x.reshape(-1), -1).reshape(tuple(x.shape))
    if isinstance(axis, int | np.integer):
        return fn(x, int(axis))
    dims = _axes(axis, x.ndim)
    keep = [d for d in range(x.ndim) if d not in dims]
    moved = x.permute(*keep, *dims)
    out = fn(moved.reshape(*[x.shape[d] for d in keep], -1), -1).reshape(tuple(moved.shape))
    return out.permute(*np.argsort(keep + list(dims)).tolist())


def softmax(x: Any, axis: Any = -1) -> Tensor:
    """exp(x) / sum(exp(x)) over `axis` (an int, a tuple of axes, or None for all)."""
    return _over_axes(_fused.softmax, floating(x), axis)


def log_softmax(x: Any, axis: Any = -1) -> Tensor:
    """x - logsumexp(x) over `axis` (an int, a tuple of axes, or None for all)."""
    return _over_axes(_fused.log_softmax, floating(x), axis)


# --- encodings ----------------------------------------------------------------------------

def one_hot(x: Any, num_classes: int, axis: int = -1, dtype: Any = None,
            sparse: bool = False) -> Tensor:
    """A 1 at each index of x along a new axis of size num_classes (negative indices give
    all zeros)."""
    if sparse:
        raise ValueError("one_hot: neuronet has no sparse tensors (received sparse=True)")
    idx = convert(x)._data.astype(np.int64)
    out = (idx[..., None] == np.arange(num_classes)).astype(np_dtype(dtype))
    if axis not in (-1, out.ndim - 1):
        out = np.moveaxis(out, -1, axis)
    return Tensor._wrap(np.ascontiguousarray(out))


def multi_hot(inputs: Any, num_classes: int | None = None, axis: int = -1, dtype: Any = None,
              sparse: bool = False, **kwargs: Any) -> Tensor:
    """A 1 at every class index listed in each row of `inputs` (or in the 1-D `inputs`)."""
    if num_classes is None:
        num_classes = kwargs.pop("num_tokens", None)
    if num_classes is None:
        raise ValueError("multi_hot: the `num_classes` argument must be given")
    x = convert(inputs)
    encoded = one_hot(x, num_classes, axis, dtype, sparse)
    return Tensor._wrap(encoded._data.max(axis=1 if x.ndim > 1 else 0))


# --- losses (per sample, no reduction) ----------------------------------------------------

def _check_same_shape(target: Tensor, output: Tensor, op: str) -> None:
    if tuple(target.shape) != tuple(output.shape):
        raise ValueError(f"{op}: target and output must have the same shape, received "
                         f"target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}")


def _clipped_log(output: Tensor, axis: int) -> Tensor:
    p = output / _red.sum(output, axis, keepdim=True)
    eps = backend.epsilon()
    return _el.log(_el.clamp(p, eps, 1.0 - eps))


def categorical_crossentropy(target: Any, output: Any, from_logits: bool = False,
                             axis: int = -1) -> Tensor:
    """-sum(target * log(p)) over `axis` (module docstring)."""
    target, output = convert(target), floating(output)
    _check_same_shape(target, output, "categorical_crossentropy")
    if target.ndim < 1:
        raise ValueError("categorical_crossentropy: target and output must be at least rank 1")
    log_p = _fused.log_softmax(output, axis) if from_logits else _clipped_log(output, axis)
    return -_red.sum(target * log_p, axis)


def sparse_categorical_crossentropy(target: Any, output: Any, from_logits: bool = False,
                                    axis: int = -1) -> Tensor:
    """-log(p[target]) with p taken along `axis` (module docstring)."""
    target, output = convert(target), floating(output)
    if output.ndim < 1:
        raise ValueError("sparse_categorical_crossentropy: output must be at least rank 1")
    idx = target._data.astype(np.int64)
    if idx.ndim == output.ndim and idx.shape[axis] == 1:
        idx = np.squeeze(idx, axis)
    expected = tuple(s for d, s in enumerate(output.shape) if d != axis % output.ndim)
    if idx.shape != expected:
        raise ValueError(f"sparse_categorical_crossentropy: target and output must have the "
                         f"same shape up until the class axis, received target.shape="
                         f"{tuple(target.shape)}, output.shape={tuple(output.shape)}")
    log_p = _fused.log_softmax(output, axis) if from_logits else _clipped_log(output, axis)
    picked = log_p.take_along_dim(Tensor._wrap(np.expand_dims(idx, axis)), axis)
    return -picked.squeeze(axis % output.ndim)


def binary_crossentropy(target: Any, output: Any, from_logits: bool = False) -> Tensor:
    """-(t log p + (1 - t) log(1 - p)) elementwise (module docstring)."""
    target, output = convert(target), floating(output)
    _check_same_shape(target, output, "binary_crossentropy")
    target = cast(target, output._data.dtype)
    if from_logits:
        return F.binary_cross_entropy_with_logits(output, target, reduction="none")
    eps = backend.epsilon()
    return F.binary_cross_entropy(_el.clamp(output, eps, 1.0 - eps), target, reduction="none")


# --- normalization ------------------------------------------------------------------------

def moments(x: Any, axes: Any, keepdims: bool = False,
            synchronized: bool = False) -> tuple[Tensor, Tensor]:
    """(mean, variance) of x over `axes`."""
    if synchronized:
        raise NotImplementedError("moments: synchronized=True needs a distribution strategy; "
                                  "neuronet computes local statistics only")
    x = floating(x)
    original = dtype_name(x)
    if original == "float16":
        x = cast(x, "float32")
    dims = _axes(axes, x.ndim)
    mean = _red.mean(x, dims, keepdim=True)
    variance = _red.mean(x * x, dims, keepdim=True) - mean * mean
    if not keepdims:
        mean, variance = mean.squeeze(dims), variance.squeeze(dims)
    if original == "float16":
        mean, variance = cast(mean, original), cast(variance, original)
    return mean, variance


def batch_normalization(x: Any, mean: Any, variance: Any, axis: int, offset: Any = None,
                        scale: Any = None, epsilon: float = 1e-3) -> Tensor:
    """(x - mean) / sqrt(variance + epsilon) * scale + offset, the statistics laid along
    `axis`."""
    x = convert(x)
    view = [1] * x.ndim
    view[axis] = -1
    mean, variance = convert(mean).reshape(view), convert(variance).reshape(view)
    inv = _el.rsqrt(variance + epsilon)
    if scale is not None:
        inv = inv * convert(scale).reshape(view)
    out = (x - mean) * inv
    return out + convert(offset).reshape(view) if offset is not None else out


def normalize(x: Any, axis: Any = -1, order: int = 2, epsilon: float | None = None) -> Tensor:
    """x / max(norm(x, order, axis), epsilon) (epsilon defaults to Keras's 1e-7)."""
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"normalize: order must be an int >= 1, received order={order!r}")
    x = floating(x)
    if x.ndim == 0:
        x = x.reshape(1)
    epsilon = backend.epsilon() if epsilon is None else epsilon
    dims = _axes(axis, x.ndim)
    if order == 2:
        inv = _el.rsqrt(_red.sum(x * x, dims, keepdim=True))
        return x * _el.minimum(inv, Tensor._wrap(np.asarray(1.0 / epsilon, x._data.dtype)))
    norm = _red.norm(x, float(order), dims, keepdim=True)
    return x / _el.maximum(norm, Tensor._wrap(np.asarray(epsilon, x._data.dtype)))

