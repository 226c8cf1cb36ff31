"""MultiheadAttention (Vaswani et al. 2017, section 3.2.2), PyTorch's parameters and call.

    head_h = softmax((Q W_q^h)(K W_k^h)^T / sqrt(d) + M) (V W_v^h),   d = embed_dim / num_heads
    output = concat(head_1, ..., head_H) W_o^T + b_o
Parameters (PyTorch's names): in_proj_weight (3E, E) = [W_q; W_k; W_v] and in_proj_bias (3E,),
or q_proj_weight (E, E), k_proj_weight (E, kdim), v_proj_weight (E, vdim) when kdim/vdim differ
from E; out_proj.weight (E, E), out_proj.bias (E,); bias_k, bias_v (1, 1, E) with add_bias_kv.
"""

from __future__ import annotations

from typing import Any

from ... import creation
from ...tensor import Tensor
from .. import init
from ..functional_attention import mha_forward
from ..parameter import Parameter
from .linear import Linear
from .module import Module


class MultiheadAttention(Module):
    """Multi-head attention: H scaled dot-product attentions over learned projections.

    Args:
        embed_dim: E, the model width (a multiple of num_heads).
        num_heads: H, parallel attention heads of width E / H.
        dropout: dropout probability on the attention weights (training only).
        bias: learn in_proj_bias and out_proj.bias.
        add_bias_kv: append a learned key and value (bias_k, bias_v) to the sequence.
        add_zero_attn: append a zero key and value after the projection.
        kdim, vdim: feature sizes of key and value (default E).
        batch_first: inputs and output are (B, L, E) instead of (L, B, E).

    Shape:
        query (L, B, E) or (B, L, E) with batch_first, or unbatched (L, E); key (S, B, kdim),
        value (S, B, vdim). key_padding_mask (B, S); attn_mask (L, S) or (B * H, L, S);
        boolean masks mark with True the positions NOT to attend, float masks are added.
        Returns (output like query, weights (B, L, S), or (B, H, L, S) with
        average_attn_weights=False, or None with need_weights=False).

    Example:
        >>> import neuronet as nt
        >>> mha = nt.nn.MultiheadAttention(16, 4, batch_first=True)
        >>> x = nt.randn(2, 5, 16)
        >>> out, w = mha(x, x, x)
        >>> tuple(out.shape), tuple(w.shape)
        ((2, 5, 16), (2, 5, 5))
    """

    __constants__ = ["batch_first"]

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        for name, n in (("embed_dim", embed_dim), ("num_heads", num_heads)):
            if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
                raise ValueError(f"MultiheadAttention: {name} must be a positive integer, got "
                                 f"{name}={n!r}")
        if embed_dim % num_heads:
            raise ValueError(f"MultiheadAttention: embed_dim must be divisible by num_heads, got "
                             f"embed_dim={embed_dim}, num_heads={num_heads}")
        if not 0.0 <= dropout <= 1.0:
            raise ValueError(f"MultiheadAttention: dropout must be in [0, 1], got {dropout}")
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads, self.dropout, self.batch_first = num_heads, float(dropout), batch_first
        self.head_dim = embed_dim // num_heads
        e = embed_dim
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = Parameter(creation.empty(e, e, dtype=dtype))
            self.k_proj_weight = Parameter(creation.empty(e, self.kdim, dtype=dtype))
            self.v_proj_weight = Parameter(creation.empty(e, self.vdim, dtype=dtype))
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = Parameter(creation.empty(3 * e, e, dtype=dtype))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(creation.empty(3 * e, dtype=dtype))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(e, e, bias=bias, dtype=dtype)
        if add_bias_kv:
            self.bias_k = Parameter(creation.empty(1, 1, e, dtype=dtype))
            self.bias_v = Parameter(creation.empty(1, 1, e, dtype=dtype))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        """PyTorch's: Xavier-uniform projections, zero biases, Xavier-normal bias_k/bias_v."""
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def forward(self, query: Tensor, key: Tensor, value: Tensor,
                key_padding_mask: Tensor | None = None, need_weights: bool = True,
                attn_mask: Tensor | None = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
        for name, t, size in (("query", query, self.embed_dim), ("key", key, self.kdim),
                              ("value", value, self.vdim)):
            if not isinstance(t, Tensor) or t.ndim not in (2, 3) or t.shape[-1] != size:
                shape = tuple(t.shape) if isinstance(t, Tensor) else type(t).__name__
                raise RuntimeError(f"MultiheadAttention: expected {name} of shape (..., {size}) "
                                   f"with 2 or 3 dims, got {shape}")
        separate = (None, None, None) if self._qkv_same_embed_dim else (
            self.q_proj_weight, self.k_proj_weight, self.v_proj_weight)
        return mha_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight,
            self.in_proj_bias, self.bias_k, self.bias_v, self.add_zero_attn, self.dropout,
            self.out_proj.weight, self.out_proj.bias, training=self.training,
            key_padding_mask=key_padding_mask, need_weights=need_weights, attn_mask=attn_mask,
            separate=separate, average_attn_weights=average_attn_weights, is_causal=is_causal,
            batch_first=self.batch_first)

    def extra_repr(self) -> str:
        return ""
