"""Indexing: read elements by index, and write them back for the gradient.

    y = x[index]             dL/dx = zeros with g added at index (repeated indices add up)
    y = index_add_into(z, index, v) = z + v placed at index;  dL/dv = g[index]
    y = index_put(x, index, v)   (x[index] = v): dL/dx = g with zeros at index, dL/dv = g[index]
    gather / index_select / take_along_dim are x[full index]; scatter is index_put.
The two primitives GetItem and IndexAddInto are each other's backward, so indexing can be
differentiated any number of times.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, as_tensor_arg
from ._util import norm_dim, operands


def _is_advanced(index: Any) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return any(isinstance(i, (np.ndarray, list)) for i in items)


def _has_int_array(index: Any) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    for i in items:
        if isinstance(i, list):
            return True
        if isinstance(i, np.ndarray) and i.dtype != np.bool_:
            return True
    return False


class GetItem(Function):
    """y = x[index];  dL/dx = index_add_into(zeros_like(x), index, g)"""

    uses_input_values = False

    def forward(self, x, index):
        self.index, self.in_shape = index, x.shape
        out = x[index]
        # NumPy returns views for basic indexing; copy only for 0-d scalars
        return out if isinstance(out, np.ndarray) else np.asarray(out)

    def backward(self, g):
        zeros = Tensor._wrap(np.zeros(self.in_shape, dtype=g._data.dtype))
        return IndexAddInto.apply(zeros, g, index=self.index)


class IndexAddInto(Function):
    """y = z with v added at index (np.add.at when integer arrays may repeat);
    dL/dz = g,  dL/dv = g[index]"""

    uses_input_values = False

    def forward(self, z, v, index):
        self.index = index
        out = z.copy()
        if _has_int_array(index):
            np.add.at(out, index, v)
        else:
            out[index] += v
        return out

    def backward(self, g):
        dz = g if self.needs_input_grad[0] else None
        dv = GetItem.apply(g, index=self.index) if self.needs_input_grad[1] else None
        return dz, dv


class IndexPut(Function):
    """y = x with y[index] = v;  dL/dx = g with zeros at index,  dL/dv = g[index]"""

    uses_input_values = False

    def forward(self, x, v, index):
        self.index = index
        out = x.copy()
        out[index] = v
        return out

    def backward(self, g):
        dx = dv = None
        if self.needs_input_grad[0]:
            zero = Tensor._wrap(np.zeros((), dtype=g._data.dtype))
            dx = IndexPut.apply(g, zero, index=self.index)
        if self.needs_input_grad[1]:
            dv = GetItem.apply(g, index=self.index)
        return dx, dv


def _check_index(x: Tensor, index: Any) -> Any:
    items = index if isinstance(index, tuple) else (index,)
    for i in items:
        if isinstance(i, np.ndarray) and i.dtype.kind == "f":
            raise IndexError(
                "tensors used as indices must be long, int, byte or bool tensors; got "
                f"{i.dtype}"
            )
    return index


def getitem(x: Tensor, index: Any) -> Tensor:
    index = _check_index(x, index)
    try:
        return GetItem.apply(x, index=index)
    except IndexError as e:
        items = index if isinstance(index, tuple) else (index,)
        what = "boolean mask" if any(isinstance(i, np.ndarray) and i.dtype == np.bool_
                                     for i in items) else "index"
        raise IndexError(f"getitem: {what} {_describe(index)} is invalid for a tensor of shape "
                         f"{tuple(x._data.shape)}: {e}") from None


def _describe(index: Any) -> str:
    if isinstance(index, np.ndarray):
        return f"array(shape={index.shape}, dtype={index.dtype})"
    if isinstance(index, tuple):
        return "(" + ", ".join(_describe(i) for i in index) + ")"
    return repr(index)


def index_put(x: Tensor, index: Any, value: Any) -> Tensor:
    """x with x[index] = value (the functional form of __setitem__)."""
    index = _check_index(x, index)
    v = value if isinstance(value, Tensor) else as_tensor_arg(value, x._data)
    if v._data.dtype != x._data.dtype:
        v = v.to(x._data.dtype)
    try:
        return IndexPut.apply(x, v, index=index)
    except ValueError:
        target = np.empty(x._data.shape, np.bool_)[index].shape
        raise RuntimeError(
            f"index_put (x[index] = value): value of shape {tuple(v._data.shape)} cannot be "
            f"broadcast to x[{_describe(index)}] of shape {target} (x has shape "
            f"{tuple(x._data.shape)})"
        ) from None
    except IndexError as e:
        raise IndexError(f"index_put (x[index] = value): index {_describe(index)} is invalid "
                         f"for a tensor of shape {tuple(x._data.shape)}: {e}") from None


def _full_index(index: np.ndarray, dim: int, ndim: int) -> tuple:
    """An index tuple selecting x[i0, .., index[i0.., id, ..], ..] (gather's addressing)."""
    grids = list(np.ogrid[tuple(slice(0, s) for s in index.shape)]) if index.ndim else []
    grids[dim] = index
    return tuple(grids)


def _index_array(index: Any, op: str) -> np.ndarray:
    arr = index._data if isinstance(index, Tensor) else np.asarray(index)
    if arr.dtype.kind not in "iu":
        raise RuntimeError(f"{op}(): Expected dtype int64 for index, got {arr.dtype}")
    return arr


def _check_bounds(idx: np.ndarray, x: Tensor, d: int, op: str) -> None:
    n = x._data.shape[d] if x._data.ndim else 1
    if idx.size and (idx.max() >= n or idx.min() < -n):
        bad = int(idx.max()) if idx.max() >= n else int(idx.min())
        raise IndexError(
            f"{op}: index {bad} is out of bounds for dimension {d} with size {n} (input shape "
            f"{tuple(x._data.shape)})"
        )


def gather(x: Tensor, dim: int, index: Any) -> Tensor:
    """out[i][j][k] = x[i][index[i][j][k]][k] for dim=1 (and likewise for other dims)."""
    idx = _index_array(index, "gather")
    d = norm_dim(dim, x._data.ndim, "gather")
    if x._data.ndim == 0:  # 0-d input: the index is 0-d too and must be 0 or -1
        _check_bounds(idx, x, 0, "gather")
        return GetItem.apply(x.reshape(1), index=(idx.reshape(()),))
    _check_dim_index(x, idx, d, "gather")
    return GetItem.apply(x, index=_full_index(idx, d, x._data.ndim))


def _check_dim_index(x: Tensor, idx: np.ndarray, d: int, op: str) -> None:
    """gather/scatter addressing: index has x's rank, fits inside x off `d`, values in range."""
    if idx.ndim != x._data.ndim:
        raise RuntimeError(
            f"{op}: index tensor must have the same number of dimensions as input tensor "
            f"(input shape {tuple(x._data.shape)}, index shape {idx.shape})"
        )
    for i, (a, b) in enumerate(zip(idx.shape, x._data.shape)):
        if i != d and a > b:
            raise RuntimeError(
                f"{op}: size of index {idx.shape} does not match input shape "
                f"{tuple(x._data.shape)} at dimension {i} (index size must be <= input size)"
            )
    n = x._data.shape[d] if x._data.ndim else 1
    if idx.size and (idx.max() >= n or idx.min() < -n):
        bad = int(idx.max()) if idx.max() >= n else int(idx.min())
        raise RuntimeError(f"{op}: index {bad} is out of bounds for dimension {d} with size {n}")


def scatter(x: Tensor, dim: int, index: Any, src: Any, reduce: str | None = None) -> Tensor:
    """out = x with out[i][index[i][j]] = src[i][j] (dim=1); reduce='add' adds instead."""
    idx = _index_array(index, "scatter")
    d = norm_dim(dim, x._data.ndim, "scatter")
    _check_dim_index(x, idx, d, "scatter")
    full = _full_index(idx, d, x._data.ndim)
    if isinstance(src, Tensor):
        if src._data.dtype != x._data.dtype:
            raise RuntimeError(
                f"scatter(): Expected self.dtype to be equal to src.dtype, got {x.dtype} and "
                f"{src.dtype}"
            )
        if src._data.ndim != idx.ndim or any(a > b for a, b in zip(idx.shape, src._data.shape)):
            raise RuntimeError(
                f"scatter(): Expected index {idx.shape} to be smaller than src "
                f"{tuple(src._data.shape)} in every dimension"
            )
        src = src[tuple(slice(0, s) for s in idx.shape)]
    if reduce in ("add", "sum"):
        v = src if isinstance(src, Tensor) else as_tensor_arg(src, x._data)
        v, _ = operands(v, x)
        v = v.expand(idx.shape) if v.shape != idx.shape else v
        return IndexAddInto.apply(x, v, index=full)
    if reduce is not None:
        raise ValueError(f"scatter: reduce must be None or 'add', got {reduce!r}")
    return index_put(x, full, src)


def index_select(x: Tensor, dim: int, index: Any) -> Tensor:
    idx = _index_array(index, "index_select")
    if idx.ndim > 1:
        raise IndexError(f"index_select(): Index is supposed to be a vector, got index of "
                         f"shape {idx.shape}")
    d = norm_dim(dim, x._data.ndim, "index_select")
    _check_bounds(idx, x, d, "index_select")
    return GetItem.apply(x, index=(slice(None),) * d + (idx.reshape(-1),))


def index_add(x: Tensor, dim: int, index: Any, source: Tensor) -> Tensor:
    idx = _index_array(index, "index_add")
    d = norm_dim(dim, x._data.ndim, "index_add")
    if idx.ndim > 1:
        raise IndexError(f"index_add(): Index is supposed to be a vector, got shape {idx.shape}")
    _check_bounds(idx, x, d, "index_add")
    source, _ = operands(source, x)
    want = x._data.shape[:d] + (idx.size,) + x._data.shape[d + 1:]
    if source._data.shape != want:
        raise RuntimeError(
            f"index_add(): source of shape {tuple(source._data.shape)} does not match input of "
            f"shape {tuple(x._data.shape)} with {idx.size} indices along dim {d}: expected "
            f"source shape {want}"
        )
    return IndexAddInto.apply(x, source, index=(slice(None),) * d + (idx,))


def masked_fill(x: Tensor, mask: Any, value: Any) -> Tensor:
    from .elementwise import where

    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(
            f"masked_fill only supports boolean masks, but got mask with dtype {m.dtype}"
        )
    v = value if isinstance(value, Tensor) else as_tensor_arg(value, x._data)
    if v._data.ndim:
        raise RuntimeError(
            f"masked_fill only supports a 0-dimensional value tensor, but got tensor with "
            f"{v._data.ndim} dimension(s)."
        )
    try:
        fits = np.broadcast_shapes(m.shape, x._data.shape) == x._data.shape
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(
            f"masked_fill: mask of shape {m.shape} cannot be broadcast to the input's shape "
            f"{tuple(x._data.shape)}"
        )
    return where(m, v.to(x._data.dtype), x)


def take_along_dim(x: Tensor, indices: Any, dim: int | None = None) -> Tensor:
    """out = gather(x, dim, indices) after broadcasting the dims other than `dim`
    (x and indices flattened when dim is None)."""
    idx = _index_array(indices, "take_along_dim")
    if dim is None:
        return gather(x.reshape(-1), 0, idx.reshape(-1))
    d = norm_dim(dim, x._data.ndim, "take_along_dim")
    if idx.ndim != x._data.ndim:
        raise RuntimeError(
            f"take_along_dim: input and indices should have the same number of dimensions, "
            f"but got input shape {tuple(x._data.shape)} and indices shape {idx.shape}"
        )
    shape = np.broadcast_shapes(
        tuple(s if i != d else 1 for i, s in enumerate(x._data.shape)),
        tuple(s if i != d else 1 for i, s in enumerate(idx.shape)),
    )
    x = x.expand(tuple(s if i != d else x._data.shape[d] for i, s in enumerate(shape)))
    idx = np.broadcast_to(idx, tuple(s if i != d else idx.shape[d] for i, s in enumerate(shape)))
    return gather(x, d, idx)


def sort(x: Tensor, dim: int = -1, descending: bool = False) -> Any:
    from .reductions import values_indices

    d = norm_dim(dim, x._data.ndim, "sort") if x._data.ndim else 0
    if x._data.ndim == 0:
        return values_indices(x, Tensor._wrap(np.zeros((), np.int64)))
    if descending:
        # stable descending for every dtype (bool, unsigned, NaN first as in PyTorch): sort
        # the reversed array ascending, reverse the order, and map indices back
        n = x._data.shape[d]
        idx = n - 1 - np.flip(np.argsort(np.flip(x._data, d), axis=d, kind="stable"), d)
    else:
        idx = np.argsort(x._data, axis=d, kind="stable")
    return values_indices(gather(x, d, idx), Tensor._wrap(idx.astype(np.int64)))


def topk(x: Tensor, k: int, dim: int = -1, largest: bool = True) -> Any:
    from .reductions import values_indices

    d = norm_dim(dim, x._data.ndim, "topk")
    if not 0 <= k <= x._data.shape[d]:
        raise RuntimeError(f"topk: k ({k}) is out of range for dimension {d} of size "
                           f"{x._data.shape[d]}")
    values, idx = sort(x, d, descending=largest)
    sl = (slice(None),) * d + (slice(0, k),)
    return values_indices(values[sl], idx[sl])
