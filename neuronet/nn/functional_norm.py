"""Functional normalization and embedding: `F.batch_norm`, `F.layer_norm`, `F.group_norm`,
`F.embedding` (re-exported by `nn.functional`).

    batch_norm  y = gamma * (x - mean_c) / sqrt(var_c + eps) + beta_c over (N, *) per channel c;
                training: batch statistics, and running = (1 - momentum) * running
                + momentum * batch (the variance unbiased: var * M / (M - 1)); eval: running.
    layer_norm  the same over the last len(normalized_shape) dims of each sample
    group_norm  layer_norm over (C / G, *) of each of G channel groups, then per-channel affine
    embedding   y = weight[index]; dL/dweight[i] = sum of g over the positions holding i
                (nothing for padding_idx), divided by count(i) in index when
                scale_grad_by_freq
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import no_grad
from ..ops import indexing as _ix
from ..ops import normalization as _norm
from ..tensor import Tensor

__all__ = ["batch_norm", "layer_norm", "group_norm", "embedding"]


def _update_running(running: Tensor, batch: np.ndarray, momentum: float) -> None:
    """running = (1 - momentum) * running + momentum * batch, in place (same array)."""
    arr = running._data
    arr *= 1.0 - momentum
    arr += momentum * batch.astype(arr.dtype, copy=False)
    running._version += 1


def batch_norm(input: Tensor, running_mean: Tensor | None,  # noqa: A002
               running_var: Tensor | None, weight: Tensor | None = None,
               bias: Tensor | None = None, training: bool = False, momentum: float = 0.1,
               eps: float = 1e-5) -> Tensor:
    """Batch normalization of (N, C, *) input per channel (see the module docstring).
    `running_mean`/`running_var` (shape (C,)) are updated in place when training."""
    x = input
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected input of shape (N, C, *), got "
                         f"{tuple(x.shape)}")
    c = x.shape[1]
    for name, t in (("weight", weight), ("bias", bias), ("running_mean", running_mean),
                    ("running_var", running_var)):
        if t is not None and tuple(t.shape) != (c,):
            raise RuntimeError(f"batch_norm: {name} should have shape ({c},) for input of "
                               f"shape {tuple(x.shape)}, got {tuple(t.shape)}")
    dt = x._data.dtype
    if not training:
        if running_mean is None or running_var is None:
            raise RuntimeError("batch_norm: running_mean and running_var must be given when "
                               "training=False")
        bshape = (1, c) + (1,) * (x.ndim - 2)
        inv_std = Tensor._wrap((1.0 / np.sqrt(running_var._data + eps)).astype(dt))
        scale = inv_std if weight is None else weight * inv_std
        shift = -running_mean * scale if bias is None else bias - running_mean * scale
        return x * scale.reshape(bshape) + shift.reshape(bshape)
    m = x.numel() // c
    if m <= 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input "
                         f"size {list(x.shape)}")
    gamma = weight if weight is not None else Tensor._wrap(np.ones(c, dt))
    beta = bias if bias is not None else Tensor._wrap(np.zeros(c, dt))
    y, mean, var = _norm.batch_norm_train(x, gamma, beta, eps)
    with no_grad():
        if running_mean is not None:
            _update_running(running_mean, mean, momentum)
        if running_var is not None:
            _update_running(running_var, var * (m / (m - 1)), momentum)
    return y


def layer_norm(input: Tensor, normalized_shape: Sequence[int] | int,  # noqa: A002
               weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Normalize over the trailing dims given by normalized_shape (see the module docstring)."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(shape)
    if k == 0 or tuple(input.shape[input.ndim - k:]) != shape or input.ndim < k:
        raise RuntimeError(f"layer_norm: input of shape {tuple(input.shape)} does not end "
                           f"with normalized_shape {list(shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(f"layer_norm: {name} should have shape {shape}, got "
                               f"{tuple(t.shape)}")
    return _norm.layer_norm(input, k, weight, bias, eps)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,  # noqa: A002
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalize each of num_groups channel groups of (N, C, *) input, then scale and shift
    each channel."""
    n, c = input.shape[0], input.shape[1]
    if c % num_groups != 0:
        raise RuntimeError(f"group_norm: expected the number of channels ({c}) to be divisible "
                           f"by num_groups ({num_groups})")
    y = _norm.layer_norm(input.reshape(n, num_groups, -1), 1, None, None, eps)
    y = y.reshape(input.shape)
    bshape = (1, c) + (1,) * (input.ndim - 2)
    if weight is not None:
        y = y * weight.reshape(bshape)
    if bias is not None:
        y = y + bias.reshape(bshape)
    return y


