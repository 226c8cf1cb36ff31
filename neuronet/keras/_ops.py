"""Fused primitives the Keras face uses for speed, forward and backward side by side.

    KernelDense            y = x @ K + b  (Keras's kernel is (in, out))
                           dL/dx = g @ K^T,  dL/dK = x^T @ g,  dL/db = sum(g over batch)
    SoftmaxCrossEntropy    l_i = -sum_c y_ic log softmax(z_i)_c        (per sample)
                           dL/dz_i = g_i (softmax(z_i) sum_c y_ic - y_i)
                           naive: -sum(y * log(softmax(z))) underflows to log(0)
    SparseSoftmaxCrossEntropy  l_i = logsumexp(z_i) - z_i[t_i]
                           dL/dz_i = g_i (softmax(z_i) - onehot(t_i))
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..ops.linalg import matmul
from ..tensor import Tensor


class KernelDense(Function):
    """y = x @ K + b;  dL/dx = g @ K^T,  dL/dK = x^T @ g,  dL/db = sum(g)"""

    def forward(self, x, kernel, bias=None):
        out = np.matmul(x, kernel)
        if bias is not None:
            out += bias
        return out

    def backward(self, g):
        x, kernel = self.inputs[0], self.inputs[1]
        need = self.needs_input_grad
        dx = matmul(g, kernel.mT) if need[0] else None
        dk = db = None
        g2 = g.reshape(-1, g.shape[-1]) if g.ndim != 2 else g
        if need[1]:
            x2 = x.reshape(-1, x.shape[-1]) if x.ndim != 2 else x
            dk = matmul(x2.mT, g2)
        if len(need) > 2 and need[2]:
            db = g2.sum(0)
        return (dx, dk) if len(need) == 2 else (dx, dk, db)


def _log_softmax(z: np.ndarray) -> np.ndarray:
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


class SoftmaxCrossEntropy(Function):
    """l = -sum(y * log_softmax(z), -1);  dL/dz = g (softmax(z) sum(y) - y)"""

    uses_input_values = False

    def forward(self, z, y):
        self.log_p = _log_softmax(z)
        return -(y * self.log_p).sum(axis=-1)

    def backward(self, g):
        y = self.inputs[1]
        p = Tensor._wrap(np.exp(self.log_p))
        g = g.unsqueeze(-1)
        dz = g * (p * y.sum(-1, keepdim=True) - y) if self.needs_input_grad[0] else None
        dy = -g * Tensor._wrap(self.log_p) if self.needs_input_grad[1] else None
        return dz, dy


class SparseSoftmaxCrossEntropy(Function):
    """l = logsumexp(z) - z[t];  dL/dz = g (softmax(z) - onehot(t))"""

    def forward(self, z, target):
        self.log_p = _log_softmax(z)
        self.target = target
        return -np.take_along_axis(self.log_p, target[..., None], axis=-1)[..., 0]

    def backward(self, g):
        p = np.exp(self.log_p)
        np.put_along_axis(p, self.target[..., None],
                          np.take_along_axis(p, self.target[..., None], axis=-1) - 1, axis=-1)
        return g.unsqueeze(-1) * Tensor._wrap(p), None
