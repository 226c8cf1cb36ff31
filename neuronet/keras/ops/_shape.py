"""Shape and indexing ops of `keras.ops.numpy`: views and gathers whose gradients send each
output element's gradient back to the input element it came from (summed where an element is
used more than once, as in `take` with repeated indices or `tile`).

    take(x, i, axis)             y = x[..., i, ...] with i's shape in place of axis
    take_along_axis(x, i, axis)  y[..., j, ...] = x[..., i[..., j, ...], ...]
    pad(x, widths, mode)         'constant' (zeros or constant_values), 'reflect'
                                 (mirror without the edge), 'symmetric' (mirror with the
                                 edge), 'edge' (repeat the edge), 'wrap' (periodic)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import functions as _fn
from ...ops import indexing as _idx
from ...ops import shape as _sh
from ...ops.elementwise import where as _where
from ...tensor import Tensor
from ._convert import binary, convert, convert_all, shape_tuple


def reshape(x: Any, newshape: Any) -> Tensor:
    """x with shape `newshape` (one entry may be -1)."""
    return _sh.reshape(convert(x), shape_tuple(newshape))


def transpose(x: Any, axes: Any = None) -> Tensor:
    """x with its axes permuted to `axes` (reversed when None)."""
    x = convert(x)
    return _sh.permute(x, tuple(range(x.ndim - 1, -1, -1)) if axes is None else tuple(axes))


def expand_dims(x: Any, axis: Any) -> Tensor:
    """x with new size-1 axes at the positions `axis` (an int or a tuple) of the result."""
    x = convert(x)
    axis = (axis,) if isinstance(axis, int | np.integer) else tuple(axis)
    out_ndim = x.ndim + len(axis)
    for a in sorted(int(a) % out_ndim for a in axis):
        x = _sh.unsqueeze(x, a)
    return x


def squeeze(x: Any, axis: Any = None) -> Tensor:
    """x without its size-1 axes (only those in `axis` when given)."""
    return _sh.squeeze(convert(x), axis)


def ravel(x: Any) -> Tensor:
    """x flattened to 1-D."""
    return _sh.reshape(convert(x), (-1,))


def broadcast_to(x: Any, shape: Any) -> Tensor:
    """x broadcast to `shape` (a view; the gradient sums over the broadcast axes)."""
    return _sh.expand(convert(x), shape_tuple(shape))


def moveaxis(x: Any, source: Any, destination: Any) -> Tensor:
    """x with axes `source` moved to `destination`, the others keeping their order."""
    return _sh.movedim(convert(x), source, destination)


def swapaxes(x: Any, axis1: int, axis2: int) -> Tensor:
    """x with two axes exchanged."""
    return _sh.transpose(convert(x), axis1, axis2)


def concatenate(xs: Any, axis: int = 0) -> Tensor:
    """The tensors `xs` joined along an existing axis (dtypes promoted)."""
    return _sh.cat(convert_all(xs), axis)


def stack(x: Any, axis: int = 0) -> Tensor:
    """The tensors in `x` (of one shape) joined along a new axis."""
    return _sh.stack(convert_all(x), axis)


def split(x: Any, indices_or_sections: Any, axis: int = 0) -> list[Tensor]:
    """x cut along `axis` into equal sections (an int) or at the listed indices."""
    x = convert(x)
    n = x.shape[axis]
    if isinstance(indices_or_sections, int | np.integer):
        if n % indices_or_sections:
            raise ValueError(f"split: x.shape[{axis}]={n} is not divisible by "
                             f"indices_or_sections={indices_or_sections}; full shape "
                             f"{tuple(x.shape)}")
        sizes = [n // int(indices_or_sections)] * int(indices_or_sections)
    else:
        cuts = [0] + [int(i) for i in np.asarray(indices_or_sections).tolist()] + [n]
        sizes = [max(b - a, 0) for a, b in zip(cuts[:-1], cuts[1:])]
    return list(_sh.split(x, sizes, axis))


def tile(x: Any, repeats: Any) -> Tensor:
    """x repeated `repeats` times along each axis (NumPy's tile)."""
    x = convert(x)
    reps = shape_tuple(repeats)
    if len(reps) < x.ndim:
        reps = (1,) * (x.ndim - len(reps)) + reps
    elif len(reps) > x.ndim:
        x = x.reshape((1,) * (len(reps) - x.ndim) + tuple(x.shape))
    return _sh.repeat(x, reps)


def repeat(x: Any, repeats: Any, axis: int | None = None) -> Tensor:
    """Each element repeated `repeats` times along `axis` (of the flattened x when None)."""
    x = convert(x)
    counts = repeats._data if isinstance(repeats, Tensor) else np.asarray(repeats)
    return _sh.repeat_interleave(x, counts.astype(np.int64), axis)


def _index(indices: Any, size: int) -> np.ndarray:
    idx = convert(indices)._data.astype(np.int64)
    return np.where(idx < 0, idx + size, idx)


def take(x: Any, indices: Any, axis: int | None = None) -> Tensor:
    """Elements of x at `indices` along `axis` (of the flattened x when None)."""
    x = convert(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    axis = int(axis) % x.ndim
    idx = _index(indices, x.shape[axis])
    return _idx.getitem(x, (slice(None),) * axis + (idx,))


def take_along_axis(x: Any, indices: Any, axis: int | None = None) -> Tensor:
    """x[..., indices[..., j, ...], ...] along `axis` (broadcasting the other axes)."""
    x = convert(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
        idx = _index(indices, x.shape[0]).reshape(-1)
    else:
        idx = _index(indices, x.shape[axis])
    return _idx.take_along_dim(x, Tensor._wrap(idx), axis)


def flip(x: Any, axis: Any = None) -> Tensor:
    """x reversed along `axis` (all axes when None)."""
    x = convert(x)
    dims = tuple(range(x.ndim)) if axis is None else (
        (axis,) if isinstance(axis, int | np.integer) else tuple(axis))
    return _sh.flip(x, dims)


def roll(x: Any, shift: Any, axis: Any = None) -> Tensor:
    """x shifted cyclically by `shift` along `axis` (the flattened x when None)."""
    return _sh.roll(convert(x), shift, axis)


def pad(x: Any, pad_width: Any, mode: str = "constant", constant_values: Any = None) -> Tensor:
    """x padded by pad_width ((before, after) per axis, or one pair / int for all axes)."""
    x = convert(x)
    if constant_values is not None and mode != "constant":
        raise ValueError(f"pad: constant_values can only be given with mode='constant', "
                         f"received mode={mode!r}")
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (x.ndim, 2))
    if mode == "constant":
        flat = [int(w) for pair in widths[::-1] for w in pair]
        return _sh.pad(x, flat, "constant", 0 if constant_values is None else constant_values)
    if mode not in ("reflect", "symmetric", "edge", "wrap"):
        raise ValueError(f"pad: mode must be one of 'constant', 'reflect', 'symmetric', 'edge', "
                         f"'wrap'; received mode={mode!r}")
    for axis, (lo, hi) in enumerate(widths.tolist()):
        if lo or hi:
            index = np.pad(np.arange(x.shape[axis]), (lo, hi), mode=mode)
            x = _idx.index_select(x, axis, Tensor._wrap(index))
    return x


def where(condition: Any, x1: Any = None, x2: Any = None) -> Tensor:
    """x1 where condition holds, else x2; with neither, the (ndim, n) indices of the true
    elements (int64)."""
    cond = convert(condition)._data.astype(bool)
    if x1 is None and x2 is None:
        return Tensor._wrap(np.stack(np.nonzero(cond)).astype(np.int64))
    if x1 is None or x2 is None:
        raise ValueError("where: give both x1 and x2, or neither")
    a, b = binary(x1, x2)
    return _where(cond, a, b)


def nonzero(x: Any) -> Tensor:
    """The (ndim, n) indices of the non-zero elements, as int32."""
    found = np.nonzero(convert(x)._data)
    return Tensor._wrap(np.stack(found).astype(np.int32).reshape(len(found), -1))


def tril(x: Any, k: int = 0) -> Tensor:
    """x with the elements above the k-th diagonal zeroed (last two axes)."""
    return _sh.tril(convert(x), k)


def triu(x: Any, k: int = 0) -> Tensor:
    """x with the elements below the k-th diagonal zeroed (last two axes)."""
    return _sh.triu(convert(x), k)


def diag(x: Any, k: int = 0) -> Tensor:
    """The k-th diagonal of a matrix, or a matrix with a vector on its k-th diagonal."""
    return _fn.diag(convert(x), k)


def unique(x: Any, sorted: bool = True, return_index: bool = False,  # noqa: A002
           return_inverse: bool = False, return_counts: bool = False, axis: int | None = None,
           size: int | None = None, fill_value: Any = None) -> Any:
    """The distinct values of x, sorted (with first indices, the inverse map and counts on
    request; `size` pads with fill_value or truncates). Not differentiable."""
    arr = convert(x)._data
    values, index, inverse, counts = np.unique(arr, True, True, True, axis=axis)
    if axis is None:
        inverse = inverse.reshape(arr.shape)
    if size is not None:
        dim = 0 if axis is None else axis
        n = values.shape[dim]
        if n >= size:
            keep = (slice(None),) * dim + (slice(0, size),)
            values, index, counts = values[keep], index[:size], counts[:size]
        else:
            widths = [(0, 0)] * values.ndim
            widths[dim] = (0, size - n)
            values = np.pad(values, widths, constant_values=fill_value or 0)
            index = np.pad(index, (0, size - n), constant_values=1)
            counts = np.pad(counts, (0, size - n))
    out = [Tensor._wrap(np.ascontiguousarray(values))]
    extras = ((return_index, index), (return_inverse, inverse), (return_counts, counts))
    out += [Tensor._wrap(a.astype(np.int64)) for wanted, a in extras if wanted]
    return out[0] if len(out) == 1 else tuple(out)
