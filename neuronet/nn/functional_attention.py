"""Functional attention: `F.scaled_dot_product_attention`, `F.multi_head_attention_forward`,
`F.sinusoidal_positional_encoding` (re-exported by `nn.functional`).

    scaled_dot_product_attention  O = softmax(Q K^T * scale + M) V, scale = 1 / sqrt(E)
        boolean attn_mask: True = the key takes part (M = 0), False = masked (M = -inf);
        float attn_mask: added to the scores; is_causal: query i sees keys j <= i.
    multi-head attention (Vaswani et al. 2017, section 3.2.2):
        head_h = attention(Q W_q^h, K W_k^h, V W_v^h),  output = concat(head_1..head_H) W_o
        masks here are the other way round (PyTorch's MultiheadAttention): a boolean
        key_padding_mask / attn_mask marks with True the keys that may NOT be attended.
    sinusoidal positional encoding (section 3.5):
        PE(pos, 2i) = sin(pos / 10000^(2i/d)),  PE(pos, 2i+1) = cos(pos / 10000^(2i/d))
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import random as _random
from ..dtypes import from_numpy_dtype, get_default_dtype, to_numpy_dtype
from ..ops.attention import attention
from ..ops.linalg import linear
from ..ops.shape import cat, pad
from ..tensor import Tensor

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward",
           "sinusoidal_positional_encoding"]


def _check_float(op: str, **tensors: Tensor) -> None:
    for name, t in tensors.items():
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: {name} must be a Tensor, got {type(t).__name__}")
        if t._data.dtype.kind != "f":
            raise TypeError(f"{op}: {name} must be a floating point tensor, got {t.dtype}")


def dropout_keep(shape: tuple, p: float, dtype: np.dtype) -> np.ndarray:
    """The inverted-dropout multiplier: 0 with probability p, else 1 / (1 - p)."""
    if p >= 1.0:
        return np.zeros(shape, dtype)
    keep = (_random.rng().random(shape, dtype=np.float32) >= p).astype(dtype)
    keep *= 1.0 / (1.0 - p)
    return keep


def causal_bias(length: int, source_length: int, dtype: np.dtype) -> np.ndarray:
    """(L, S) additive mask: 0 where key j <= query i (top-left aligned tril), -inf above."""
    allowed = np.tri(length, source_length, dtype=bool)
    return np.where(allowed, 0.0, -np.inf).astype(dtype)


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """softmax(query key^T * scale + mask) value, as PyTorch's F.scaled_dot_product_attention.

    Formula:
        S = Q K^T * scale + M,  P = softmax(S, dim=-1),  O = dropout(P, dropout_p) V
        scale defaults to 1 / sqrt(E). A key row with every key masked gives O = 0.

    Args:
        query: (..., L, E); key: (..., S, E); value: (..., S, Ev).
        attn_mask: broadcastable to (..., L, S); bool (True = take part) or float (added).
        dropout_p: dropout on P, applied whenever > 0 (this function has no training flag).
        is_causal: mask keys j > i (no attn_mask allowed with it).
        scale: the score multiplier (default 1 / sqrt(E)).
        enable_gqa: key/value may have fewer heads (dim -3) than query, a divisor of them;
            each key/value head then serves Hq / Hkv query heads (grouped-query attention).

    Shape:
        output (..., L, Ev)

    Example:
        >>> import neuronet as nt
        >>> q = nt.randn(2, 4, 5, 8)
        >>> nt.nn.functional.scaled_dot_product_attention(q, q, q, is_causal=True).shape
        neuronet.Size([2, 4, 5, 8])
    """
    op = "scaled_dot_product_attention"
    _check_float(op, query=query, key=key, value=value)
    q, k, v = query, key, value
    if min(q.ndim, k.ndim, v.ndim) < 2:
        raise RuntimeError(f"{op}: query, key and value need at least 2 dims (..., L, E), got "
                           f"shapes {tuple(q.shape)}, {tuple(k.shape)}, {tuple(v.shape)}")
    if not (q.dtype == k.dtype == v.dtype):
        raise RuntimeError(f"{op}: expected query, key and value of one dtype, got {q.dtype}, "
                           f"{k.dtype} and {v.dtype}")
    if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
        raise RuntimeError(f"{op}: expected query (..., L, E), key (..., S, E) and value "
                           f"(..., S, Ev), got shapes {tuple(q.shape)}, {tuple(k.shape)}, "
                           f"{tuple(v.shape)}")
    if not 0.0 <= dropout_p <= 1.0:
        raise ValueError(f"{op}: dropout_p must be in [0, 1], got dropout_p={dropout_p}")
    if enable_gqa and q.ndim >= 3 and k.ndim >= 3 and q.shape[-3] != k.shape[-3]:
        hq, hk = q.shape[-3], k.shape[-3]
        if hk == 0 or hq % hk or v.shape[-3] != hk:
            raise RuntimeError(f"{op}: enable_gqa needs the query heads ({hq}) to be a "
                               f"multiple of the key/value heads ({hk}, {v.shape[-3]})")
        k = k.repeat_interleave(hq // hk, dim=-3)
        v = v.repeat_interleave(hq // hk, dim=-3)
    try:
        batch = np.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    except ValueError:
        raise RuntimeError(f"{op}: the batch dims of query {tuple(q.shape)}, key "
                           f"{tuple(k.shape)} and value {tuple(v.shape)} do not broadcast "
                           f"(set enable_gqa=True for fewer key/value heads)") from None
    length, source = q.shape[-2], k.shape[-2]
    dt = q._data.dtype
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else float(scale)
    mask, bias = None, None
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError(f"{op}: explicit attn_mask should not be set when "
                               "is_causal=True")
        bias = causal_bias(length, source, dt)
    elif attn_mask is not None:
        scores = tuple(batch) + (length, source)
        try:
            np.broadcast_shapes(tuple(attn_mask.shape), scores)
            ok = np.broadcast_shapes(tuple(attn_mask.shape), scores) == scores
        except ValueError:
            ok = False
        if not ok:
            raise RuntimeError(f"{op}: attn_mask of shape {tuple(attn_mask.shape)} does not "
                               f"broadcast to the attention weights' shape {scores}")
        if attn_mask._data.dtype.kind == "f":
            if attn_mask._data.dtype != dt:
                raise RuntimeError(f"{op}: a float attn_mask must have the query's dtype "
                                   f"{q.dtype}, got {attn_mask.dtype}")
            mask = attn_mask
        elif attn_mask._data.dtype == np.bool_:
            bias = np.where(attn_mask._data, 0.0, -np.inf).astype(dt)
        else:
            raise RuntimeError(f"{op}: attn_mask must be bool or float, got {attn_mask.dtype}")
    keep = None
    if dropout_p > 0.0:
        keep = dropout_keep(tuple(batch) + (length, source), dropout_p, dt)
    return attention(q, k, v, mask, scale=scale, bias=bias, keep=keep)


def sinusoidal_positional_encoding(length: int, d_model: int, dtype: Any = None) -> Tensor:
    """The fixed (length, d_model) table of "Attention Is All You Need", section 3.5.

    Formula:
        PE(pos, 2i)   = sin(pos / 10000^(2i / d_model))
        PE(pos, 2i+1) = cos(pos / 10000^(2i / d_model))
    Each pair of columns is a sinusoid of its own wavelength (2 pi to 10000 * 2 pi), so
    PE(pos + k) is a linear function of PE(pos) for any fixed offset k.

    Example:
        >>> import neuronet as nt
        >>> pe = nt.nn.functional.sinusoidal_positional_encoding(50, 16)
        >>> tuple(pe.shape), float(pe[0, 1])
        ((50, 16), 1.0)
    """
    for name, n in (("length", length), ("d_model", d_model)):
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise ValueError(f"sinusoidal_positional_encoding: {name} must be a non-negative "
                             f"integer, got {name}={n!r}")
    dt = to_numpy_dtype(dtype if dtype is not None else get_default_dtype())
    pos = np.arange(length, dtype=np.float64)[:, None]  # (length, 1)
    two_i = np.arange(0, d_model, 2, dtype=np.float64)  # 2i for each sin/cos pair
    angle = pos / np.power(10000.0, two_i / max(d_model, 1))  # (length, ceil(d/2))
    pe = np.zeros((length, d_model), np.float64)
    pe[:, 0::2] = np.sin(angle)
    pe[:, 1::2] = np.cos(angle[:, : d_model // 2])
    return Tensor._wrap(pe.astype(dt))


# --- multi-head attention -------------------------------------------------------------------
def _float_mask(mask: Tensor | None, name: str, dtype: np.dtype) -> Tensor | None:
    """MultiheadAttention's masks as additive floats: bool True (= not allowed) -> -inf."""
    if mask is None:
        return None
    kind = mask._data.dtype.kind
    if kind == "b":
        return Tensor._wrap(np.where(mask._data, -np.inf, 0.0).astype(dtype))
    if kind != "f":
        raise TypeError(f"multi_head_attention_forward: only bool and floating {name} are "
                        f"supported, got {mask.dtype}")
    return mask if mask._data.dtype == dtype else mask.to(from_numpy_dtype(dtype))


