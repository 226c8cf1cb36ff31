"""Resampling primitives for `interpolate` / `Upsample`, over the trailing spatial axes of
(N, C, *spatial) arrays. Both modes are separable: one 1-D map per spatial axis.

Nearest (a gather, PyTorch's source index rule, computed in float32 as PyTorch does):
    'nearest'        src(i) = min(floor(i * scale), in - 1)
    'nearest-exact'  src(i) = min(floor((i + 0.5) * scale), in - 1)
    with scale = 1 / scale_factor when a scale factor is used, else in / out.
    y[..., i, ...] = x[..., src(i), ...]
    dL/dx[..., s, ...] = sum over {i : src(i) = s} of g[..., i, ...]   (a scatter-add)

Linear (per axis a weight matrix A (out, in) with two non-zeros per row):
    align_corners=True:   u(i) = i (in - 1) / (out - 1)   (0 when out = 1)
    align_corners=False:  u(i) = max(scale (i + 0.5) - 0.5, 0)
    i0 = floor(u), i1 = min(i0 + 1, in - 1), l = u - i0
    y[..., i, ...] = (1 - l) x[..., i0, ...] + l x[..., i1, ...],  i.e. y = A x along the axis
    dL/dx = A^T g along the axis: the same primitive with the transposed matrix.
'bilinear' / 'trilinear' apply the 1-D map to each spatial axis in turn.
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function


def nearest_indices(in_size: int, out_size: int, scale: float | None, exact: bool) -> np.ndarray:
    """src(i) for i < out_size (module docstring); `scale` is the user's scale factor or None."""
    if not exact and out_size == in_size:
        return np.arange(out_size)
    if not exact and out_size == 2 * in_size:  # PyTorch's fast path: i >> 1
        return np.arange(out_size) >> 1
    step = np.float32(1.0 / scale) if scale else np.float32(in_size) / np.float32(out_size)
    i = np.arange(out_size, dtype=np.float32)
    src = np.floor(((i + np.float32(0.5)) if exact else i) * step).astype(np.int64)
    return np.minimum(src, in_size - 1)


def linear_weights(in_size: int, out_size: int, scale: float | None, align_corners: bool,
                   dtype: np.dtype) -> np.ndarray:
    """A (out_size, in_size): row i holds 1 - l at i0 and l at i1 (module docstring)."""
    i = np.arange(out_size, dtype=dtype)
    if align_corners:
        step = (in_size - 1) / (out_size - 1) if out_size > 1 else 0.0
        u = i * dtype.type(step)
    else:
        step = 1.0 / scale if scale else in_size / out_size
        u = np.maximum(dtype.type(step) * (i + dtype.type(0.5)) - dtype.type(0.5), 0)
    i0 = np.minimum(np.floor(u).astype(np.int64), in_size - 1)
    i1 = np.minimum(i0 + 1, in_size - 1)
    lam = np.clip(u - i0, 0, 1).astype(dtype)
    a = np.zeros((out_size, in_size), dtype)
    rows = np.arange(out_size)
    np.add.at(a, (rows, i0), 1 - lam)  # add: i0 == i1 at the last row
    np.add.at(a, (rows, i1), lam)
    return a


def _scatter_axis(g: np.ndarray, idx: np.ndarray, size: int, axis: int) -> np.ndarray:
    """out[s] = sum of g[i] over idx[i] = s along `axis`; idx is non-decreasing, so each s
    owns a contiguous run of i and one `add.reduceat` sums every run."""
    shape = list(g.shape)
    shape[axis] = size
    out = np.zeros(shape, g.dtype)
    hit = np.unique(idx)
    starts = np.searchsorted(idx, hit)
    sums = np.add.reduceat(g, starts, axis=axis)
    index = [slice(None)] * g.ndim
    index[axis] = hit
    out[tuple(index)] = sums
    return out


class NearestGather(Function):
    """y = x[..., src_h, src_w] (one gather per spatial axis);  dL/dx = NearestScatter(g)"""

    uses_input_values = False

    def forward(self, x, *, indices):
        self.indices, self.in_sizes = indices, x.shape[2:]
        y = x
        for k, idx in enumerate(indices):
            y = np.take(y, idx, axis=2 + k)
        return y

    def backward(self, g):
        return NearestScatter.apply(g, indices=self.indices, sizes=self.in_sizes)


class NearestScatter(Function):
    """dx[..., s] = sum of g[..., i] with src(i) = s, per axis;  its adjoint gathers:
    dL/dg = NearestGather(gg)"""

    uses_input_values = False

    def forward(self, g, *, indices, sizes):
        self.indices = indices
        out = g
        for k in reversed(range(len(indices))):
            out = _scatter_axis(out, indices[k], sizes[k], 2 + k)
        return out

    def backward(self, gg):
        return NearestGather.apply(gg, indices=self.indices)


class ResampleAxis(Function):
    """y = A x along `axis` (A (out, in), a constant);  dL/dx = A^T g along `axis` (the same
    primitive with the transposed matrix)"""

    uses_input_values = False

    def forward(self, x, *, matrix, axis):
        self.matrix, self.axis = matrix, axis
        moved = np.moveaxis(x, axis, -1)  # (..., in)
        y = moved.reshape(-1, moved.shape[-1]) @ matrix.T  # one GEMM: (rows, in) @ (in, out)
        y = y.reshape(moved.shape[:-1] + (matrix.shape[0],))
        return np.ascontiguousarray(np.moveaxis(y, -1, axis))

    def backward(self, g):
        return ResampleAxis.apply(g, matrix=np.ascontiguousarray(self.matrix.T), axis=self.axis)
