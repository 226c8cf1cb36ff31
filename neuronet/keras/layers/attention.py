"""Attention layers with Keras 3's names, arguments and weight layout.

MultiHeadAttention (Vaswani et al. 2017), for query (B, T, dim) and value/key (B, S, dim):
    q = query @ Wq + bq       Wq: (dim, num_heads, key_dim),   bq: (num_heads, key_dim)
    k = key @ Wk + bk         Wk: (dim_k, num_heads, key_dim)
    v = value @ Wv + bv       Wv: (dim_v, num_heads, value_dim)
    scores = softmax(q k^T / sqrt(key_dim), masked)       (B, num_heads, T, S)
    out = (scores v) @ Wo + bo   Wo: (num_heads, value_dim, *output_shape)
  masks are boolean, True = may attend (Keras's convention); a query row with no key allowed
  gets zero weights.
Attention (Luong-style), AdditiveAttention (Bahdanau-style), for query (B, Tq, dim):
    dot:      scores = query key^T (* scale)
    concat:   scores = concat_score_weight * sum(tanh(scale * (q_i + k_j)))
    additive: scores = sum(scale * tanh(q_i + k_j))          scale: (dim,)
    weights = softmax(scores - 1e9 * (not value_mask));  out = weights value
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...nn.functional_attention import dropout_keep
from ...ops.attention import attention
from ...ops.elementwise import tanh, where
from ...ops.fused import softmax
from ...ops.linalg import matmul
from ...tensor import Tensor
from .. import backend
from .._ops import KernelDense
from ._weight_options import resolve_weight_options, serialize_weight_options
from .layer import Layer
from .symbolic import KerasTensor


def _positive_int(owner: str, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value <= 0:
        raise ValueError(f"{owner}: {name} must be a positive integer, received {name}={value!r}")
    return int(value)


def _shape(x: Any) -> tuple:
    return tuple(x.shape)


def _exact(w: Any, shape: tuple, dtype: Any) -> Any:
    """NOTE: KerasVariable turns a () weight into (1,) (np.ascontiguousarray) and
    Layer.add_weight casts float64 weights to floatx; restore the requested shape and dtype."""
    if w._data.shape != tuple(shape) or w._data.dtype != np.dtype(dtype):
        w._data = np.ascontiguousarray(w._data, dtype=dtype).reshape(shape)
    return w


def _tensor(x: Any) -> Any:
    return x if x is None or isinstance(x, Tensor | KerasTensor) else backend.to_tensor(x)


class _HeadsDense(Layer):
    """y = x @ kernel + bias over the last `n_in` dims of x (Keras's EinsumDense as the
    attention layers use it): kernel (*in_dims, *out_dims), bias out_dims."""

    def __init__(self, kernel_shape: tuple, n_in: int, use_bias: bool, common: dict,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.kernel_shape, self.n_in, self.use_bias = tuple(kernel_shape), n_in, use_bias
        self.common = common
        self.kernel = self.bias = None

    def build(self, input_shape: Any = None) -> None:
        c = self.common
        self.kernel = _exact(self.add_weight(
            shape=self.kernel_shape, initializer=c["kernel_initializer"],
            regularizer=c["kernel_regularizer"], constraint=c["kernel_constraint"],
            name="kernel"), self.kernel_shape, self.dtype)
        if self.use_bias:
            shape = self.kernel_shape[self.n_in:]
            self.bias = _exact(self.add_weight(
                shape=shape, initializer=c["bias_initializer"],
                regularizer=c["bias_regularizer"], constraint=c["bias_constraint"],
                name="bias"), shape, self.dtype)
        self.built = True

    def call(self, x: Tensor) -> Tensor:
        in_dims, out_dims = self.kernel_shape[:self.n_in], self.kernel_shape[self.n_in:]
        if _shape(x)[-self.n_in:] != in_dims:
            raise ValueError(f"{self.name}: expected inputs ending in {in_dims}, received shape "
                             f"{_shape(x)}")
        lead = _shape(x)[:-self.n_in]
        k = self.kernel.reshape(math.prod(in_dims), math.prod(out_dims))
        x2 = x.reshape(lead + (math.prod(in_dims),))
        if x2.dtype != k.dtype:
            x2 = x2.to(k.dtype)
        y = KernelDense.apply(x2, k, self.bias.reshape(-1)) if self.use_bias \
            else KernelDense.apply(x2, k)
        return y.reshape(lead + out_dims)


class MultiHeadAttention(Layer):
    """Multi-head attention with Keras's arguments, call and weights.

    Args:
        num_heads; key_dim: size of each head for query and key; value_dim: for value
        (default key_dim); dropout on the attention scores; use_bias; output_shape: the
        output's last dims (default the query's last dim); attention_axes: the axes attention
        runs over (default all but batch, heads and features).

    Call:
        layer(query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
        attention_mask=None, return_attention_scores=False, training=None,
        use_causal_mask=False); attention_mask (B, T, S) bool, True = may attend.

    Shape:
        query (B, T, dim) -> (B, T, dim or output_shape); scores (B, num_heads, T, S).

    Example:
        >>> from neuronet import keras
        >>> layer = keras.layers.MultiHeadAttention(num_heads=2, key_dim=4)
        >>> x = np.ones((3, 5, 8), "float32")
        >>> tuple(layer(x, x).shape), layer.count_params()
        ((3, 5, 8), 288)
    """

    supports_masking = True  # the input's mask passes to the output (Keras)

    def __init__(self, num_heads: int, key_dim: int, value_dim: int | None = None,
                 dropout: float = 0.0, use_bias: bool = True, output_shape: Any = None,
                 attention_axes: Any = None, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        owner = "MultiHeadAttention"
        self.num_heads = _positive_int(owner, "num_heads", num_heads)
        self.key_dim = _positive_int(owner, "key_dim", key_dim)
        self.value_dim = self.key_dim if value_dim is None else _positive_int(
            owner, "value_dim", value_dim)
        if not isinstance(dropout, int | float) or not 0 <= dropout <= 1:
            raise ValueError(f"{owner}: dropout must be in [0, 1], received dropout={dropout!r}")
        self.dropout, self.use_bias, self.seed = float(dropout), bool(use_bias), seed
        if isinstance(output_shape, int):
            output_shape = (output_shape,)
        self._output_shape = tuple(output_shape) if output_shape else None
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes is not None and not isinstance(attention_axes, list | tuple):
            raise ValueError(f"{owner}: attention_axes must be an int, list, or tuple, received "
                             f"attention_axes={attention_axes!r}")
        self.attention_axes = tuple(attention_axes) if attention_axes is not None else None
        self._common = resolve_weight_options(
            kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        self._query_dense = self._key_dense = self._value_dense = self._output_dense = None
        self._attn_axes: tuple = ()
        self._scores_symbolic = False
        self._value_shape: tuple | None = None

    # --- building ---------------------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._query_dense is None and len(args) + ("value" in kwargs) >= 2:
            query = args[0]
            value = args[1] if len(args) > 1 else kwargs["value"]
            key = args[2] if len(args) > 2 else kwargs.get("key")
            self.build(_shape(query), _shape(value), None if key is None else _shape(key))
        self._scores_symbolic = bool(kwargs.get("return_attention_scores", False))
        if len(args) + ("value" in kwargs) >= 2:
            self._value_shape = _shape(args[1] if len(args) > 1 else kwargs["value"])
        return super().__call__(*args, **kwargs)

    def build(self, query_shape: Any, value_shape: Any = None, key_shape: Any = None) -> None:
        if value_shape is None:  # the base class builds from the query alone: wait for value
            self.built = True
            return
        key_shape = value_shape if key_shape is None else key_shape
        if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
            raise ValueError(f"MultiHeadAttention {self.name}: all dimensions of value and key, "
                             f"except the last one, must be equal; received "
                             f"value_shape={value_shape} and key_shape={key_shape}")
        rank = len(query_shape)
        if rank < 3:
            raise ValueError(f"MultiHeadAttention {self.name}: inputs must have rank >= 3 "
                             f"(batch, ..., features), received query_shape={query_shape}")
        axes = tuple(range(1, rank - 1)) if self.attention_axes is None else tuple(
            a % rank for a in self.attention_axes)
        if any(a in (0, rank - 1) for a in axes):
            raise ValueError(f"MultiHeadAttention {self.name}: attention_axes must not include "
                             f"the batch or feature axis, received {self.attention_axes}")
        self._attn_axes = tuple(sorted(axes))
        h, dk, dv = self.num_heads, self.key_dim, self.value_dim
        out = self._output_shape or (query_shape[-1],)
        spec = (("_query_dense", "query", (query_shape[-1], h, dk), 1),
                ("_key_dense", "key", (key_shape[-1], h, dk), 1),
                ("_value_dense", "value", (value_shape[-1], h, dv), 1),
                ("_output_dense", "attention_output", (h, dv) + tuple(out), 2))
        for attr, name, kernel_shape, n_in in spec:
            sub = _HeadsDense(kernel_shape, n_in, self.use_bias, self._common, name=name,
                              dtype=self.dtype)
            sub.build()
            for w in sub.weights:  # Keras's paths: 'multi_head_attention/query/kernel'
                w.path = f"{self.name}/{name}/{w.name}"
            setattr(self, attr, sub)
            self._layers.append(sub)  # private attributes are not tracked automatically
        self.built = True

    # --- calling ----------------------------------------------------------------------------
    def call(self, query: Tensor, value: Any = None, key: Any = None, query_mask: Any = None,
             value_mask: Any = None, key_mask: Any = None, attention_mask: Any = None,
             return_attention_scores: bool = False, training: Any = None,
             use_causal_mask: bool = False) -> Any:
        if value is None:
            raise ValueError(f"MultiHeadAttention {self.name}: call(query, value, key=None) "
                             "needs a value")
        key_given = key is not None and key is not value
        if query_mask is None:  # Keras masks carried by the inputs (Embedding(mask_zero=True))
            query_mask = getattr(query, "_keras_mask", None)
        if value_mask is None:
            value_mask = getattr(value, "_keras_mask", None)
        if key_mask is None and key_given:
            key_mask = getattr(key, "_keras_mask", None)
        value = _tensor(value)
        key = value if key is None else _tensor(key)
        q = self._query_dense(query)  # (B, T..., H, Dk)
        k, v = self._key_dense(key), self._value_dense(value)
        rank = q.ndim  # the input rank + 1
        axes = self._attn_axes
        middle = tuple(a for a in range(1, rank - 2) if a not in axes)
        order = (0,) + middle + (rank - 2,) + axes + (rank - 1,)

        def heads_first(t: Tensor) -> Tensor:  # (B, N..., H, prod(attention dims), D)
            t = t.permute(order)
            return t.reshape(_shape(t)[:len(middle) + 2] + (-1, _shape(t)[-1]))

        t_dims = tuple(_shape(q)[a] for a in axes)
        s_dims = tuple(_shape(k)[a] for a in axes)
        mask = self._mask(query, value, query_mask, value_mask, key_mask if key_given else None,
                          attention_mask, use_causal_mask, t_dims, s_dims)
        qh, kh, vh = heads_first(q), heads_first(k), heads_first(v)
        n_t, n_s = math.prod(t_dims), math.prod(s_dims)
        dt = qh._data.dtype
        bias = None
        if mask is not None:  # (B or 1, N..., 1, T, S): 0 where allowed, -inf elsewhere
            lead = mask.shape[:-2 * len(axes)]
            m = np.broadcast_to(mask, lead + t_dims + s_dims).reshape(lead + (1, n_t, n_s))
            bias = np.where(m, 0.0, -np.inf).astype(dt)
        keep = None
        if training and self.dropout > 0:
            keep = dropout_keep(_shape(qh)[:-2] + (n_t, n_s), self.dropout, dt)
        o, scores = attention(qh, kh, vh, scale=1.0 / math.sqrt(self.key_dim), bias=bias,
                              keep=keep, return_weights=True, raw_weights=True)
        o = o.reshape(_shape(o)[:-2] + t_dims + (self.value_dim,))
        o = o.permute(tuple(int(i) for i in np.argsort(order)))  # back to (B, T..., H, Dv)
        out = self._output_dense(o)
        if return_attention_scores:
            return out, scores.reshape(_shape(scores)[:-2] + t_dims + s_dims)
        return out

    def _mask(self, query: Any, value: Any, query_mask: Any, value_mask: Any, key_mask: Any,
              attention_mask: Any, use_causal_mask: bool, t_dims: tuple,
              s_dims: tuple) -> np.ndarray | None:
        """The boolean (B, ..., T..., S...) mask: AND of every mask given (Keras's rules)."""
        mask = None

        def both(m: np.ndarray) -> np.ndarray:
            return m if mask is None else np.logical_and(mask, m)

        def arr(m: Any) -> np.ndarray:
            a = m._data if isinstance(m, Tensor) else np.asarray(m)
            return a.astype(bool)

        if query_mask is not None:
            mask = both(arr(query_mask)[..., None])  # (B, T, 1)
        for m in (value_mask, key_mask):
            if m is not None:
                mask = both(np.expand_dims(arr(m), -2))  # (B, 1, S)
        if attention_mask is not None:
            mask = both(arr(attention_mask))
        if use_causal_mask:
            if len(t_dims) != 1:
                raise ValueError(f"MultiHeadAttention {self.name}: use_causal_mask needs one "
                                 f"attention axis, got {self._attn_axes}")
            mask = both(np.tri(t_dims[0], s_dims[0], dtype=bool)[None])
        if mask is None:
            return None
        want = 2 * len(t_dims)
        while mask.ndim < want + 1:
            mask = mask[None]
        return mask

    # --- shapes and config ------------------------------------------------------------------
    def compute_output_shape(self, query_shape: Any, value_shape: Any = None,
                             key_shape: Any = None) -> Any:
        out = tuple(query_shape[:-1]) + (self._output_shape or (query_shape[-1],))
        if not self._scores_symbolic:
            return out
        value_shape = value_shape or self._value_shape or query_shape
        axes = self._attn_axes or tuple(range(1, len(query_shape) - 1))
        middle = tuple(query_shape[a] for a in range(1, len(query_shape) - 1) if a not in axes)
        scores = ((query_shape[0],) + middle + (self.num_heads,)
                  + tuple(query_shape[a] for a in axes) + tuple(value_shape[a] for a in axes))
        return out, scores

    def get_config(self) -> dict:
        return {**super().get_config(), "num_heads": self.num_heads, "key_dim": self.key_dim,
                "value_dim": self.value_dim, "dropout": self.dropout, "use_bias": self.use_bias,
                "output_shape": self._output_shape, "attention_axes": self.attention_axes,
                **serialize_weight_options(self._common),
                "seed": self.seed}


class Attention(Layer):
    """Dot-product attention (Luong et al. 2015): `Attention()([query, value])` or
    `[query, value, key]`.

    Args:
        use_scale: learn a scalar `scale` multiplying the scores (init 1).
        score_mode: 'dot' (q . k) or 'concat' (sum(tanh(q + k)) times a learned scalar
            `concat_score_weight`).
        dropout: on the attention weights while training.

    Call:
        layer([query, value(, key)], mask=[query_mask, value_mask], training=None,
        return_attention_scores=False, use_causal_mask=False)

    Shape:
        query (B, Tq, dim), value (B, Tv, dim) -> (B, Tq, dim); scores (B, Tq, Tv).
    """

    def __init__(self, use_scale: bool = False, score_mode: str = "dot", dropout: float = 0.0,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError(f"{type(self).__name__}: invalid value for argument score_mode; "
                             f"expected one of {{'dot', 'concat'}}, received "
                             f"score_mode={score_mode!r}")
        if not isinstance(dropout, int | float) or not 0 <= dropout <= 1:
            raise ValueError(f"{type(self).__name__}: dropout must be in [0, 1], received "
                             f"dropout={dropout!r}")
        self.use_scale, self.score_mode = bool(use_scale), score_mode
        self.dropout, self.seed = float(dropout), seed
        self.scale = self.concat_score_weight = None
        self._scores_symbolic = False

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self._scores_symbolic = bool(kwargs.get("return_attention_scores", False))
        return super().__call__(*args, **kwargs)

    def _validate(self, inputs: Any, mask: Any = None) -> None:
        name = type(self).__name__
        if not isinstance(inputs, list | tuple) or not 2 <= len(inputs) <= 3:
            raise ValueError(f"{name} layer must be called on a list of inputs, namely "
                             f"[query, value] or [query, value, key]; received {inputs!r}")
        if mask is not None and (not isinstance(mask, list | tuple) or not 2 <= len(mask) <= 3):
            raise ValueError(f"{name} layer mask must be a list [query_mask, value_mask]; "
                             f"received mask={mask!r}")

    def build(self, input_shape: Any) -> None:
        self._validate(input_shape)
        if self.use_scale:
            self.scale = _exact(self.add_weight(shape=(), initializer="ones", name="scale"),
                                (), self.dtype)
        if self.score_mode == "concat":
            self.concat_score_weight = _exact(self.add_weight(
                shape=(), initializer="ones", name="concat_score_weight"), (), self.dtype)
        self.built = True

    def _calculate_scores(self, query: Tensor, key: Tensor) -> Tensor:
        if self.score_mode == "dot":
            scores = matmul(query, key.transpose(-2, -1))
            return scores * self.scale if self.scale is not None else scores
        pairs = query.unsqueeze(-2) + key.unsqueeze(-3)  # (B, Tq, Tv, dim)
        if self.scale is not None:
            pairs = pairs * self.scale
        return self.concat_score_weight * tanh(pairs).sum(-1)

    def call(self, inputs: list, mask: Any = None, training: Any = None,
             return_attention_scores: bool = False, use_causal_mask: bool = False) -> Any:
        self._validate(inputs, mask)
        q, v = inputs[0], inputs[1]
        k = inputs[2] if len(inputs) > 2 else v
        q_mask = mask[0] if mask else None
        v_mask = mask[1] if mask else None
        scores = self._calculate_scores(q, k)  # (B, Tq, Tv)
        allowed = None
        if v_mask is not None:
            allowed = np.expand_dims(_bool(v_mask), -2)  # (B, 1, Tv)
        if use_causal_mask:
            causal = np.tri(scores.shape[-2], scores.shape[-1], dtype=bool)[None]
            allowed = causal if allowed is None else np.logical_and(allowed, causal)
        if allowed is not None:  # Keras subtracts 1e9 where a key is masked
            penalty = np.where(allowed, 0.0, 1e9).astype(scores._data.dtype)
            scores = scores - Tensor._wrap(penalty)
        weights = softmax(scores, -1)
        if training and self.dropout > 0:
            keep = dropout_keep(_shape(weights), self.dropout, weights._data.dtype)
            weights = weights * Tensor._wrap(keep)
        out = matmul(weights, v)
        if q_mask is not None:
            out = where(Tensor._wrap(_bool(q_mask)[..., None]), out, 0.0)
        return (out, weights) if return_attention_scores else out

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The output keeps the query's mask (Keras)."""
        return mask[0] if mask else None

    def compute_output_shape(self, input_shape: Any) -> Any:
        q, v = input_shape[0], input_shape[1]
        out = tuple(q[:-1]) + (v[-1],)
        if not self._scores_symbolic:
            return out
        k = input_shape[2] if len(input_shape) > 2 else v
        return out, tuple(q[:-1]) + (k[-2],)

    def get_config(self) -> dict:
        return {**super().get_config(), "use_scale": self.use_scale,
                "score_mode": self.score_mode, "dropout": self.dropout, "seed": self.seed}


class AdditiveAttention(Attention):
    """Additive attention (Bahdanau et al. 2015): scores = sum(scale * tanh(q_i + k_j)), with a
    learned `scale` of shape (dim,) (glorot_uniform) when use_scale=True (the default)."""

    def __init__(self, use_scale: bool = True, dropout: float = 0.0, **kwargs: Any) -> None:
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape: Any) -> None:
        self._validate(input_shape)
        if self.use_scale:
            shape = (input_shape[0][-1],)
            self.scale = _exact(self.add_weight(shape=shape, initializer="glorot_uniform",
                                                name="scale"), shape, self.dtype)
        self.built = True

    def _calculate_scores(self, query: Tensor, key: Tensor) -> Tensor:
        pairs = tanh(query.unsqueeze(-2) + key.unsqueeze(-3))  # (B, Tq, Tv, dim)
        if self.scale is not None:
            pairs = pairs * self.scale
        return pairs.sum(-1)

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("score_mode", None)
        return config


def _bool(m: Any) -> np.ndarray:
    a = m._data if isinstance(m, Tensor) else np.asarray(m)
    return a.astype(bool)
