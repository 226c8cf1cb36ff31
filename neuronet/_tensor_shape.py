"""Tensor's shape and indexing methods: views, reshapes, transposes, repeats, splits,
gather/scatter and masks.

`_TensorShape` is a base class of `neuronet.tensor.Tensor`. Each method calls a primitive in
`neuronet.ops` (shape, indexing, linalg); the maths (forward and backward) lives there.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

import numpy as np

from ._tensor_data import _array_of, _shape_arg

if TYPE_CHECKING:
    from .ops import indexing as _idx
    from .ops import linalg as _la
    from .ops import shape as _sh
else:
    # Set by neuronet.tensor once Tensor exists (the op modules import Tensor).
    _idx = _la = _sh = None

# Set by neuronet.tensor once Tensor exists (it imports this module).
Tensor: Any = None
Size: Any = None


class _TensorShape:
    """Shape and indexing methods of `Tensor` (a base class of it; holds no state)."""

    __slots__ = ()

    # --- shape (neuronet.ops.shape) -------------------------------------------------------
    def reshape(self, *shape: Any) -> Tensor:
        return _sh.reshape(self, _shape_arg(shape))

    def view(self, *shape: Any) -> Tensor:
        if len(shape) == 1 and not isinstance(shape[0], (builtins.int, tuple, list, Size)):
            return self.to(shape[0])
        return _sh.reshape(self, _shape_arg(shape))

    def view_as(self, other: Tensor) -> Tensor:
        return _sh.reshape(self, other.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return _sh.reshape(self, other.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        return _sh.flatten(self, start_dim, end_dim)

    def unflatten(self, dim: int, sizes: Any) -> Tensor:
        return _sh.unflatten(self, dim, sizes)

    def squeeze(self, dim: Any = None) -> Tensor:
        return _sh.squeeze(self, dim)

    def unsqueeze(self, dim: int) -> Tensor:
        return _sh.unsqueeze(self, dim)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        return _sh.transpose(self, dim0, dim1)

    swapaxes = swapdims = transpose

    def t(self) -> Tensor:
        if self.ndim > 2:
            raise RuntimeError(
                f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D"
            )
        return self if self.ndim < 2 else _sh.transpose(self, 0, 1)

    def permute(self, *dims: Any) -> Tensor:
        return _sh.permute(self, _shape_arg(dims))

    def movedim(self, source: Any, destination: Any) -> Tensor:
        return _sh.movedim(self, source, destination)

    @property
    def T(self) -> Tensor:  # noqa: N802
        return _sh.permute(self, tuple(range(self.ndim - 1, -1, -1)))

    @property
    def mT(self) -> Tensor:  # noqa: N802
        if self.ndim < 2:
            raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices")
        return _sh.transpose(self, -2, -1)

    def expand(self, *sizes: Any) -> Tensor:
        return _sh.expand(self, _shape_arg(sizes))

    def expand_as(self, other: Tensor) -> Tensor:
        return _sh.expand(self, other.shape)

    def broadcast_to(self, shape: Any) -> Tensor:
        return _sh.expand(self, tuple(shape))

    def repeat(self, *sizes: Any) -> Tensor:
        return _sh.repeat(self, _shape_arg(sizes))

    def repeat_interleave(self, repeats: int, dim: int | None = None) -> Tensor:
        return _sh.repeat_interleave(self, repeats, dim)

    def tile(self, *dims: Any) -> Tensor:
        dims = _shape_arg(dims)
        dims = (1,) * (self.ndim - len(dims)) + tuple(dims)
        return _sh.repeat(self, dims)

    def flip(self, *dims: Any) -> Tensor:
        return _sh.flip(self, _shape_arg(dims))

    def roll(self, shifts: Any, dims: Any = None) -> Tensor:
        return _sh.roll(self, shifts, dims)

    def split(self, split_size: Any, dim: int = 0) -> tuple:
        return _sh.split(self, split_size, dim)

    def chunk(self, chunks: int, dim: int = 0) -> tuple:
        return _sh.chunk(self, chunks, dim)

    def unbind(self, dim: int = 0) -> tuple:
        return _sh.unbind(self, dim)

    def narrow(self, dim: int, start: int, length: int) -> Tensor:
        return _sh.narrow(self, dim, start, length)

    def select(self, dim: int, index: int) -> Tensor:
        return _sh.select(self, dim, index)

    def take_along_dim(self, indices: Any, dim: Any = None) -> Tensor:
        return _idx.take_along_dim(self, indices, dim)

    def moveaxis(self, source: Any, destination: Any) -> Tensor:
        return _sh.movedim(self, source, destination)

    def tril(self, diagonal: int = 0) -> Tensor:
        return _sh.tril(self, diagonal)

    def triu(self, diagonal: int = 0) -> Tensor:
        return _sh.triu(self, diagonal)

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        return _la.diagonal(self, offset, dim1, dim2)

    # --- indexing (neuronet.ops.indexing) -------------------------------------------------
    def gather(self, dim: int, index: Tensor) -> Tensor:
        return _idx.gather(self, dim, index)

    def scatter(self, dim: int, index: Tensor, src: Any, reduce: str | None = None) -> Tensor:
        return _idx.scatter(self, dim, index, src, reduce)

    def scatter_add(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        return _idx.scatter(self, dim, index, src, "add")

    def scatter_(self, dim: int, index: Tensor, src: Any, reduce: str | None = None) -> Tensor:
        return self._inplace(_idx.scatter, dim, index, src, reduce)

    def scatter_add_(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        return self._inplace(_idx.scatter, dim, index, src, "add")

    def index_select(self, dim: int, index: Tensor) -> Tensor:
        return _idx.index_select(self, dim, index)

    def index_add(self, dim: int, index: Tensor, source: Tensor, alpha: Any = 1) -> Tensor:
        return _idx.index_add(self, dim, index, source if alpha == 1 else source * alpha)

    def index_add_(self, dim: int, index: Tensor, source: Tensor, alpha: Any = 1) -> Tensor:
        return self._inplace(_idx.index_add, dim, index, source if alpha == 1 else source * alpha)

    def index_fill_(self, dim: int, index: Tensor, value: Any) -> Tensor:
        idx = [slice(None)] * self.ndim
        idx[dim] = _array_of(index)
        self[tuple(idx)] = value
        return self

    def masked_fill(self, mask: Any, value: Any) -> Tensor:
        return _idx.masked_fill(self, mask, value)

    def masked_select(self, mask: Any) -> Tensor:
        mask = _array_of(mask)
        shape = np.broadcast_shapes(self._data.shape, mask.shape)
        return self.expand(shape)[np.broadcast_to(mask, shape)]
