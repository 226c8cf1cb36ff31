"""Shape ops that view: the same elements under a new shape or axis order, or broadcast.

    reshape/view   dL/dx = reshape(g, x.shape)  (flatten, unflatten, squeeze, unsqueeze too)
    permute        dL/dx = permute(g, inverse permutation)  (transpose, movedim too)
    expand         dL/dx = g summed over the expanded dims (the engine's sum_to)
    sum_to         dL/dx = expand(g, x.shape)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._util import norm_dim, norm_dims


class Reshape(Function):
    """y = x with a new shape (same elements in C order);  dL/dx = reshape(g, x.shape)"""

    uses_input_values = False

    def forward(self, x, shape):
        self.in_shape = x.shape
        return x.reshape(shape)

    def backward(self, g):
        return reshape(g, self.in_shape)


class Permute(Function):
    """y = x with axes reordered;  dL/dx = permute(g, argsort(dims))"""

    uses_input_values = False

    def forward(self, x, dims):
        self.inverse = tuple(np.argsort(dims))
        return x.transpose(dims)

    def backward(self, g):
        return Permute.apply(g, dims=self.inverse)


class Expand(Function):
    """y = x broadcast to `shape` (a view);  dL/dx = g summed back (done by the engine)"""

    uses_input_values = False

    def forward(self, x, shape):
        return np.broadcast_to(x, shape)

    def backward(self, g):
        return g


class SumTo(Function):
    """y = x summed down to `shape` (undoes broadcasting);  dL/dx = expand(g, x.shape)"""

    uses_input_values = False

    def forward(self, x, shape):
        self.in_shape = x.shape
        return _sum_to_array(x, shape)

    def backward(self, g):
        return expand(g, self.in_shape)


def _sum_to_array(x: np.ndarray, shape: tuple) -> np.ndarray:
    lead = x.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and x.shape[i + lead] != 1
    )
    out = np.sum(x, axis=axes, keepdims=True) if axes else x
    if lead:
        out = out.reshape(out.shape[lead:])
    return out.reshape(shape)


# --- functions --------------------------------------------------------------------------
def reshape(x: Tensor, shape: Sequence[int]) -> Tensor:
    shape = tuple(int(s) for s in shape)
    if shape == x._data.shape:
        return x if not x.requires_grad else Reshape.apply(x, shape=shape)
    try:
        return Reshape.apply(x, shape=shape)
    except ValueError:
        raise RuntimeError(
            f"reshape: shape '{list(shape)}' is invalid for input of size {x._data.size} "
            f"(input shape {tuple(x._data.shape)})"
        ) from None


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    if x._data.ndim == 0:
        return reshape(x, (1,))
    s = norm_dim(start_dim, x._data.ndim, "flatten")
    e = norm_dim(end_dim, x._data.ndim, "flatten")
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    shape = x._data.shape
    return reshape(x, shape[:s] + (int(np.prod(shape[s:e + 1])),) + shape[e + 1:])


def unflatten(x: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    d = norm_dim(dim, x._data.ndim, "unflatten")
    sizes = [int(s) for s in sizes]
    shape = x._data.shape
    known = int(np.prod([s for s in sizes if s != -1]))
    if sizes.count(-1) == 1 and known and shape[d] % known == 0:
        sizes[sizes.index(-1)] = shape[d] // known
    if sizes.count(-1) or int(np.prod(sizes)) != shape[d]:
        raise RuntimeError(
            f"unflatten: provided sizes {tuple(sizes)} don't multiply up to the size of dim "
            f"{d} ({shape[d]}) in the input tensor of shape {tuple(shape)}"
        )
    return reshape(x, shape[:d] + tuple(sizes) + shape[d + 1:])


def squeeze(x: Tensor, dim: Any = None) -> Tensor:
    shape = x._data.shape
    if dim is None:
        return reshape(x, tuple(s for s in shape if s != 1))
    dims = norm_dims(dim, x._data.ndim, "squeeze") if x._data.ndim else ()
    return reshape(x, tuple(s for i, s in enumerate(shape) if not (i in dims and s == 1)))


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    n = x._data.ndim + 1
    if not -n <= dim < n:
        raise IndexError(
            f"unsqueeze: dimension out of range (expected to be in range of [{-n}, {n - 1}], "
            f"but got {dim})"
        )
    d = dim % n
    shape = x._data.shape
    return reshape(x, shape[:d] + (1,) + shape[d:])


def permute(x: Tensor, dims: Sequence[int]) -> Tensor:
    nd = x._data.ndim
    if len(dims) != nd:
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {nd} is not equal "
            f"to len(dims) = {len(dims)}"
        )
    d = tuple(norm_dim(i, nd, "permute") for i in dims) if nd else ()
    if len(set(d)) != len(d):
        raise RuntimeError(f"permute: repeated dim in {tuple(dims)}")
    return Permute.apply(x, dims=d)


def transpose(x: Tensor, dim0: int, dim1: int) -> Tensor:
    nd = x._data.ndim
    if nd == 0:
        return x
    order = list(range(nd))
    a, b = norm_dim(dim0, nd, "transpose"), norm_dim(dim1, nd, "transpose")
    order[a], order[b] = order[b], order[a]
    return Permute.apply(x, dims=tuple(order))


def movedim(x: Tensor, source: Any, destination: Any) -> Tensor:
    """Move dims `source` to positions `destination`, keeping the others in order."""
    nd = x._data.ndim
    src = (source,) if isinstance(source, (int, np.integer)) else tuple(source)
    dst = (destination,) if isinstance(destination, (int, np.integer)) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({list(src)} dims) should "
            f"contain the same number of dims as destination ({list(dst)} dims)"
        )
    if nd == 0:
        return x
    s = [norm_dim(d, nd, "movedim") for d in src]
    t = [norm_dim(d, nd, "movedim") for d in dst]
    if len(set(s)) != len(s) or len(set(t)) != len(t):
        raise RuntimeError(f"movedim: repeated dim in source {src} or destination {dst}")
    order = [i for i in range(nd) if i not in s]
    for d, i in sorted(zip(t, s)):
        order.insert(d, i)
    return Permute.apply(x, dims=tuple(order))


def expand(x: Tensor, shape: Sequence[int]) -> Tensor:
    shape = tuple(shape)
    lead = len(shape) - x._data.ndim
    if lead < 0:
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(shape)}) must be greater or equal to "
            f"the number of dimensions in the tensor ({x._data.ndim})"
        )
    full = tuple(
        x._data.shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(shape)
    )
    if full == x._data.shape:
        return x
    try:
        return Expand.apply(x, shape=full)
    except ValueError:
        raise RuntimeError(
            f"expand: the expanded size of the tensor {tuple(x._data.shape)} must match the "
            f"existing size at non-singleton dimensions; target shape {shape}"
        ) from None


def sum_to(x: Tensor, shape: tuple) -> Tensor:
    """Sum `x` down to `shape`, undoing broadcasting (used by the engine)."""
    if x._data.shape == tuple(shape):
        return x
    return SumTo.apply(x, shape=tuple(shape))
