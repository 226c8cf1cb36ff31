"""Scaled dot-product attention as one fused primitive (Vaswani et al. 2017, "Attention Is All
You Need", eq. 1).

Forward, per batch entry (Q: (L, E), K: (S, E), V: (S, Ev), M an additive (L, S) mask):
    S  = scale * Q K^T + M                  (L, S) scores; M is 0 or -inf for boolean masks
    P  = softmax(S) along the keys          (L, S) rows sum to 1
    Pd = P * keep                           dropout: keep is 0 or 1 / (1 - p), else Pd = P
    O  = Pd V                               (L, Ev)
Backward, with gO = dL/dO (and gPd = dL/dPd when the weights Pd are an output too):
    dL/dV  = Pd^T gO
    dL/dPd = gO V^T + gPd
    dL/dP  = dL/dPd * keep
    dL/dS  = P * (dL/dP - rowsum(dL/dP * P))          (the softmax Jacobian-vector product)
    dL/dQ  = scale * dL/dS K,   dL/dK = scale * dL/dS^T Q,   dL/dM = dL/dS
A row whose keys are all masked (-inf everywhere) gets P = 0 and O = 0 instead of NaN, as
PyTorch's scaled_dot_product_attention does.

Only batched matmuls (BLAS) and ufuncs, no loop over heads or positions: the first batch dim
is cut into blocks of a cache's worth of score matrices, and each block runs
scores, softmax and both products while its scores are in cache, the blocks spread over the
BLAS threads (measured on 2 cores: SDPA forward+backward at (32, 8, 128, 32) 46 ms as whole
arrays, 26 ms in blocks; PyTorch 15-16 ms). The softmax works in place on the score buffer,
and its row max is a halving tree of `np.maximum` (3x faster than `max(axis=-1)` on rows of
~100 keys).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import state
from ..tensor import Tensor
from ._blocks import run_blocks
from .fused import softmax
from .linalg import matmul


def row_max(x: np.ndarray) -> np.ndarray:
    """max(x, axis=-1, keepdims=True) by pairwise maxima of halves (same values, faster)."""
    m = x
    while m.shape[-1] > 8:
        n = m.shape[-1]
        h = n // 2
        r = np.maximum(m[..., :h], m[..., h:2 * h])
        if n % 2:  # the odd column joins the first pair
            np.maximum(r[..., :1], m[..., 2 * h:], out=r[..., :1])
        m = r
    return m.max(axis=-1, keepdims=True)


def softmax_rows_(s: np.ndarray) -> np.ndarray:
    """softmax(s) along the last axis, in place; all -inf rows become 0 (not NaN)."""
    if s.shape[-1] == 0 or s.size == 0:
        return s
    m = row_max(s)
    dead = ~np.isfinite(m)  # rows with every key masked (or +inf scores: left to give NaN)
    has_dead = bool(dead.any())
    if has_dead:
        m[dead & (m < 0)] = 0.0
    s -= m
    np.exp(s, out=s)
    total = s.sum(axis=-1, keepdims=True)
    if has_dead:
        total[total == 0] = 1.0
    s *= np.reciprocal(total, out=total)
    return s


class ScaledDotProductAttention(Function):
    """O = dropout(softmax(scale Q K^T + M)) V;  gradients as in the module docstring.

    Inputs: q (..., L, E), k (..., S, E), v (..., S, Ev) and optionally a float mask (its
    gradient is dL/dS). Options: `scale`, `bias` (a constant additive array, 0 / -inf, for
    boolean and causal masks), `keep` (the dropout multiplier array or None) and
    `return_weights` (also output the weights, shape (..., L, S): Pd, or P before dropout
    with `raw_weights=True`, as Keras returns them)."""

    _materialize = False  # the weights output is often unused: its gradient arrives as None

    def forward(self, q, k, v, mask=None, *, scale, bias, keep, return_weights,
                raw_weights=False):
        self.scale, self.bias, self.keep, self.raw = scale, bias, keep, raw_weights
        self.blocks = _BatchBlocks.of(q, k, v, (mask, bias, keep))
        if self.blocks is not None:
            o = self.blocks.forward(self, q, k, v, mask, bias, keep)
        else:
            o = self._forward_whole(q, k, v, mask, bias, keep)
        if not return_weights:
            return o
        pd = self.pd
        return (o, self.p.copy()) if raw_weights and keep is not None else (o, pd)

    def _forward_whole(self, q, k, v, mask, bias, keep):
        scale = self.scale
        # scale the (L, E) queries rather than the (L, S) scores: fewer multiplications
        s = np.matmul(q * q.dtype.type(scale) if scale != 1.0 else q,
                      np.swapaxes(k, -1, -2))  # (..., L, S)
        for extra in (mask, bias):
            if extra is None:
                continue
            if np.broadcast_shapes(s.shape, extra.shape) == s.shape:
                s += extra
            else:
                s = s + extra
        p = softmax_rows_(s)
        pd = p if keep is None else p * keep
        self.p, self.pd = p, pd
        return np.matmul(pd, v)  # (..., L, Ev)

    def backward(self, g_o, g_pd=None):
        if state.enabled:  # create_graph: the same formula with recorded, differentiable ops
            return self._backward_graph(g_o, g_pd)
        q, k, v = (t._data for t in self.inputs[:3])
        need = self.needs_input_grad
        go = None if g_o is None else g_o._data
        if self.blocks is not None and go is not None:
            return self.blocks.backward(self, q, k, v, go,
                                        None if g_pd is None else g_pd._data, need)
        dv = None
        if need[2]:
            dv = np.matmul(np.swapaxes(self.pd, -1, -2), go) if go is not None \
                else np.zeros_like(v)
        if not (need[0] or need[1] or (len(need) > 3 and need[3])):
            return (None, None, _wrap(dv)) + (None,) * (len(need) - 3)
        if go is not None:
            dp = np.matmul(go, np.swapaxes(v, -1, -2))  # dL/dPd, (..., L, S)
            if g_pd is not None and not self.raw:
                dp += g_pd._data
        else:
            dp = np.zeros(self.p.shape, self.p.dtype) if self.raw else g_pd._data.copy()
        if self.keep is not None:
            dp *= self.keep
        if g_pd is not None and self.raw:  # the weights output is P itself
            dp += g_pd._data
        p = self.p
        dp -= np.einsum("...j,...j->...", dp, p)[..., None]  # dP - rowsum(dP * P)
        dp *= p  # dL/dS
        dq = dk = None
        if need[0]:
            dq = np.matmul(dp, k)
            dq *= self.scale
        if need[1]:
            dk = np.matmul(np.swapaxes(dp, -1, -2), q)
            dk *= self.scale
        grads = (_wrap(dq), _wrap(dk), _wrap(dv))
        if len(need) > 3:
            grads += (_wrap(dp) if need[3] else None,)
        return grads

    def _backward_graph(self, g_o, g_pd):
        q, k, v = self.inputs[:3]
        s = matmul(q, k.mT) * self.scale
        if len(self.inputs) > 3:
            s = s + self.inputs[3]
        if self.bias is not None:
            s = s + Tensor._wrap(self.bias)
        p = softmax(s, -1)
        keep = None if self.keep is None else Tensor._wrap(self.keep)
        pd = p if keep is None else p * keep
        need = self.needs_input_grad
        if g_o is None:
            g_o = Tensor._wrap(np.zeros(self.pd.shape[:-1] + v._data.shape[-1:], v._data.dtype))
        dv = matmul(pd.mT, g_o) if need[2] else None
        dp = matmul(g_o, v.mT)
        if g_pd is not None and not self.raw:
            dp = dp + g_pd
        if keep is not None:
            dp = dp * keep
        if g_pd is not None and self.raw:
            dp = dp + g_pd
        ds = p * (dp - (dp * p).sum(-1, keepdim=True))
        dq = matmul(ds, k) * self.scale if need[0] else None
        dk = matmul(ds.mT, q) * self.scale if need[1] else None
        grads = (dq, dk, dv)
        if len(need) > 3:
            grads += (ds if need[3] else None,)
        return grads


class _BatchBlocks:
    """The same computation over blocks of the first batch dim, each block's scores, softmax
    and products done while its (L, S) matrices are in cache, the blocks spread over the BLAS
    threads (ops._blocks.run_blocks); the arrays are sliced, never reshaped (q, k, v are often
    head-split views, which a reshape would copy). Used when q, k, v share their leading dims
    and every mask / bias / dropout array is either one (L, S) matrix for all or has the
    scores' full shape; otherwise the whole-array path runs."""

    def __init__(self, extras: list) -> None:
        self.extras = extras  # per extra: (array, shared) or None

    @classmethod
    def of(cls, q: np.ndarray, k: np.ndarray, v: np.ndarray, extras: tuple) -> Any:
        lead = q.shape[:-2]
        if q.ndim < 3 or k.shape[:-2] != lead or v.shape[:-2] != lead:
            return None
        full = lead + (q.shape[-2], k.shape[-2])
        out = []
        for a in extras:
            if a is None:
                out.append(None)
            elif a.shape == full:
                out.append((a, False))
            elif a.ndim >= 2 and a.size == full[-2] * full[-1] and a.shape[-2:] == full[-2:]:
                out.append((a.reshape(full[-2:]), True))
            else:
                return None
        return cls(out)

    def _block(self, i: int, s: int, e: int) -> np.ndarray | None:
        extra = self.extras[i]
        if extra is None:
            return None
        return extra[0] if extra[1] else extra[0][s:e]

    @staticmethod
    def _item_bytes(p_shape: tuple, itemsize: int, copies: int) -> int:
        return itemsize * copies * int(np.prod(p_shape[1:]))

    def forward(self, fn: Any, q, k, v, mask, bias, keep) -> np.ndarray:
        dt = np.result_type(q, k, v)
        p = np.empty(q.shape[:-1] + k.shape[-2:-1], dt)
        pd = p if keep is None else np.empty_like(p)
        o = np.empty(q.shape[:-1] + v.shape[-1:], dt)
        scale = fn.scale

        def work(s: int, e: int) -> None:
            qs = q[s:e] * q.dtype.type(scale) if scale != 1.0 else q[s:e]
            sc = p[s:e]
            np.matmul(qs, np.swapaxes(k[s:e], -1, -2), out=sc)
            for i in (0, 1):  # the mask, the bias
                extra = self._block(i, s, e)
                if extra is not None:
                    sc += extra
            softmax_rows_(sc)
            if keep is not None:
                np.multiply(sc, self._block(2, s, e), out=pd[s:e])
            np.matmul(pd[s:e], v[s:e], out=o[s:e])

        run_blocks(work, p.shape[0], self._item_bytes(p.shape, dt.itemsize, 2))
        fn.p, fn.pd = p, pd
        return o

    def backward(self, fn: Any, q, k, v, go, gpd, need) -> tuple:
        p, pd = fn.p, fn.pd
        gpd = None if gpd is None else np.broadcast_to(gpd, p.shape)
        dq = np.empty(q.shape, q.dtype) if need[0] else None
        dk = np.empty(k.shape, k.dtype) if need[1] else None
        dv = np.empty(v.shape, v.dtype) if need[2] else None
        ds = np.empty(p.shape, p.dtype) if len(need) > 3 and need[3] else None
        keep, scale = fn.keep is not None, fn.scale

        def work(s: int, e: int) -> None:
            g = go[s:e]
            if dv is not None:
                np.matmul(np.swapaxes(pd[s:e], -1, -2), g, out=dv[s:e])
            if dq is None and dk is None and ds is None:
                return
            dp = np.matmul(g, np.swapaxes(v[s:e], -1, -2))  # dL/dPd
            if gpd is not None and not fn.raw:
                dp += gpd[s:e]
            if keep:
                dp *= self._block(2, s, e)
            if gpd is not None and fn.raw:
                dp += gpd[s:e]
            pb = p[s:e]
            dp -= np.einsum("...j,...j->...", dp, pb)[..., None]  # dP - rowsum(dP * P)
            dp *= pb  # dL/dS
            if dq is not None:
                np.matmul(dp, k[s:e], out=dq[s:e])
                dq[s:e] *= scale
            if dk is not None:
                np.matmul(np.swapaxes(dp, -1, -2), q[s:e], out=dk[s:e])
                dk[s:e] *= scale
            if ds is not None:
                ds[s:e] = dp

        run_blocks(work, p.shape[0], self._item_bytes(p.shape, p.itemsize, 3))
        grads = tuple(_wrap(a) for a in (dq, dk, dv))
        if len(need) > 3:
            grads += (_wrap(ds),)
        return grads


def _wrap(a: np.ndarray | None) -> Tensor | None:
    return None if a is None else Tensor._wrap(a)


def attention(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None = None, *, scale: float,
              bias: np.ndarray | None = None, keep: np.ndarray | None = None,
              return_weights: bool = False, raw_weights: bool = False) -> Any:
    """Run the fused primitive: O, or (O, Pd) with return_weights (no argument checks; the
    public entry points are nn.functional.scaled_dot_product_attention and the layers)."""
    args = (q, k, v) if mask is None else (q, k, v, mask)
    return ScaledDotProductAttention.apply(*args, scale=float(scale), bias=bias, keep=keep,
                                           return_weights=return_weights,
                                           raw_weights=raw_weights)
