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
from ._util import column_sums


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


def _channel_matrix(x: np.ndarray, axis: int) -> np.ndarray | None:
    """x as an (M, C) matrix view, C its `axis`, when its memory holds the channel innermost
    (channels-last, or the channel axis is already last); else None."""
    moved = np.moveaxis(x, axis, -1)
    return moved.reshape(-1, x.shape[axis]) if moved.flags.c_contiguous else None


class BatchNorm(Function):
    """Batch normalization with batch statistics per channel (`axis`, 1 in PyTorch's layout,
    the last in Keras's), over every other axis.

    y = gamma * (x - mean) / sqrt(var + eps) + beta;  dL/dx as in the module docstring with
    M = x.size / C.  `stats` (a dict) receives the batch mean and biased variance, shape (C,),
    for the running-statistics update. When the channel is innermost in memory (channels-last
    activations, Keras's layout) x is an (M, C) matrix, its sums are GEMVs, and backward runs
    as five NumPy passes unless a graph of it is being built (double backward).
    """

    def forward(self, x, gamma, beta, eps, stats, axis=1):
        axis %= x.ndim
        self.axes = tuple(a for a in range(x.ndim) if a != axis)
        self.eps, self.m = eps, x.size // x.shape[axis]
        self.bshape = tuple(-1 if a == axis else 1 for a in range(x.ndim))  # broadcasts over x
        x2 = _channel_matrix(x, axis) if self.m > 0 else None
        self.matrix_axis = axis if x2 is not None else None
        if x2 is None:
            self.x_hat, mean, var, self.inv_std = _normalize(x, self.axes, eps)
            stats["mean"], stats["var"] = mean.reshape(-1), var.reshape(-1)
            y = self.x_hat * gamma.reshape(self.bshape)
            y += beta.reshape(self.bshape)
            return y
        mean = column_sums(x2) / x.dtype.type(self.m)
        xc = x2 - mean
        var = column_sums(xc * xc) / x.dtype.type(self.m)
        inv_std = (1.0 / np.sqrt(var + eps)).astype(x.dtype)
        xc *= inv_std
        self.x_hat, self.inv_std = xc, inv_std  # (M, C) and (C,)
        stats["mean"], stats["var"] = mean, var
        y = xc * gamma
        y += beta
        return np.moveaxis(y.reshape(np.moveaxis(x, axis, -1).shape), -1, axis)

    def backward(self, g):
        x, gamma = self.inputs[0], self.inputs[1]
        need = self.needs_input_grad
        if self.matrix_axis is not None and not state.enabled:
            return self._matrix_backward(g._data, gamma._data, need)
        # the generic formulas; x_hat and inv_std recorded from x when a graph is built
        x_hat, inv_std = _stats_tensors(self, x, self.axes, self.eps)
        dx = dgamma = dbeta = None
        if need[0]:
            dx = _dx(g * gamma.reshape(self.bshape), x_hat, inv_std, self.axes, self.m)
        if need[1]:
            dgamma = (g * x_hat).sum(self.axes)
        if need[2]:
            dbeta = g.sum(self.axes)
        return dx, dgamma, dbeta

    def _matrix_backward(self, g: np.ndarray, gamma: np.ndarray, need: tuple) -> tuple:
        """dbeta = sum(g), dgamma = sum(g x_hat), dx = gamma inv_std (g - dbeta/M -
        x_hat dgamma/M), on (M, C) matrices."""
        axis, xh = self.matrix_axis, self.x_hat
        g2 = _channel_matrix(g, axis)
        if g2 is None:  # g in another layout: one copy into x's
            g2 = np.ascontiguousarray(np.moveaxis(g, axis, -1)).reshape(xh.shape)
        dbeta = column_sums(g2)
        dgamma = column_sums(g2 * xh)
        dx = None
        if need[0]:
            m = g.dtype.type(self.m)
            dx = xh * (dgamma / -m)
            dx += g2
            dx -= dbeta / m
            dx *= gamma * self.inv_std
            dx = Tensor._wrap(np.moveaxis(dx.reshape(np.moveaxis(g, axis, -1).shape), -1, axis))
        return (dx, Tensor._wrap(dgamma) if need[1] else None,
                Tensor._wrap(dbeta) if need[2] else None)


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


def batch_norm_train(x: Tensor, gamma: Tensor, beta: Tensor, eps: float,
                     axis: int = 1) -> tuple:
    """(y, batch mean, biased batch var) for x with channels on `axis` (1: (N, C, *)); the
    statistics are arrays of shape (C,)."""
    stats: dict = {}
    y = BatchNorm.apply(x, gamma, beta, eps=eps, stats=stats, axis=axis)
    return y, stats["mean"], stats["var"]


def layer_norm(x: Tensor, n_dims: int, gamma: Tensor | None, beta: Tensor | None,
               eps: float) -> Tensor:
    """LayerNorm over the last n_dims dims; gamma/beta None mean no affine part."""
    if gamma is None and beta is not None:
        gamma = Tensor._wrap(np.ones(beta._data.shape, x._data.dtype))
    args = [t for t in (gamma, beta) if t is not None]
    return LayerNorm.apply(x, *args, n_dims=n_dims, eps=eps)