def _project(query: Tensor, key: Tensor, value: Tensor, embed_dim: int, w: Any, b: Any,
             separate: tuple) -> tuple:
    """q, k, v = query W_q^T + b_q, ... (one GEMM when query, key, value are one tensor)."""
    e = embed_dim
    if separate[0] is not None:
        bq, bk, bv = b.chunk(3) if b is not None else (None, None, None)
        return (linear(query, separate[0], bq), linear(key, separate[1], bk),
                linear(value, separate[2], bv))
    if query is key and key is value:
        return linear(query, w, b).chunk(3, -1)
    if key is value:
        wq, wkv = w.split([e, 2 * e])
        bq, bkv = b.split([e, 2 * e]) if b is not None else (None, None)
        return (linear(query, wq, bq),) + linear(key, wkv, bkv).chunk(2, -1)
    wq, wk, wv = w.chunk(3)
    bq, bk, bv = b.chunk(3) if b is not None else (None, None, None)
    return linear(query, wq, bq), linear(key, wk, bk), linear(value, wv, bv)


def _pad_col(mask: Tensor | None) -> Tensor | None:
    return None if mask is None else pad(mask, (0, 1))


def mha_forward(query: Tensor, key: Tensor, value: Tensor, embed_dim: int, num_heads: int,
                in_proj_weight: Tensor | None, in_proj_bias: Tensor | None,
                bias_k: Tensor | None, bias_v: Tensor | None, add_zero_attn: bool,
                dropout_p: float, out_proj_weight: Tensor, out_proj_bias: Tensor | None,
                training: bool = True, key_padding_mask: Tensor | None = None,
                need_weights: bool = True, attn_mask: Tensor | None = None,
                separate: tuple = (None, None, None), static_k: Tensor | None = None,
                static_v: Tensor | None = None, average_attn_weights: bool = True,
                is_causal: bool = False, batch_first: bool = False) -> tuple:
    """Multi-head attention on (B, L, E) batch-first or (L, B, E) inputs; see the module
    docstring and `multi_head_attention_forward`."""
    op = "MultiheadAttention"
    _check_float(op, query=query, key=key, value=value)
    batched = query.ndim == 3
    if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
        raise RuntimeError(f"{op}: query, key and value must all be 3-D (batched) or 2-D "
                           f"(unbatched), got shapes {tuple(query.shape)}, {tuple(key.shape)}, "
                           f"{tuple(value.shape)}")
    same_qkv, same_kv = query is key and key is value, key is value
    if not batched:
        query, key, value = query.unsqueeze(0), key.unsqueeze(0), value.unsqueeze(0)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    elif not batch_first:
        query, key, value = query.transpose(0, 1), key.transpose(0, 1), value.transpose(0, 1)
    if same_qkv:
        key = value = query
    elif same_kv:
        value = key
    bsz, length, e = query.shape
    source = key.shape[1]
    if e != embed_dim:
        raise RuntimeError(f"{op}: was expecting embedding dimension of {embed_dim}, but got "
                           f"query of shape {tuple(query.shape)}")
    if key.shape[:2] != value.shape[:2] or key.shape[0] != bsz:
        raise RuntimeError(f"{op}: key {tuple(key.shape)} and value {tuple(value.shape)} must "
                           f"share batch ({bsz}) and sequence dims")
    if key_padding_mask is not None and tuple(key_padding_mask.shape) != (bsz, source):
        raise RuntimeError(f"{op}: expected key_padding_mask of shape {(bsz, source)} "
                           f"(batch, source length), got {tuple(key_padding_mask.shape)}")
    dt = query._data.dtype
    h, d = num_heads, embed_dim // num_heads
    kpm = _float_mask(key_padding_mask, "key_padding_mask", dt)
    causal = None
    if is_causal and attn_mask is None:
        raise RuntimeError(f"{op}: need attn_mask if specifying the is_causal hint; you may use "
                           "Transformer.generate_square_subsequent_mask to create it")
    if is_causal and kpm is None and not need_weights:
        attn_mask, causal = None, True  # PyTorch then trusts the hint: a causal mask
    am = _float_mask(attn_mask, "attn_mask", dt)
    if am is not None:
        if am.ndim == 2 and tuple(am.shape) != (length, source):
            raise RuntimeError(f"{op}: the shape of the 2D attn_mask is {tuple(am.shape)}, but "
                               f"should be {(length, source)}")
        if am.ndim == 3 and tuple(am.shape) != (bsz * h, length, source):
            raise RuntimeError(f"{op}: the shape of the 3D attn_mask is {tuple(am.shape)}, but "
                               f"should be {(bsz * h, length, source)}")
        if am.ndim not in (2, 3):
            raise RuntimeError(f"{op}: attn_mask's dimension {am.ndim} is not supported")
    q, k, v = _project(query, key, value, embed_dim, in_proj_weight, in_proj_bias, separate)
    if bias_k is not None and bias_v is not None:
        k = cat([k, bias_k.reshape(1, 1, e).expand(bsz, 1, e)], 1)
        v = cat([v, bias_v.reshape(1, 1, e).expand(bsz, 1, e)], 1)
        am, kpm = _pad_col(am), _pad_col(kpm)
    for name, st in (("static_k", static_k), ("static_v", static_v)):
        if st is not None and (st.ndim != 3 or st.shape[0] != bsz * h or st.shape[2] != d):
            raise RuntimeError(f"{op}: expected {name} of shape ({bsz * h}, S, {d}) "
                               f"(batch * num_heads, source length, head_dim), got "
                               f"{tuple(st.shape)}")
    q = q.reshape(bsz, length, h, d).transpose(1, 2)  # (B, H, L, D)
    k = k.reshape(bsz, k.shape[1], h, d).transpose(1, 2) if static_k is None \
        else static_k.reshape(bsz, h, -1, d)
    v = v.reshape(bsz, v.shape[1], h, d).transpose(1, 2) if static_v is None \
        else static_v.reshape(bsz, h, -1, d)
    if add_zero_attn:
        k = cat([k, Tensor._wrap(np.zeros((bsz, h, 1, d), dt))], 2)
        v = cat([v, Tensor._wrap(np.zeros((bsz, h, 1, d), dt))], 2)
        am, kpm = _pad_col(am), _pad_col(kpm)
    source = k.shape[2]
    mask = None
    if am is not None:  # (1, 1, L, S) or (B, H, L, S)
        mask = am.reshape(1, 1, length, source) if am.ndim == 2 \
            else am.reshape(bsz, h, length, source)
    if kpm is not None:  # (B, 1, 1, S)
        kpm = kpm.reshape(bsz, 1, 1, source)
        mask = kpm if mask is None else mask + kpm
    bias = causal_bias(length, source, dt) if causal else None
    keep = dropout_keep((bsz, h, length, source), dropout_p, dt) \
        if training and dropout_p > 0.0 else None
    out = attention(q, k, v, mask, scale=1.0 / math.sqrt(d), bias=bias, keep=keep,
                    return_weights=need_weights)
    o, weights = out if need_weights else (out, None)
    o = linear(o.transpose(1, 2).reshape(bsz, length, e), out_proj_weight, out_proj_bias)
    if weights is not None and average_attn_weights:
        weights = weights.mean(1)  # (B, L, S)
    if not batched:
        return o.squeeze(0), None if weights is None else weights.squeeze(0)
    return (o if batch_first else o.transpose(0, 1)), weights


