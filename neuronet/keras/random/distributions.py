"""The `keras.random` sampling ops, drawn with NumPy from the stream `seed` picks
(`seed_generator`). dtype None means floatx ('float32').

    normal            mean + stddev * z, z ~ N(0, 1)
    truncated_normal  the same with z redrawn until -2 < z < 2
    uniform           minval + (maxval - minval) * u, u ~ U[0, 1)
    randint           integers uniform in [minval, maxval)
    categorical       num_samples class indices per row, P(i) = softmax(logits)_i
    dropout           y = x / (1 - rate) where a Bernoulli(1 - rate) draw keeps x, else 0;
                      dL/dx = g / (1 - rate) where kept, else 0
    shuffle           a random permutation along `axis` (independent for each index of the
                      axes before it); the gradient follows each element back
    gamma, beta, binomial   NumPy's samplers with Keras's arguments
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...ops.indexing import take_along_dim
from ...tensor import Tensor
from ..ops._convert import convert, np_dtype, shape_tuple
from .seed_generator import generator


def _float_dtype(dtype: Any, op: str) -> np.dtype:
    out = np_dtype(dtype)
    if out.kind != "f":
        raise ValueError(f"keras.random.{op} requires a floating point dtype, received "
                         f"dtype={dtype!r}")
    return out


def normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None,
           seed: Any = None) -> Tensor:
    """Samples from N(mean, stddev**2)."""
    dtype = _float_dtype(dtype, "normal")
    z = generator(seed).standard_normal(shape_tuple(shape))
    return Tensor._wrap(np.asarray(mean + stddev * z, dtype))


def truncated_normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None,
                     seed: Any = None) -> Tensor:
    """Samples from N(mean, stddev**2) restricted to within 2 stddev of the mean."""
    dtype = _float_dtype(dtype, "truncated_normal")
    rng = generator(seed)
    z = rng.standard_normal(shape_tuple(shape))
    outside = np.abs(z) >= 2.0
    while outside.any():  # about 4.6% redrawn per round
        z[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(z) >= 2.0
    return Tensor._wrap(np.asarray(mean + stddev * z, dtype))


def uniform(shape: Any, minval: float = 0.0, maxval: float = 1.0, dtype: Any = None,
            seed: Any = None) -> Tensor:
    """Samples uniform in [minval, maxval)."""
    dtype = _float_dtype(dtype, "uniform")
    u = generator(seed).random(shape_tuple(shape))
    return Tensor._wrap(np.asarray(minval + (maxval - minval) * u, dtype))


def randint(shape: Any, minval: int, maxval: int, dtype: Any = "int32",
            seed: Any = None) -> Tensor:
    """Integers uniform in [minval, maxval)."""
    out = np_dtype(dtype)
    if out.kind not in "iu":
        raise ValueError(f"keras.random.randint requires an integer dtype, received "
                         f"dtype={dtype!r}")
    values = generator(seed).integers(int(minval), int(maxval), shape_tuple(shape))
    return Tensor._wrap(np.asarray(values, out))


def categorical(logits: Any, num_samples: int, dtype: Any = "int32",
                seed: Any = None) -> Tensor:
    """(batch, num_samples) class indices drawn with P(i) = softmax(logits)_i per row."""
    z = convert(logits)._data.astype(np.float64)
    if z.ndim != 2:
        raise ValueError(f"keras.random.categorical: logits must be 2-D (batch_size, "
                         f"num_classes), received shape {z.shape}")
    p = np.exp(z - z.max(axis=-1, keepdims=True))
    cdf = np.cumsum(p, axis=-1)
    cdf /= cdf[:, -1:]
    u = generator(seed).random((z.shape[0], int(num_samples)))
    # inverse CDF: the first class whose cumulative probability exceeds u
    index = (cdf[:, None, :] <= u[:, :, None]).sum(-1)
    return Tensor._wrap(np.minimum(index, z.shape[1] - 1).astype(np_dtype(dtype)))


def dropout(inputs: Any, rate: float, noise_shape: Any = None, seed: Any = None) -> Tensor:
    """Inverted dropout: each element zeroed with probability `rate`, the rest scaled by
    1 / (1 - rate); noise_shape (None entries from inputs) shares draws along size-1 axes."""
    x = convert(inputs)
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"keras.random.dropout: rate must be in [0, 1], received rate={rate}")
    if rate == 1.0:
        return x * Tensor._wrap(np.zeros((), x._data.dtype))
    if rate == 0.0:
        return x
    shape = tuple(x.shape) if noise_shape is None else tuple(
        x.shape[i] if d is None else int(d) for i, d in enumerate(noise_shape))
    keep = generator(seed).random(shape) >= rate
    scale = (keep / (1.0 - rate)).astype(x._data.dtype if x.is_floating_point() else np.float32)
    return x * Tensor._wrap(np.broadcast_to(scale, tuple(x.shape)))


def shuffle(x: Any, axis: int = 0, seed: Any = None) -> Tensor:
    """x with its entries along `axis` randomly permuted."""
    x = convert(x)
    axis = axis % x.ndim
    order = np.argsort(generator(seed).random(tuple(x.shape[:axis + 1])), axis=axis)
    order = order.reshape(order.shape + (1,) * (x.ndim - axis - 1))
    return take_along_dim(x, Tensor._wrap(np.broadcast_to(order, tuple(x.shape))), axis)


def gamma(shape: Any, alpha: Any, dtype: Any = None, seed: Any = None) -> Tensor:
    """Samples from Gamma(alpha, 1)."""
    dtype = _float_dtype(dtype, "gamma")
    alpha = np.broadcast_to(convert(alpha)._data, shape_tuple(shape))
    return Tensor._wrap(np.asarray(generator(seed).gamma(alpha), dtype))


def beta(shape: Any, alpha: Any, beta: Any, dtype: Any = None, seed: Any = None) -> Tensor:
    """Samples from Beta(alpha, beta)."""
    dtype = _float_dtype(dtype, "beta")
    a = np.broadcast_to(convert(alpha)._data, shape_tuple(shape))
    b = np.broadcast_to(convert(beta)._data, shape_tuple(shape))
    return Tensor._wrap(np.asarray(generator(seed).beta(a, b), dtype))


def binomial(shape: Any, counts: Any, probabilities: Any, dtype: Any = None,
             seed: Any = None) -> Tensor:
    """Successes in `counts` trials of success probability `probabilities`."""
    out = np_dtype(dtype)
    n = np.broadcast_to(convert(counts)._data, shape_tuple(shape)).astype(np.int64)
    p = np.broadcast_to(convert(probabilities)._data, shape_tuple(shape))
    return Tensor._wrap(np.asarray(generator(seed).binomial(n, p), out))
