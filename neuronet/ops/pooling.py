"""Pooling primitives over (N, C, H, W): max and average pooling, each a pair of linear maps
(pool and its adjoint) so that backward is differentiable again.

Window geometry (PyTorch's), kernel k, stride s, padding p, dilation d, per spatial dim:

    OH = floor((H + 2p - d (k - 1) - 1 + (s - 1 if ceil_mode else 0)) / s) + 1
         and with ceil_mode, OH -= 1 when the last window would start past H + p

Window (i, j) reads xp[i s + a d, j s + b d] for kernel offsets (a, b), xp padded with -inf
(max) or 0 (average), and with extra right/bottom padding when ceil_mode runs past the edge.

    max:  y[i, j] = max_{a,b} xp[i s + a d, j s + b d]  at offset (a*, b*) (the first maximum;
          NaN wins);  dL/dxp[i s + a* d, j s + b* d] += g[i, j];  the adjoint gathers gg back
    avg:  y[i, j] = sum_{a,b} xp[i s + a, j s + b] / D[i, j];  dL/dxp[i s + a, j s + b] +=
          g[i, j] / D[i, j]; D = divisor_override, or the window clipped to the padded input
          (count_include_pad=True), or to the input itself (False)

Every kernel loops over the KH*KW kernel offsets only; each step is one strided whole-array
operation. Windows that tile the input (kernel == stride, the common 2x2/2) are offset views
of a (N, C, OH, KH, OW, KW) reshape: max is a chain of np.maximum, its argmax a one-hot mask
(first maximum; found only when backward or the indices ask), backward one multiply, average
pooling's adjoint one broadcast copy; these run in batch blocks on every BLAS thread.
Channels-last memory (a conv's output) stays channels-last.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..autograd.function import Function
from ._blocks import run_blocks
from .conv import channels_last_copy


def pool_out_size(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """Output length along one dim (PyTorch's pooling_output_shape)."""
    span = size + 2 * p - d * (k - 1) - 1
    out = (span + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


@dataclass(frozen=True)
class PoolGeometry:
    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int]
    ceil_mode: bool
    in_hw: tuple[int, int]

    @property
    def out_hw(self) -> tuple[int, int]:
        return tuple(pool_out_size(self.in_hw[i], self.kernel[i], self.stride[i],  # type: ignore
                                   self.padding[i], self.dilation[i], self.ceil_mode)
                     for i in range(2))

    @property
    def padded_hw(self) -> tuple[int, int]:
        """Room for every window: 2p, plus the ceil_mode overhang at the bottom/right."""
        out = self.out_hw
        need = [(out[i] - 1) * self.stride[i] + self.dilation[i] * (self.kernel[i] - 1) + 1
                for i in range(2)]
        return tuple(max(self.in_hw[i] + 2 * self.padding[i], need[i])  # type: ignore
                     for i in range(2))

    def offsets(self):
        """(index, window slice into the padded input) for each kernel offset (a, b)."""
        (oh, ow), (sh, sw), (dh, dw) = self.out_hw, self.stride, self.dilation
        for a in range(self.kernel[0]):
            for b in range(self.kernel[1]):
                yield a * self.kernel[1] + b, (
                    Ellipsis, slice(a * dh, a * dh + sh * (oh - 1) + 1, sh),
                    slice(b * dw, b * dw + sw * (ow - 1) + 1, sw))

    def interior(self) -> tuple:
        (h, w), (ph, pw) = self.in_hw, self.padding
        return Ellipsis, slice(ph, ph + h), slice(pw, pw + w)


def _channels_last(a: np.ndarray) -> bool:
    """Whether a (N, C, ...) array has channels-last memory (C the fastest axis)."""
    return a.ndim >= 4 and a.shape[1] > 1 and a.strides[1] == a.itemsize


def _like_layout(shape: tuple, ref: np.ndarray, fill: float, dtype: Any = None) -> np.ndarray:
    """A (N, C, H', W') array filled with `fill`, channels-last in memory when ref is."""
    n, c, h, w = shape
    dtype = ref.dtype if dtype is None else dtype
    if _channels_last(ref):
        return np.full((n, h, w, c), fill, dtype).transpose(0, 3, 1, 2)
    return np.full(shape, fill, dtype)


def _same_layout(a: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """a (N, C, H, W), copied to channels-last or channels-first memory as ref has."""
    if _channels_last(a) == _channels_last(ref):
        return a
    return channels_last_copy(a) if _channels_last(ref) else np.ascontiguousarray(a)


def _padded(x: np.ndarray, geo: PoolGeometry, fill: float) -> np.ndarray:
    hp, wp = geo.padded_hw
    if (hp, wp) == x.shape[2:]:
        return x
    xp = _like_layout(x.shape[:2] + (hp, wp), x, fill)
    xp[geo.interior()] = x
    return xp


def _empty_like_layout(shape: tuple, ref: np.ndarray, dtype: Any = None,
                       zero: bool = False) -> np.ndarray:
    """An uninitialised (or zeroed) (N, C, H', W') array, channels-last in memory when ref is."""
    n, c, h, w = shape
    make = np.zeros if zero else np.empty
    dtype = ref.dtype if dtype is None else dtype
    if _channels_last(ref):
        return make((n, h, w, c), dtype).transpose(0, 3, 1, 2)
    return make(shape, dtype)


def _tiling(geo: PoolGeometry) -> bool:
    """Whether the windows tile the input: kernel == stride, no padding or dilation, no
    ceil_mode overhang (rows/columns past the last tile are dropped, as floor mode does)."""
    (kh, kw), (oh, ow), (h, w) = geo.kernel, geo.out_hw, geo.in_hw
    return geo.stride == geo.kernel and geo.padding == (0, 0) and geo.dilation == (1, 1) \
        and oh * kh <= h and ow * kw <= w


def _tiles(x: np.ndarray, geo: PoolGeometry) -> np.ndarray | None:
    """x (N, C, H, W) as (N, C, OH, KH, OW, KW) tiles (a view) when the windows tile it."""
    if not _tiling(geo):
        return None
    (kh, kw), (oh, ow) = geo.kernel, geo.out_hw
    return x[:, :, :oh * kh, :ow * kw].reshape(x.shape[:2] + (oh, kh, ow, kw))


def _tile_views(t: np.ndarray) -> list:
    """The (N, C, OH, OW) view of each kernel offset (a, b) of tiles t, in a-then-b order."""
    return [t[:, :, :, a, :, b] for a in range(t.shape[3]) for b in range(t.shape[5])]


def _tiled_like(shape: tuple, ref: np.ndarray, geo: PoolGeometry, dtype: Any = None) -> tuple:
    """A new (N, C, H, W) array laid out like ref (zeros where no tile reaches), and its tiles."""
    covered = tuple(o * k for o, k in zip(geo.out_hw, geo.kernel))
    out = _empty_like_layout(shape, ref, dtype, zero=covered != tuple(shape[2:]))
    return out, _tiles(out, geo)


def _max_scan(x: np.ndarray, geo: PoolGeometry) -> tuple[np.ndarray, np.ndarray]:
    """Any window geometry: y and the kernel offset of each window's maximum (the first one;
    the last NaN, as PyTorch's CPU kernel), scanning the KH*KW offsets."""
    xp = _padded(x, geo, -np.inf)
    offsets = list(geo.offsets())
    y = np.empty_like(xp[offsets[0][1]])  # laid out like x, as are arg and better
    y[...] = xp[offsets[0][1]]
    # which kernel offset holds the maximum (int16 while the kernel is small)
    arg = np.zeros_like(y, np.int16 if len(offsets) < 2 ** 15 else np.int64)
    better = np.empty_like(y, bool)
    # NOTE: arithmetic, not where= (masked ufuncs cost several times more per element)
    for k, sl in offsets[1:]:
        win = xp[sl]
        np.greater(win, y, out=better)  # a strictly larger value: ties keep the first
        np.maximum(y, win, out=y)
        np.maximum(arg, better * arg.dtype.type(k), out=arg)  # k > every earlier offset
    if np.isnan(y).any():  # a window with NaN: its last NaN is the argmax (PyTorch's rule)
        for k, sl in offsets:
            np.copyto(arg, k, where=np.isnan(xp[sl]))
    return y, arg


def _scan_tiles(v: list, out: np.ndarray, m: list | None) -> None:
    """out <- max over the offset views v of one batch block (NaN propagates, as in PyTorch),
    scanning the offsets in a-then-b order. With marks m (bool views like v): m_k <- the
    offset of the first maximum is k (PyTorch's tie rule): the scan marks where a value beats
    every earlier one (gt_k = v_k > max(v_0..v_k-1), strictly, so a tie keeps the earlier
    offset), and the first maximum is the last offset so marked: m_k = gt_k and no later gt,
    m_0 = no gt at all."""
    if len(v) == 1:
        np.copyto(out, v[0])
        if m is not None:
            m[0].fill(True)
        return
    for k in range(1, len(v)):
        if m is not None:
            np.greater(v[k], v[0] if k == 1 else out, out=m[k])
        np.maximum(v[0] if k == 1 else out, v[k], out=out)
    if m is None:
        return
    later = m[-1]  # whether some later offset beat all before it
    for k in range(len(v) - 2, 0, -1):
        merged = np.logical_or(m[k], later, out=m[0] if k == 1 else None)
        np.greater(m[k], later, out=m[k])  # gt_k and not later
        later = merged
    np.logical_not(later, out=m[0])  # no offset beat the first


def _tile_max(t: np.ndarray, like: np.ndarray, marks: bool = False) -> tuple:
    """Tiles t (N, C, OH, KH, OW, KW) -> (their maxima (N, C, OH, OW) laid out like `like`,
    and with `marks` the bool tiles True at each tile's first maximum (else None)), both
    from one scan per batch block while it is in cache (see _scan_tiles). Batch blocks on
    every BLAS thread (see ops._blocks). The marks are valid only where no tile holds NaN."""
    views = _tile_views(t)
    y = _empty_like_layout(views[0].shape, like)
    mask = _empty_like_layout((t.shape[0], t.shape[1], t.shape[2] * t.shape[3],
                               t.shape[4] * t.shape[5]), y, bool).reshape(t.shape) \
        if marks else None
    mark_views = _tile_views(mask) if marks else None

    def work(s: int, e: int) -> None:
        _scan_tiles([v[s:e] for v in views], y[s:e],
                    None if mark_views is None else [m[s:e] for m in mark_views])

    run_blocks(work, t.shape[0], t[:1].size * t.itemsize)
    return y, mask


class MaxPool2d(Function):
    """y = max over each window (module docstring);  dL/dx = MaxPool2dScatter(g): g sent to
    the argmax of its window (summed where windows overlap)

    Tiling windows (kernel == stride, the common 2x2/2) take the max of the KH*KW offset views
    and, with `route=True` (a gradient will be needed: max_pool2d asks), the argmax as a
    one-hot mask over the tiles in the same pass; otherwise the mask is found when backward
    or the indices need it. Other windows scan the offsets, keeping the argmax's offset."""

    def forward(self, x, *, geo, route=False):
        self.geo, self.x, self.arg, self.mask, self.routed = geo, x, None, None, False
        self.tiles = _tiles(x, geo)
        if self.tiles is None:
            y, self.arg = _max_scan(x, geo)
            return y
        self.y, self.mask = _tile_max(self.tiles, x, marks=route)
        return self.y

    def route(self) -> tuple:
        """(arg, mask): where each window's maximum is: for tiles a one-hot mask (from the
        forward pass, or found now), or when a window holds NaN (whose rule is the last NaN),
        the scan's offsets."""
        if self.arg is None and not self.routed:
            self.routed = True
            if np.isnan(self.y).any():
                self.arg, self.mask = _max_scan(self.x, self.geo)[1], None
            elif self.mask is None:
                self.mask = _tile_max(self.tiles, self.x, marks=True)[1]
        return self.arg, self.mask

    def indices(self) -> np.ndarray:
        """return_indices: the flat position a*W + b of each maximum in its (H, W) plane."""
        geo = self.geo
        (oh, ow), (kw,) = geo.out_hw, geo.kernel[1:]
        arg, mask = self.route()
        if mask is not None:  # (N, C, OH, KH, OW, KW) -> offset a*KW + b of the True
            arg = mask.transpose(0, 1, 2, 4, 3, 5).reshape(mask.shape[:3] + (ow, -1)).argmax(-1)
        a, b = np.divmod(arg.astype(np.int64), kw)
        rows = np.arange(oh).reshape(-1, 1) * geo.stride[0] - geo.padding[0] + a * geo.dilation[0]
        cols = np.arange(ow) * geo.stride[1] - geo.padding[1] + b * geo.dilation[1]
        return np.ascontiguousarray(rows * geo.in_hw[1] + cols)

    def backward(self, g):
        arg, mask = self.route()
        return MaxPool2dScatter.apply(g, geo=self.geo, arg=arg, mask=mask)


class MaxPool2dScatter(Function):
    """dx = g scattered to each window's argmax;  its adjoint (backward) gathers:
    dL/dg[i, j] = gg at the argmax of window (i, j)"""

    uses_input_values = False

    def forward(self, g, *, geo, arg, mask=None):
        self.geo, self.arg, self.mask = geo, arg, mask
        n, c = g.shape[:2]
        # dx is laid out like x (as mask and arg are): the next backward (a ReLU's, a conv's)
        # then meets x's layout, whatever layout g came in (a Flatten's gradient is NCHW);
        # g is copied to that layout first (it is KH*KW times smaller than dx): ufuncs over
        # operands of mixed layouts run an order of magnitude slower
        g = _same_layout(g, mask if mask is not None else arg)
        if mask is not None:  # tiles: dx = mask * g broadcast over each tile, one pass
            dx, tiles = _tiled_like((n, c) + geo.in_hw, mask, geo, g.dtype)
            gb = g[:, :, :, None, :, None]
            if not np.isfinite(g).all():  # 0 * inf would be NaN away from the argmax
                tiles[...] = np.where(mask, gb, np.zeros((), g.dtype))
                return dx

            def work(s: int, e: int) -> None:
                np.multiply(mask[s:e], gb[s:e], out=tiles[s:e])

            run_blocks(work, n, tiles[:1].size * g.itemsize)
            return dx
        dxp = _like_layout((n, c) + geo.padded_hw, arg, 0.0, g.dtype)
        finite = np.isfinite(g).all()  # else 0 * inf would be NaN away from the argmax
        for k, sl in geo.offsets():
            if finite:
                dxp[sl] += g * (arg == k)
            else:
                np.add(dxp[sl], g, out=dxp[sl], where=arg == k)
        return dxp[geo.interior()]

    def backward(self, gg):
        return MaxPool2dGather.apply(gg, geo=self.geo, arg=self.arg, mask=self.mask)


class MaxPool2dGather(Function):
    """y[i, j] = x at the argmax of window (i, j);  dL/dx = MaxPool2dScatter(g)"""

    uses_input_values = False

    def forward(self, x, *, geo, arg, mask=None):
        self.geo, self.arg, self.mask = geo, arg, mask
        if mask is not None:
            return np.where(mask, _tiles(x, geo), np.zeros((), x.dtype)).sum((3, 5))
        xp = _padded(x, geo, 0.0)
        y = np.zeros(arg.shape, x.dtype)
        for k, sl in geo.offsets():
            np.copyto(y, xp[sl], where=arg == k)
        return y

    def backward(self, g):
        return MaxPool2dScatter.apply(g, geo=self.geo, arg=self.arg, mask=self.mask)


def avg_divisor(geo: PoolGeometry, count_include_pad: bool,
                divisor_override: int | None, dtype: np.dtype) -> np.ndarray:
    """D[i, j] (OH, OW): the window size the average divides by (PyTorch's rule)."""
    if divisor_override:
        return np.full(geo.out_hw, divisor_override, dtype)
    counts = []
    for i in range(2):
        size, k, s, p = geo.in_hw[i], geo.kernel[i], geo.stride[i], geo.padding[i]
        start = np.arange(geo.out_hw[i]) * s - p
        end = np.minimum(start + k, size + p)
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, size)
        counts.append(end - start)
    return np.outer(counts[0], counts[1]).astype(dtype)


class AvgPool2d(Function):
    """y = window sum / D;  dL/dx = AvgPool2dAdjoint(g): g / D added over each window"""

    uses_input_values = False

    def forward(self, x, *, geo, divisor):
        self.geo, self.divisor, self.channels_last = geo, divisor, _channels_last(x)
        xp = _padded(x, geo, 0.0)
        offsets = list(geo.offsets())
        y = np.empty_like(xp[offsets[0][1]])
        y[...] = xp[offsets[0][1]]
        for _, sl in offsets[1:]:
            y += xp[sl]
        y /= divisor
        return y

    def backward(self, g):
        return AvgPool2dAdjoint.apply(g, geo=self.geo, divisor=self.divisor,
                                      channels_last=self.channels_last)


class AvgPool2dAdjoint(Function):
    """dx[window (i, j)] += g[i, j] / D[i, j];  dL/dg = AvgPool2d(gg)"""

    uses_input_values = False

    def forward(self, g, *, geo, divisor, channels_last=None):
        self.geo, self.divisor = geo, divisor
        n, c = g.shape[:2]
        if channels_last is not None and channels_last != _channels_last(g):
            # dx in x's memory layout, as for max pooling (see MaxPool2dScatter)
            g = channels_last_copy(g) if channels_last else np.ascontiguousarray(g)
        share = g / divisor
        if _tiling(geo):  # each input element is in one window: a broadcast copy
            dx, tiles = _tiled_like((n, c) + geo.in_hw, g, geo)
            tiles[...] = share[:, :, :, None, :, None]
            return dx
        dxp = _like_layout((n, c) + geo.padded_hw, g, 0.0)
        for _, sl in geo.offsets():
            dxp[sl] += share
        return dxp[geo.interior()]

    def backward(self, gg):
        return AvgPool2d.apply(gg, geo=self.geo, divisor=self.divisor)
