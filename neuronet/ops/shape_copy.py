"""Shape ops that copy elements into a new arrangement: repeat, flip, roll, the triangles
(tril, triu) and padding.

    repeat         dL/dx = g reshaped to (r0, s0, r1, s1, ...) and summed over the r axes
    flip / roll    dL/dx = flip / roll back
    tril / triu    dL/dx = tril / triu of g
    pad (constant) dL/dx = the interior slice of g; other modes gather by index
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._util import norm_dim, norm_dims
from .shape_views import expand, flatten, reshape, unsqueeze


class Repeat(Function):
    """y = x tiled `reps` times per dim;  dL/dx = sum of g over the copies"""

    uses_input_values = False

    def forward(self, x, reps):
        self.reps, self.in_shape = reps, (1,) * (len(reps) - x.ndim) + x.shape
        return np.tile(x, reps)

    def backward(self, g):
        split = []
        for r, s in zip(self.reps, self.in_shape):
            split += [r, s]
        gs = reshape(g, tuple(split))
        from .reductions import sum as _sum

        out = _sum(gs, tuple(range(0, len(split), 2)))
        return out


class Flip(Function):
    """y = x reversed along dims;  dL/dx = flip(g, dims)"""

    uses_input_values = False

    def forward(self, x, dims):
        self.dims = dims
        return np.flip(x, dims).copy()

    def backward(self, g):
        return Flip.apply(g, dims=self.dims)


class Roll(Function):
    """y = x rolled by shifts along dims;  dL/dx = roll(g, -shifts, dims)"""

    uses_input_values = False

    def forward(self, x, shifts, dims):
        self.shifts, self.dims = shifts, dims
        return np.roll(x, shifts, dims)

    def backward(self, g):
        neg = tuple(-s for s in self.shifts) if isinstance(self.shifts, tuple) else -self.shifts
        return Roll.apply(g, shifts=neg, dims=self.dims)


class Tri(Function):
    """y = tril(x, k) or triu(x, k);  dL/dx = the same triangle of g"""

    uses_input_values = False

    def forward(self, x, k, lower):
        self.k, self.lower = k, lower
        return np.tril(x, k) if lower else np.triu(x, k)

    def backward(self, g):
        return Tri.apply(g, k=self.k, lower=self.lower)


class PadConstant(Function):
    """y = x surrounded by `value`;  dL/dx = g[interior]"""

    uses_input_values = False

    def forward(self, x, widths, value):
        self.interior = tuple(slice(lo, lo + n) for (lo, _hi), n in zip(widths, x.shape))
        return np.pad(x, widths, mode="constant", constant_values=value)

    def backward(self, g):
        return g[self.interior]


# --- functions --------------------------------------------------------------------------
def repeat(x: Tensor, reps: Sequence[int]) -> Tensor:
    reps = tuple(int(r) for r in reps)
    if len(reps) < x._data.ndim:
        raise RuntimeError(
            f"repeat: number of dimensions of repeat dims ({len(reps)}) can not be smaller than "
            f"number of dimensions of tensor ({x._data.ndim}, shape {tuple(x._data.shape)})"
        )
    if any(r < 0 for r in reps):
        raise RuntimeError(f"repeat: repeats must be non-negative, got {reps}")
    return Repeat.apply(x, reps=reps)


def repeat_interleave(x: Tensor, repeats: Any, dim: int | None = None) -> Tensor:
    """Repeat each element `repeats` times along `dim` (the flattened input when None);
    `repeats` is an int or a 1-D integer tensor with one count per element."""
    if dim is None:
        x, dim = flatten(x), 0
    d = norm_dim(dim, x._data.ndim, "repeat_interleave")
    shape = x._data.shape
    counts = repeats._data if isinstance(repeats, Tensor) else np.asarray(repeats)
    if counts.dtype.kind not in "iu" or (counts.size and counts.min() < 0):
        raise RuntimeError(
            f"repeat_interleave: repeats must be non-negative integers, got {counts.tolist()}"
        )
    if counts.ndim:
        if counts.shape not in ((1,), (shape[d],)):
            raise RuntimeError(
                f"repeat_interleave: repeats must have the same size as input along dim {d} "
                f"(input shape {tuple(shape)}, repeats shape {counts.shape})"
            )
        from .indexing import index_select

        index = np.repeat(np.arange(shape[d]), np.broadcast_to(counts, (shape[d],)))
        return index_select(x, d, Tensor._wrap(index))
    repeats = int(counts)
    y = expand(unsqueeze(x, d + 1), shape[:d + 1] + (repeats,) + shape[d + 1:])
    return reshape(y, shape[:d] + (shape[d] * repeats,) + shape[d + 1:])


def flip(x: Tensor, dims: Sequence[int]) -> Tensor:
    return Flip.apply(x, dims=tuple(norm_dims(dims, x._data.ndim, "flip") or ()))


def roll(x: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    if dims is None:
        flat = flatten(x)
        return reshape(Roll.apply(flat, shifts=shifts, dims=0), x._data.shape)
    many = isinstance(shifts, (list, tuple)) or isinstance(dims, (list, tuple))
    shifts_t = tuple(shifts) if isinstance(shifts, (list, tuple)) else (shifts,)
    dims_t = tuple(dims) if isinstance(dims, (list, tuple)) else (dims,)
    if len(shifts_t) != len(dims_t):
        raise RuntimeError(
            f"roll: shifts and dimensions must align. shifts: {len(shifts_t)}, "
            f"dims: {len(dims_t)}"
        )
    nd = max(x._data.ndim, 1)
    dims_t = tuple(norm_dim(d, nd, "roll") for d in dims_t)
    if not many:
        return Roll.apply(x, shifts=int(shifts_t[0]), dims=dims_t[0])
    return Roll.apply(x, shifts=tuple(int(s) for s in shifts_t), dims=dims_t)


def tril(x: Tensor, diagonal: int = 0) -> Tensor:
    _check_matrix(x, "tril")
    return Tri.apply(x, k=diagonal, lower=True)


def triu(x: Tensor, diagonal: int = 0) -> Tensor:
    _check_matrix(x, "triu")
    return Tri.apply(x, k=diagonal, lower=False)


def _check_matrix(x: Tensor, op: str) -> None:
    if x._data.ndim < 2:
        raise RuntimeError(f"{op}: input tensor must have at least 2 dimensions, got {x.ndim}")


_PAD_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def pad(x: Tensor, pad: Sequence[int], mode: str = "constant",
        value: float | None = None) -> Tensor:
    """Pad the last len(pad)//2 dims; `pad` lists (left, right) pairs from the last dim back,
    as PyTorch's F.pad. Negative widths crop."""
    pad = list(pad)
    if len(pad) % 2 or len(pad) // 2 > x._data.ndim:
        raise ValueError(
            f"pad: padding length must be even and at most 2 * input.dim() = {2 * x.ndim}, "
            f"got {len(pad)}"
        )
    widths = [(0, 0)] * x._data.ndim
    for i in range(len(pad) // 2):
        widths[x._data.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    # negative widths crop first
    if any(lo < 0 or hi < 0 for lo, hi in widths):
        crop = tuple(slice(-min(lo, 0), s + min(hi, 0) if hi < 0 else None)
                     for (lo, hi), s in zip(widths, x._data.shape))
        x = x[crop]
        widths = [(max(lo, 0), max(hi, 0)) for lo, hi in widths]
    if mode == "constant":
        return PadConstant.apply(x, widths=tuple(widths), value=0.0 if value is None else value)
    if mode not in _PAD_MODES:
        raise ValueError(f"pad: mode must be one of constant, reflect, replicate, circular; "
                         f"got {mode!r}")
    from .indexing import index_select

    for axis, (lo, hi) in enumerate(widths):
        if lo or hi:
            n = x._data.shape[axis]
            if mode == "reflect" and (lo >= n or hi >= n):
                raise ValueError(
                    f"pad: padding size ({lo}, {hi}) should be less than the corresponding "
                    f"input dimension {n} for mode='reflect'"
                )
            idx = np.pad(np.arange(n), (lo, hi), mode=_PAD_MODES[mode])
            x = index_select(x, axis, Tensor._wrap(idx))
    return x
