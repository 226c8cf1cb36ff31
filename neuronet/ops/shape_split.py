"""Shape ops that join tensors along a dim or cut one into pieces along a dim.

    cat / stack    dL/dx_i = the slice of g that x_i filled
    split          dL/dx = cat of the pieces' gradients (zeros for unused pieces)
                   (chunk and unbind too: one Split node for all pieces)
    narrow/select  slices of x (their gradient is indexing's)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..dtypes import result_type
from ..tensor import Tensor, as_tensor_arg
from ._util import norm_dim
from .shape_views import reshape, unsqueeze


class Cat(Function):
    """y = concatenation of inputs along dim;  dL/dx_i = g[..., offset_i : offset_i + n_i]"""

    uses_input_values = False

    def forward(self, *xs, dim):
        self.dim = dim
        self.sizes = [x.shape[dim] for x in xs]
        return np.concatenate(xs, axis=dim)

    def backward(self, g):
        grads, start = [], 0
        for n, need in zip(self.sizes, self.needs_input_grad):
            if need:
                index = (slice(None),) * self.dim + (slice(start, start + n),)
                grads.append(g[index])
            else:
                grads.append(None)
            start += n
        return tuple(grads)


class Split(Function):
    """y_1, ..., y_n = consecutive pieces of x along dim (views);  dL/dx = cat(g_1, ..., g_n)

    One multi-output node instead of n slices: the slices' backward would each build a
    zero tensor of x's full size (O(n * x.size) work for unbind); this is one cat."""

    uses_input_values = False

    def forward(self, x, sizes, dim):
        self.dim = dim
        bounds = np.cumsum(sizes[:-1]).tolist()
        return tuple(np.split(x, bounds, axis=dim))

    def backward(self, *grads):
        return Cat.apply(*grads, dim=self.dim)


# --- functions --------------------------------------------------------------------------
def cat(tensors: Sequence[Any], dim: int = 0) -> Tensor:
    tensors = [t if isinstance(t, Tensor) else as_tensor_arg(t) for t in tensors]
    if not tensors:
        raise RuntimeError("cat(): expected a non-empty list of Tensors")
    # PyTorch skips 1-D empty tensors (legacy behaviour)
    kept = [t for t in tensors if not (t._data.ndim == 1 and t._data.size == 0)] or tensors[:1]
    ref = kept[0]
    d = norm_dim(dim, ref._data.ndim, "cat")
    for i, t in enumerate(kept):
        if t._data.ndim != ref._data.ndim or any(
            a != b for j, (a, b) in enumerate(zip(t._data.shape, ref._data.shape)) if j != d
        ):
            raise RuntimeError(
                f"cat: sizes of tensors must match except in dimension {d}; tensor 0 has shape "
                f"{tuple(ref._data.shape)} but tensor {i} has shape {tuple(t._data.shape)}"
            )
    dtype = ref._data.dtype
    for t in kept[1:]:
        if t._data.dtype != dtype:
            dtype = result_type(np.zeros(1, dtype), np.zeros(1, t._data.dtype))
    kept = [t if t._data.dtype == dtype else t.to(dtype) for t in kept]
    return Cat.apply(*kept, dim=d)


def stack(tensors: Sequence[Any], dim: int = 0) -> Tensor:
    tensors = [t if isinstance(t, Tensor) else as_tensor_arg(t) for t in tensors]
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {tuple(shape)} at entry 0 "
                f"and {tuple(t._data.shape)} at entry {i}"
            )
    n = len(shape) + 1
    if not -n <= dim < n:
        raise IndexError(f"stack: dimension out of range (expected [{-n}, {n - 1}], got {dim})")
    return cat([unsqueeze(t, dim % n) for t in tensors], dim % n)


def split(x: Tensor, split_size: Any, dim: int = 0) -> tuple:
    """Pieces of `x` along `dim`: of `split_size` each (the last may be smaller), or of the
    listed sizes. One Split node for all pieces, so backward is a single cat."""
    d = norm_dim(dim, x._data.ndim, "split")
    n = x._data.shape[d]
    if isinstance(split_size, (int, np.integer)):
        if split_size <= 0 and n:
            raise RuntimeError(f"split: split_size must be positive, got {split_size}")
        sizes = [min(split_size, n - i) for i in range(0, n, split_size)] if n else [0]
    else:
        sizes = [int(s) for s in split_size]
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's "
                f"size at dimension {d}, shape {tuple(x._data.shape)}), but got "
                f"split_sizes={sizes}"
            )
    return Split.apply(x, sizes=tuple(sizes), dim=d)


def chunk(x: Tensor, chunks: int, dim: int = 0) -> tuple:
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    n = x._data.shape[norm_dim(dim, x._data.ndim, "chunk")]
    size = -(-n // chunks) if n else 1
    return split(x, size, dim)


def unbind(x: Tensor, dim: int = 0) -> tuple:
    """The slices x.select(dim, i) for every i (one Split node, then size-1 dims dropped)."""
    d = norm_dim(dim, x._data.ndim, "unbind")
    n = x._data.shape[d]
    if n == 0:
        return ()
    shape = x._data.shape[:d] + x._data.shape[d + 1:]
    return tuple(reshape(p, shape) for p in Split.apply(x, sizes=(1,) * n, dim=d))


def narrow(x: Tensor, dim: int, start: int, length: int) -> Tensor:
    """x[..., start : start + length, ...] along `dim` (a view; PyTorch's narrow)."""
    d = norm_dim(dim, x._data.ndim, "narrow")
    n = x._data.shape[d]
    if not -n <= start <= n:
        raise IndexError(f"narrow: start ({start}) out of range for dimension {d} of size {n} "
                         f"(input shape {tuple(x._data.shape)})")
    start = start % n if start < 0 else start
    if length < 0 or start + length > n:
        raise RuntimeError(
            f"narrow: start ({start}) + length ({length}) exceeds dimension size ({n}) "
            f"(input shape {tuple(x._data.shape)}, dim {d})"
        )
    return x[(slice(None),) * d + (slice(start, start + length),)]


def select(x: Tensor, dim: int, index: int) -> Tensor:
    """x[..., index, ...] along `dim`, removing that dim (PyTorch's select)."""
    d = norm_dim(dim, x._data.ndim, "select")
    n = x._data.shape[d]
    if not -n <= index < n:
        raise IndexError(
            f"select: index {index} out of range for tensor of shape {tuple(x._data.shape)} "
            f"at dimension {d} (size {n})"
        )
    return x[(slice(None),) * d + (int(index),)]
