"""Fused, numerically stable loss primitives: softmax cross-entropy and BCE with logits.

softmax cross-entropy, rows i of logits x (M, C) and a constant coefficient matrix A (M, C)
(A = one-hot targets, optionally weighted / label-smoothed, or target probabilities):
    naive:   l_i = -sum_c A_ic * log(exp(x_ic) / sum_k exp(x_ik))   (exp overflows at x = 1000)
    stable:  log p_ic = (x_ic - m_i) - log(sum_k exp(x_ik - m_i)),  m_i = max_k x_ik
             l_i = -sum_c A_ic * log p_ic
    dL/dx_ic = g_i * (p_ic * s_i - A_ic),  s_i = sum_c A_ic   (= p - onehot for plain targets)
    dL/dA_ic = -g_i * log p_ic

binary cross-entropy on probabilities x in [0, 1] (PyTorch clamps each log at -100):
    l = -(y * max(log(x), -100) + (1 - y) * max(log(1 - x), -100))
    dL/dx = g * (x - y) / max(x * (1 - x), 1e-12),   dL/dy = g * (log(1 - x) - log(x))

BCE with logits, x logits, y targets, w_pos = 1 + (pos_weight - 1) * y:
    naive:   l = -[y * log(sigmoid(x)) + (1 - y) * log(1 - sigmoid(x))]  (log(0) at |x| = 1000)
    stable:  l = (1 - y) * x + w_pos * softplus(-x),
             softplus(-x) = max(-x, 0) + log1p(exp(-|x|))
    dL/dx = g * ((1 - y) - w_pos * sigmoid(-x))    (= sigmoid(x) - y when w_pos = 1)
    dL/dy = -g * x,   dL/dw_pos = g * softplus(-x)

Both backward rules use the arrays kept by forward; under `create_graph=True` they recompute
them with differentiable Tensor ops, so the gradients can be differentiated again.
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import state
from ..tensor import Tensor
from . import elementwise as _el
from .fused import log_softmax


class SoftmaxCrossEntropy(Function):
    """l_i = -sum_c A_ic log softmax(x)_ic;  dL/dx = g (p s - A),  dL/dA = -g log p.

    x: (M, C) logits, a: (M, C) coefficients.  `scale` None gives the per-row losses (M,);
    a number gives the scalar scale * sum_i l_i (the 'sum' and 'mean' reductions).
    """

    def forward(self, x, a, scale):
        self.scale = scale
        shifted = x - x.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        total = e.sum(axis=1, keepdims=True)
        self.log_p = shifted - np.log(total)
        self.p = e / total  # the softmax probabilities, kept for backward
        rows = -np.einsum("ij,ij->i", a, self.log_p)  # (M,) without an (M, C) temporary
        if scale is None:
            return rows
        return np.asarray(rows.sum() * scale, dtype=x.dtype)

    def backward(self, g):
        x, a = self.inputs
        if self.scale is not None:
            g = g * self.scale  # scalar
        else:
            g = g.unsqueeze(1)  # (M, 1)
        if state.enabled:  # create_graph: keep the dependence of p on x
            log_p = log_softmax(x, 1)
            p = log_p.exp()
        else:
            log_p, p = Tensor._wrap(self.log_p), Tensor._wrap(self.p)
        dx = da = None
        if self.needs_input_grad[0]:
            s = a.sum(1, keepdim=True)
            dx = g * (p * s - a)
        if self.needs_input_grad[1]:
            da = -(g * log_p)
        return dx, da


class BCEWithLogits(Function):
    """l = (1 - y) x + w_pos softplus(-x);  dL/dx = g ((1 - y) - w_pos sigmoid(-x)),
    dL/dy = -g x,  dL/dw_pos = g softplus(-x).  Elementwise (broadcasting) over x, y, w_pos;
    w_pos is optional (1)."""

    def forward(self, x, y, w_pos=None):
        # softplus(-x) = max(-x, 0) + log1p(exp(-|x|)), finite for every x
        self.sp = np.maximum(-x, 0) + np.log1p(np.exp(-np.abs(x)))
        self.sig_neg = _el.sigmoid_array(-x)
        return (1 - y) * x + (self.sp if w_pos is None else w_pos * self.sp)

    def backward(self, g):
        x, y = self.inputs[0], self.inputs[1]
        w_pos = self.inputs[2] if len(self.inputs) > 2 else None
        if state.enabled:  # create_graph: recompute with differentiable ops
            sig_neg = _el.sigmoid(-x)
            sp = softplus_neg(x)
        else:
            sig_neg, sp = Tensor._wrap(self.sig_neg), Tensor._wrap(self.sp)
        need = self.needs_input_grad
        dx = dy = dw = None
        if need[0]:
            dx = g * ((1 - y) - (sig_neg if w_pos is None else w_pos * sig_neg))
        if need[1]:
            dy = -(g * x)
        if w_pos is not None and need[2]:
            dw = g * sp
        return (dx, dy) if w_pos is None else (dx, dy, dw)


class BinaryCrossEntropy(Function):
    """l = -(y max(log x, -100) + (1 - y) max(log(1 - x), -100));
    dL/dx = g (x - y) / max(x (1 - x), 1e-12),  dL/dy = g (max(log(1 - x), -100)
    - max(log x, -100))"""

    def forward(self, x, y):
        with np.errstate(divide="ignore"):
            self.log_x = np.maximum(np.log(x), -100.0).astype(x.dtype, copy=False)
            self.log_1mx = np.maximum(np.log1p(-x), -100.0).astype(x.dtype, copy=False)
        return -(y * self.log_x + (1 - y) * self.log_1mx)

    def backward(self, g):
        x, y = self.inputs
        dx = dy = None
        if self.needs_input_grad[0]:
            dx = g * (x - y) / (x * (1 - x)).clamp(min=1e-12)
        if self.needs_input_grad[1]:
            if state.enabled:
                log_x, log_1mx = x.log().clamp(min=-100.0), (-x).log1p().clamp(min=-100.0)
            else:
                log_x, log_1mx = Tensor._wrap(self.log_x), Tensor._wrap(self.log_1mx)
            dy = g * (log_1mx - log_x)
        return dx, dy


def softplus_neg(x: Tensor) -> Tensor:
    """softplus(-x) with differentiable ops and no overflow: log1p(exp(-x)) where x >= 0,
    -x + log1p(exp(x)) where x < 0 (each branch sees only safe values)."""
    pos = Tensor._wrap(x._data >= 0)
    x_pos = _el.where(pos, x, 0.0)
    x_neg = _el.where(pos, 0.0, x)
    return _el.where(pos, (-x_pos).exp().log1p(), x_neg.exp().log1p() - x_neg)


def softmax_cross_entropy(x: Tensor, a: Tensor, scale: float | None) -> Tensor:
    """Rows of logits x (M, C) against coefficients a (M, C); see SoftmaxCrossEntropy."""
    return SoftmaxCrossEntropy.apply(x, a, scale=scale)


def bce_with_logits(x: Tensor, y: Tensor, w_pos: Tensor | None = None) -> Tensor:
    if w_pos is None:
        return BCEWithLogits.apply(x, y)
    return BCEWithLogits.apply(x, y, w_pos)
