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
operation. Channels-last memory (a conv's output) stays channels-last.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..autograd.function import Function


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


def _like_layout(shape: tuple, ref: np.ndarray, fill: float) -> np.ndarray:
    """A (N, C, H', W') array filled with `fill`, channels-last in memory when ref is."""
    n, c, h, w = shape
    if ref.ndim == 4 and ref.shape[1] > 1 and ref.strides[1] == ref.itemsize:
        return np.full((n, h, w, c), fill, ref.dtype).transpose(0, 3, 1, 2)
    return np.full(shape, fill, ref.dtype)


def _padded(x: np.ndarray, geo: PoolGeometry, fill: float) -> np.ndarray:
    hp, wp = geo.padded_hw
    if (hp, wp) == x.shape[2:]:
        return x
    xp = _like_layout(x.shape[:2] + (hp, wp), x, fill)
    xp[geo.interior()] = x
    return xp


class MaxPool2d(Function):
    """y = max over each window (module docstring);  dL/dx = MaxPool2dScatter(g): g sent to
    the argmax of its window (summed where windows overlap)"""

    def forward(self, x, *, geo):
        self.geo = geo
        xp = _padded(x, geo, -np.inf)
        offsets = list(geo.offsets())
        y = np.empty_like(xp[offsets[0][1]])
        y[...] = xp[offsets[0][1]]
        # which kernel offset holds the maximum (int16 while the kernel is small)
        self.arg = np.zeros(y.shape, np.int16 if len(offsets) < 2 ** 15 else np.int64)
        for k, sl in offsets[1:]:
            win = xp[sl]
            better = (win > y) | np.isnan(win)
            np.copyto(y, win, where=better)
            np.copyto(self.arg, k, where=better)
        return y

    def indices(self) -> np.ndarray:
        """return_indices: the flat position a*W + b of each maximum in its (H, W) plane."""
        geo = self.geo
        (oh, ow), (kw,) = geo.out_hw, geo.kernel[1:]
        a, b = np.divmod(self.arg.astype(np.int64), kw)
        rows = np.arange(oh).reshape(-1, 1) * geo.stride[0] - geo.padding[0] + a * geo.dilation[0]
        cols = np.arange(ow) * geo.stride[1] - geo.padding[1] + b * geo.dilation[1]
        return np.ascontiguousarray(rows * geo.in_hw[1] + cols)

    def backward(self, g):
        return MaxPool2dScatter.apply(g, geo=self.geo, arg=self.arg)


class MaxPool2dScatter(Function):
    """dx = g scattered to each window's argmax;  its adjoint (backward) gathers:
    dL/dg[i, j] = gg at the argmax of window (i, j)"""

    uses_input_values = False

    def forward(self, g, *, geo, arg):
        self.geo, self.arg = geo, arg
        n, c = g.shape[:2]
        dxp = _like_layout((n, c) + geo.padded_hw, g, 0.0)
        for k, sl in geo.offsets():
            np.add(dxp[sl], g, out=dxp[sl], where=arg == k)
        return dxp[geo.interior()]

    def backward(self, gg):
        return MaxPool2dGather.apply(gg, geo=self.geo, arg=self.arg)


class MaxPool2dGather(Function):
    """y[i, j] = x at the argmax of window (i, j);  dL/dx = MaxPool2dScatter(g)"""

    uses_input_values = False

    def forward(self, x, *, geo, arg):
        self.geo, self.arg = geo, arg
        xp = _padded(x, geo, 0.0)
        y = np.zeros(arg.shape, x.dtype)
        for k, sl in geo.offsets():
            np.copyto(y, xp[sl], where=arg == k)
        return y

    def backward(self, g):
        return MaxPool2dScatter.apply(g, geo=self.geo, arg=self.arg)


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
        self.geo, self.divisor = geo, divisor
        xp = _padded(x, geo, 0.0)
        offsets = list(geo.offsets())
        y = np.empty_like(xp[offsets[0][1]])
        y[...] = xp[offsets[0][1]]
        for _, sl in offsets[1:]:
            y += xp[sl]
        y /= divisor
        return y

    def backward(self, g):
        return AvgPool2dAdjoint.apply(g, geo=self.geo, divisor=self.divisor)


class AvgPool2dAdjoint(Function):
    """dx[window (i, j)] += g[i, j] / D[i, j];  dL/dg = AvgPool2d(gg)"""

    uses_input_values = False

    def forward(self, g, *, geo, divisor):
        self.geo, self.divisor = geo, divisor
        n, c = g.shape[:2]
        share = g / divisor
        dxp = _like_layout((n, c) + geo.padded_hw, g, 0.0)
        for _, sl in geo.offsets():
            dxp[sl] += share
        return dxp[geo.interior()]

    def backward(self, gg):
        return AvgPool2d.apply(gg, geo=self.geo, divisor=self.divisor)