class Embedding(Function):
    """y = weight[index];  dL/dweight = zeros with g added at the rows in index, except the
    padding row (the scatter-add is IndexAddInto, so the backward is differentiable).

    With scale_grad_by_freq, as PyTorch, each row's gradient is divided by how often its
    index occurs in the whole index array (all dims):

        dL/dW[r] = sum over positions p with index[p] == r of g[p] / count(r)

    (g is scaled per position by the constant 1 / count(index[p]) before the scatter-add, so
    double backward works and is the exact derivative of this backward; count(r) >= 1 for
    every row that receives gradient). PyTorch's double backward w.r.t. the incoming gradient
    leaves out the 1 / count, so second derivatives through a scaled embedding differ from
    torch's (first-order gradients match).
    """

    uses_input_values = False

    def forward(self, weight, index, padding_idx, scale_grad_by_freq=False):
        self.index, self.padding_idx, self.shape = index, padding_idx, weight.shape
        self.scale_grad_by_freq = scale_grad_by_freq
        return weight[index]

    def backward(self, g):
        dtype = g._data.dtype
        scale = None
        if self.scale_grad_by_freq:  # 1 / count(index[p]) at each position p
            counts = np.bincount(self.index.ravel(), minlength=self.shape[0])
            scale = (1.0 / counts[self.index]).astype(dtype)
        if self.padding_idx is not None:  # the padding row receives no gradient
            keep = (self.index != self.padding_idx).astype(dtype)
            scale = keep if scale is None else scale * keep
        if scale is not None:
            g = g * Tensor._wrap(scale[..., None])
        zeros = Tensor._wrap(np.zeros(self.shape, dtype=dtype))
        return _ix.IndexAddInto.apply(zeros, g, index=self.index)


def _renorm_rows(weight: Tensor, index: np.ndarray, max_norm: float, norm_type: float) -> None:
    """Rescale (in place, no graph) the looked-up rows whose norm exceeds max_norm."""
    rows = np.unique(index)
    w = weight._data
    norms = np.linalg.norm(w[rows], ord=norm_type, axis=1)
    big = norms > max_norm
    scale = max_norm / (norms[big] + 1e-7)
    w[rows[big]] *= scale[:, None].astype(w.dtype)
    weight._version += 1


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,  # noqa: A002
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of weight (num_embeddings, embedding_dim) picked by the integer input.

    scale_grad_by_freq=True divides each row's gradient by the number of times its index
    occurs in input (dL/dW[r] = sum over positions with index r of g / count(r)), as PyTorch;
    sparse=True is not supported (neuronet has no sparse tensors).
    """
    idx = input._data if isinstance(input, Tensor) else np.asarray(input)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"embedding: expected an integer index tensor, got dtype "
                           f"{idx.dtype}")
    num = weight.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= num):
        bad = int(idx.max()) if idx.max() >= num else int(idx.min())
        raise IndexError(f"embedding: index {bad} is out of range for an embedding table of "
                         f"{num} rows")
    if sparse:
        raise NotImplementedError("embedding: sparse gradients (sparse=True) are not supported "
                                  "(neuronet has no sparse tensors); use sparse=False")
    if padding_idx is not None and padding_idx < 0:
        padding_idx += num
    if max_norm is not None:
        with no_grad():
            _renorm_rows(weight, idx, max_norm, norm_type)
    return Embedding.apply(weight, index=idx.astype(np.intp, copy=False),
                           padding_idx=padding_idx, scale_grad_by_freq=bool(scale_grad_by_freq))
