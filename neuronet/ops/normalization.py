"""Fused normalization primitives: batch norm (training statistics) and layer norm.

Over the reduced elements (M of them per normalized group):
    mean    = sum(x) / M
    var     = sum((x - mean)**2) / M            (biased: the one used to normalize)
    inv_std = 1 / sqrt(var + eps)
    x_hat   = (x - mean) * inv_std
    y       = gamma * x_hat + beta
Backward, with g = dL/dy and g_hat = g * gamma:
    dL/dbeta  = sum(g)            dL/dgamma = sum(g * x_hat)
    dL/dx     = (1/M) * inv_std * (M * g_hat - sum(g_hat) - x_hat * sum(g_hat * x_hat))
(the sums run over the normalized elements for dx, over everything but gamma's axis for
dgamma/dbeta). The backward is written with Tensor ops; under `create_graph=True` x_hat and
inv_std are recomputed from x with differentiable ops, so double backward works.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import state
from ..tensor import Tensor


def _normalize(x: np.ndarray, axes: tuple, eps: float) -> tuple:
    """(x_hat, mean, biased var, inv_std) over axes, statistics kept with keepdims."""
    mean = x.mean(axis=axes, keepdims=True)
    xc = x - mean
    var = np.mean(xc * xc, axis=axes, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    xc *= inv_std
    return xc, mean, var, inv_std


def _stats_tensors(fn: Function, x: Tensor, axes: tuple, eps: float) -> tuple:
    """(x_hat, inv_std) as Tensors: recorded functions of x when a graph is being built
    (double backward), else the arrays kept by forward."""
    if state.enabled:
        xc = x - x.mean(axes, keepdim=True)
        inv_std = ((xc * xc).mean(axes, keepdim=True) + eps).rsqrt()
        return xc * inv_std, inv_std
    return Tensor._wrap(fn.x_hat), Tensor._wrap(fn.inv_std)


def _dx(g_hat: Tensor, x_hat: Tensor, inv_std: Tensor, axes: tuple, m: int) -> Tensor:
    """dL/dx = (1/M) inv_std (M g_hat - sum(g_hat) - x_hat sum(g_hat x_hat))"""
    s1 = g_hat.sum(axes, keepdim=True)
    s2 = (g_hat * x_hat).sum(axes, keepdim=True)
    return (inv_std * (1.0 / m)) * (g_hat * m - s1 - x_hat * s2)


class BatchNorm(Function):
    """Batch normalization with batch statistics over (N, *) per channel (dim 1).

    y = gamma * (x - mean) / sqrt(var + eps) + beta;  dL/dx as in the module docstring with
    M = N * prod(spatial).  `stats` (a dict) receives the batch mean and biased variance,
    shape (C,), for the running-statistics update.
    """

    def forward(self, x, gamma, beta, eps, stats):
        self.axes = (0,) + tuple(range(2, x.ndim))
        self.eps, self.m = eps, x.size // x.shape[1]
        self.bshape = (1, -1) + (1,) * (x.ndim - 2)  # (1, C, 1, ...) broadcasts over x
        self.x_hat, mean, var, self.inv_std = _normalize(x, self.axes, eps)
        stats["mean"], stats["var"] = mean.reshape(-1), var.reshape(-1)
        y = self.x_hat * gamma.reshape(self.bshape)
        y += beta.reshape(self.bshape)
        return y

    def backward(self, g):
        x, gamma = self.inputs[0], self.inputs[1]
        x_hat, inv_std = _stats_tensors(self, x, self.axes, self.eps)
        need = self.needs_input_grad
        dx = dgamma = dbeta = None
        if need[0]:
            dx = _dx(g * gamma.reshape(self.bshape), x_hat, inv_std, self.axes, self.m)
        if need[1]:
            dgamma = (g * x_hat).sum(self.axes)
        if need[2]:
            dbeta = g.sum(self.axes)
        return dx, dgamma, dbeta


class LayerNorm(Function):
    """Layer normalization over the last `n_dims` dims of x.

    y = gamma * (x - mean) / sqrt(var + eps) + beta;  dL/dx as in the module docstring with
    M = prod(normalized_shape).  gamma/beta have the normalized shape; their gradients
    g * x_hat and g are summed over the leading dims by the engine.
    """

    def forward(self, x, gamma=None, beta=None, *, n_dims, eps):
        self.axes = tuple(range(x.ndim - n_dims, x.ndim))
        self.eps = eps
        self.m = int(np.prod(x.shape[x.ndim - n_dims:]))
        self.x_hat, _, _, self.inv_std = _normalize(x, self.axes, eps)
        if gamma is None:
            return self.x_hat
        y = self.x_hat * gamma
        if beta is not None:
            y += beta
        return y

    def backward(self, g):
        x = self.inputs[0]
        x_hat, inv_std = _stats_tensors(self, x, self.axes, self.eps)
        need = self.needs_input_grad
        gamma = self.inputs[1] if len(need) > 1 else None
        dx = _dx(g if gamma is None else g * gamma, x_hat, inv_std, self.axes, self.m) \
            if need[0] else None
        grads: list[Any] = [dx]
        if len(need) > 1:
            grads.append(g * x_hat if need[1] else None)
        if len(need) > 2:
            grads.append(g if need[2] else None)
        return tuple(grads)


def batch_norm_train(x: Tensor, gamma: Tensor, beta: Tensor, eps: float) -> tuple:
    """(y, batch mean, biased batch var) for x of shape (N, C, *); the statistics are arrays."""
    stats: dict = {}
    y = BatchNorm.apply(x, gamma, beta, eps=eps, stats=stats)
    return y, stats["mean"], stats["var"]


def layer_norm(x: Tensor, n_dims: int, gamma: Tensor | None, beta: Tensor | None,
               eps: float) -> Tensor:
    """LayerNorm over the last n_dims dims; gamma/beta None mean no affine part."""
    if gamma is None and beta is not None:
        gamma = Tensor._wrap(np.ones(beta._data.shape, x._data.dtype))
    args = [t for t in (gamma, beta) if t is not None]
    return LayerNorm.apply(x, *args, n_dims=n_dims, eps=eps)
