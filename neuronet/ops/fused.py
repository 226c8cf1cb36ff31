"""Fused, numerically stable ops: softmax and log-softmax along a dim.

    log_softmax  y = x - logsumexp(x)      (naive: log(exp(x) / sum(exp(x))) overflows)
                 dL/dx = g - exp(y) * sum(g)
    softmax      y = exp(x - max(x)) / sum(exp(x - max(x)))
                 dL/dx = y * (g - sum(g * y))
The sums run along `dim` with keepdim.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._util import float_operand, norm_dim


class LogSoftmax(Function):
    """y = x - logsumexp(x, dim);  dL/dx = g - exp(y) * sum(g, dim)"""

    saves_output = True

    def forward(self, x, dim):
        self.dim = dim
        if x.shape[dim] == 0:  # nothing to normalise (np.max has no identity)
            return x.copy()
        shifted = x - np.max(x, axis=dim, keepdims=True)
        return shifted - np.log(np.sum(np.exp(shifted), axis=dim, keepdims=True))

    def backward(self, g):
        y = self.output()
        return g - y.exp() * g.sum(self.dim, keepdim=True)


class Softmax(Function):
    """y = exp(x - max) / sum(exp(x - max));  dL/dx = y * (g - sum(g * y, dim))"""

    saves_output = True

    def forward(self, x, dim):
        self.dim = dim
        if x.shape[dim] == 0:
            return x.copy()
        e = np.exp(x - np.max(x, axis=dim, keepdims=True))
        e /= np.sum(e, axis=dim, keepdims=True)
        return e

    def backward(self, g):
        y = self.output()
        return y * (g - (g * y).sum(self.dim, keepdim=True))


def _dim(x: Tensor, dim: Any, op: str) -> int:
    if dim is None:  # PyTorch's legacy implicit choice
        dim = 0 if x._data.ndim in (0, 1, 3) else 1
    return norm_dim(dim, x._data.ndim, op) if x._data.ndim else 0


def softmax(x: Any, dim: Any = None) -> Tensor:
    x = float_operand(x)
    if x._data.ndim == 0:
        return Softmax.apply(x.reshape(1), dim=0).reshape(())
    return Softmax.apply(x, dim=_dim(x, dim, "softmax"))


def log_softmax(x: Any, dim: Any = None) -> Tensor:
    x = float_operand(x)
    if x._data.ndim == 0:
        return LogSoftmax.apply(x.reshape(1), dim=0).reshape(())
    return LogSoftmax.apply(x, dim=_dim(x, dim, "log_softmax"))
