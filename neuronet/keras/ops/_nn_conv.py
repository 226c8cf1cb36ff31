"""Convolution, pooling and attention of `keras.ops.nn`, on neuronet's functional ops.

Keras's layouts: inputs (batch, *spatial, channels) for data_format 'channels_last' (the
default) or (batch, channels, *spatial); conv kernels (*spatial, in / groups, out), depthwise
kernels (*spatial, in, multiplier); attention query/key/value (batch, length, heads, dim).
One and two spatial dims are supported.

'same' padding, per spatial axis of length n (kernel k, stride s, dilation d, e = d (k - 1) + 1):
    total = e - 1 when s = 1, else max((ceil(n / s) - 1) s + e - n, 0);
    left = total // 2, right = total - left (the odd pixel at the end)
Symmetric padding goes to the op; asymmetric padding is applied first (zeros for conv, -inf
for max pooling; average pooling then divides each window by its real, unpadded size).

    dot_product_attention  O = softmax(Q K^T * scale + bias) V, scale = 1 / sqrt(dim);
                           a boolean mask adds a large negative where False;
                           attn_logits_soft_cap c: logits -> c tanh(logits / c)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...nn import functional as F
from ...ops import elementwise as _el
from ...ops import fused as _fused
from ...ops.linalg import matmul
from ...tensor import Tensor
from ._convert import binary, cast, convert, dtype_name, result_type


def _data_format(data_format: str | None) -> str:
    fmt = "channels_last" if data_format is None else str(data_format).lower()
    if fmt not in ("channels_last", "channels_first"):
        raise ValueError(f"data_format must be 'channels_last' or 'channels_first', received "
                         f"data_format={data_format!r}")
    return fmt


def _ints(value: Any, n: int, name: str) -> tuple[int, ...]:
    vals = (value,) * n if isinstance(value, int | np.integer) else tuple(value)
    if len(vals) != n:
        raise ValueError(f"{name} must be an int or a tuple of {n} ints, received {value!r}")
    return tuple(int(v) for v in vals)


def _channels_first(x: Tensor, fmt: str) -> Tensor:
    if x.ndim not in (3, 4):
        raise ValueError(f"inputs must have rank 3 or 4 (1 or 2 spatial dims), received shape "
                         f"{tuple(x.shape)}; neuronet has no 3-D convolution or pooling")
    return x if fmt == "channels_first" else x.movedim(-1, 1)


def _channels_back(y: Tensor, fmt: str) -> Tensor:
    return y if fmt == "channels_first" else y.movedim(1, -1)


def _same_pads(n: int, k: int, s: int, d: int = 1) -> tuple[int, int]:
    effective = d * (k - 1) + 1
    total = effective - 1 if s == 1 else max((-(-n // s) - 1) * s + effective - n, 0)
    return total // 2, total - total // 2


def _padding(x: Tensor, padding: str, kernel: tuple, strides: tuple, dilation: tuple,
             fill: float) -> tuple[Tensor, Any, list]:
    """(x, the op's padding argument, the (left, right) pads per spatial axis)."""
    padding = str(padding).lower()
    if padding not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same', received padding={padding!r}")
    spatial = tuple(x.shape[2:])
    if padding == "valid":
        return x, 0, [(0, 0)] * len(spatial)
    pads = [_same_pads(n, k, s, d) for n, k, s, d in zip(spatial, kernel, strides, dilation)]
    if all(lo == hi for lo, hi in pads):
        return x, tuple(lo for lo, _ in pads), pads
    flat = [p for pair in reversed(pads) for p in pair]
    return F.pad(x, flat, value=fill), 0, pads


def conv(inputs: Any, kernel: Any, strides: Any = 1, padding: str = "valid",
         data_format: str | None = None, dilation_rate: Any = 1) -> Tensor:
    """N-D convolution (cross-correlation); groups = input channels // kernel's in channels."""
    x, w = binary(inputs, kernel)
    fmt = _data_format(data_format)
    x = _channels_first(x, fmt)
    rank = x.ndim - 2
    strides, dilation = _ints(strides, rank, "strides"), _ints(dilation_rate, rank, "dilation")
    # Keras's (*kernel, in / groups, out) as PyTorch's (out, in / groups, *kernel): a view
    w = w.permute(2, 1, 0) if rank == 1 else w.permute(3, 2, 0, 1)
    groups = x.shape[1] // w.shape[1]
    if x.shape[1] % w.shape[1]:
        raise ValueError(f"conv: input channels ({x.shape[1]}) must be divisible by the "
                         f"kernel's input channels ({w.shape[1]})")
    x, pad, _ = _padding(x, padding, tuple(w.shape[2:]), strides, dilation, 0.0)
    op = F.conv1d if rank == 1 else F.conv2d
    return _channels_back(op(x, w, None, strides, pad, dilation, groups), fmt)


def depthwise_conv(inputs: Any, kernel: Any, strides: Any = 1, padding: str = "valid",
                   data_format: str | None = None, dilation_rate: Any = 1) -> Tensor:
    """Per-channel convolution: kernel (*spatial, in, multiplier) gives in * multiplier
    output channels."""
    w = convert(kernel)
    w = w.reshape(tuple(w.shape[:-2]) + (1, w.shape[-2] * w.shape[-1]))
    return conv(inputs, w, strides, padding, data_format, dilation_rate)


def _pool_args(x: Tensor, pool_size: Any, strides: Any) -> tuple[tuple, tuple]:
    rank = x.ndim - 2
    size = _ints(pool_size, rank, "pool_size")
    return size, size if strides is None else _ints(strides, rank, "strides")


def _as_2d(x: Tensor, size: tuple, strides: tuple) -> tuple[Tensor, tuple, tuple]:
    if x.ndim == 3:  # (N, C, L) -> (N, C, 1, L)
        return x.unsqueeze(2), (1,) + size, (1,) + strides
    return x, size, strides


def max_pool(inputs: Any, pool_size: Any, strides: Any = None, padding: str = "valid",
             data_format: str | None = None) -> Tensor:
    """Max over each pool_size window (stride defaults to pool_size)."""
    fmt = _data_format(data_format)
    x = _channels_first(convert(inputs), fmt)
    rank = x.ndim - 2
    size, strides = _pool_args(x, pool_size, strides)
    x, pad, _ = _padding(x, padding, size, strides, (1,) * rank, -np.inf)
    x, size2, strides2 = _as_2d(x, size, strides)
    pad2 = pad if isinstance(pad, int) else ((0,) + pad if rank == 1 else pad)
    y = F.max_pool2d(x, size2, strides2, pad2)
    return _channels_back(y.squeeze(2) if rank == 1 else y, fmt)


def _real_counts(n: int, k: int, s: int, left: int, out: int) -> np.ndarray:
    start = np.arange(out) * s - left
    return np.minimum(start + k, n) - np.maximum(start, 0)


def average_pool(inputs: Any, pool_size: Any, strides: Any = None, padding: str = "valid",
                 data_format: str | None = None) -> Tensor:
    """Mean over each pool_size window of its real (unpadded) elements."""
    fmt = _data_format(data_format)
    x = _channels_first(convert(inputs), fmt)
    rank = x.ndim - 2
    size, strides = _pool_args(x, pool_size, strides)
    spatial = tuple(x.shape[2:])
    x, pad, pads = _padding(x, padding, size, strides, (1,) * rank, 0.0)
    x, size2, strides2 = _as_2d(x, size, strides)
    if not isinstance(pad, int) or all(p == (0, 0) for p in pads):
        pad2 = pad if isinstance(pad, int) else ((0,) + pad if rank == 1 else pad)
        y = F.avg_pool2d(x, size2, strides2, pad2, count_include_pad=False)
    else:
        sums = F.avg_pool2d(x, size2, strides2, divisor_override=1)
        counts = np.ones(())
        for n, k, s, (left, _), out in zip(spatial, size, strides, pads, sums.shape[-rank:]):
            counts = np.multiply.outer(counts, _real_counts(n, k, s, left, out))
        y = sums * Tensor._wrap((1.0 / counts).astype(x._data.dtype).reshape(sums.shape[2:]))
    return _channels_back(y.squeeze(2) if rank == 1 else y, fmt)


def _large_negative(dtype: np.dtype) -> float:
    return -0.7 * (65500.0 if dtype == np.float16 else 3.38953e38)


def dot_product_attention(query: Any, key: Any, value: Any, bias: Any = None, mask: Any = None,
                          scale: float | None = None, is_causal: bool = False,
                          flash_attention: bool | None = None,
                          attn_logits_soft_cap: float | None = None) -> Tensor:
    """softmax(Q K^T * scale + bias) V over (batch, length, heads, dim) inputs; key/value
    may have fewer heads than query (grouped-query attention)."""
    q, k, v = convert(query), convert(key), convert(value)
    if q.ndim != 4 or k.ndim != 4 or v.ndim != 4:
        raise ValueError(f"dot_product_attention: query, key and value must be 4-D (batch, "
                         f"length, heads, dim), received shapes {tuple(q.shape)}, "
                         f"{tuple(k.shape)}, {tuple(v.shape)}")
    if bias is not None and mask is not None:
        raise ValueError("dot_product_attention: give bias or mask, not both")
    if flash_attention:
        raise ValueError("dot_product_attention: flash attention needs a GPU kernel; neuronet "
                         "runs on the CPU (use flash_attention=None or False)")
    dtype = result_type(dtype_name(q), dtype_name(k), dtype_name(v))
    q, k, v = (cast(t, dtype).transpose(1, 2) for t in (q, k, v))  # (B, H, T, D)
    if q.shape[1] > k.shape[1] > 1:
        groups = q.shape[1] // k.shape[1]
        k, v = k.repeat_interleave(groups, 1), v.repeat_interleave(groups, 1)
    add = None
    if mask is not None:
        allowed = convert(mask)._data.astype(bool)
        if is_causal:
            allowed = allowed & np.tri(q.shape[2], k.shape[2], dtype=bool)
            is_causal = False
        add = Tensor._wrap(np.where(allowed, 0.0, _large_negative(q._data.dtype))
                           .astype(q._data.dtype))
    elif bias is not None:
        add = cast(convert(bias), dtype)
    if attn_logits_soft_cap is None:
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=add, is_causal=is_causal,
                                             scale=scale)
    else:
        out = _capped_attention(q, k, v, add, is_causal, scale, float(attn_logits_soft_cap))
    return out.transpose(1, 2)


def _capped_attention(q: Tensor, k: Tensor, v: Tensor, add: Tensor | None, is_causal: bool,
                      scale: float | None, cap: float) -> Tensor:
    """softmax(cap * tanh(Q K^T * scale / cap) + bias) V."""
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else float(scale)
    logits = matmul(q, k.transpose(-2, -1)) * scale
    logits = _el.tanh(logits / cap) * cap
    if add is not None:
        logits = logits + add
    if is_causal:
        causal = np.tri(q.shape[2], k.shape[2], dtype=bool)
        logits = _el.where(causal, logits, _large_negative(q._data.dtype))
    return matmul(_fused.softmax(logits, -1), v)