def multi_head_attention_forward(
        query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
        in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Tensor | None,
        bias_v: Tensor | None, add_zero_attn: bool, dropout_p: float, out_proj_weight: Tensor,
        out_proj_bias: Tensor | None, training: bool = True,
        key_padding_mask: Tensor | None = None, need_weights: bool = True,
        attn_mask: Tensor | None = None, use_separate_proj_weight: bool = False,
        q_proj_weight: Tensor | None = None, k_proj_weight: Tensor | None = None,
        v_proj_weight: Tensor | None = None, static_k: Tensor | None = None,
        static_v: Tensor | None = None, average_attn_weights: bool = True,
        is_causal: bool = False) -> tuple:
    """PyTorch's F.multi_head_attention_forward: inputs (L, B, E) (or unbatched (L, E));
    returns (output (L, B, E), weights (B, L, S) averaged or (B, H, L, S), or None)."""
    if embed_dim_to_check % num_heads:
        raise RuntimeError(f"multi_head_attention_forward: embed_dim {embed_dim_to_check} not "
                           f"divisible by num_heads {num_heads}")
    if (bias_k is None) != (bias_v is None):
        raise RuntimeError("multi_head_attention_forward: bias_k and bias_v must be given "
                           "together")
    if (static_k is not None or static_v is not None) and bias_k is not None:
        raise RuntimeError("multi_head_attention_forward: bias cannot be added to a static "
                           "key or value")
    separate = (None, None, None)
    if use_separate_proj_weight:
        if q_proj_weight is None or k_proj_weight is None or v_proj_weight is None:
            raise RuntimeError("multi_head_attention_forward: use_separate_proj_weight=True "
                               "needs q_proj_weight, k_proj_weight and v_proj_weight")
        separate = (q_proj_weight, k_proj_weight, v_proj_weight)
    elif in_proj_weight is None:
        raise RuntimeError("multi_head_attention_forward: use_separate_proj_weight is False "
                           "but in_proj_weight is None")
    return mha_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight,
                       in_proj_bias, bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight,
                       out_proj_bias, training, key_padding_mask, need_weights, attn_mask,
                       separate, static_k, static_v, average_attn_weights, is_causal,
                       batch_first=False)
