"""Convolution primitives: conv2d, its input gradient (= conv_transpose2d) and its weight
gradient, each a `Function` whose backward is written with the other two, so that any order
of derivative works.

Shapes (channels-first, as PyTorch): x (N, C, H, W), w (O, C/G, KH, KW), b (O,),
y (N, O, OH, OW), with G groups, stride (sh, sw), dilation (dh, dw) and padding
(top, bottom, left, right):

    OH = floor((H + top + bottom - dh (KH - 1) - 1) / sh) + 1      (OW alike)

    y[n, o, i, j] = b[o] + sum_{c, p, q} w[o, c, p, q] xp[n, g C/G + c, i sh + p dh, j sw + q dw]

with xp the zero-padded x and g = o // (O/G). The op is bilinear in (x, w), so

    dL/dx = Dx(g, w):  dxp[n, c, i sh + p dh, j sw + q dw] += sum_o w[o, c, p, q] g[n, o, i, j]
    dL/dw = Dw(x, g):  dw[o, c, p, q] = sum_{n,i,j} g[n, o, i, j] xp[n, c, i sh + p dh, j sw + q dw]
    dL/db = sum_{n, i, j} g[n, o, i, j]

and the adjoints close on the same three maps:  Dx's backward is (conv(gg, w), Dw(gg, g)),
Dw's backward is (Dx(g, gg), conv(x, gg)).  conv_transpose2d is Dx itself.

Implementation (no loop over batch items or output positions): the padded input is written
once in (N, Hp, Wp, C) order, a zero-copy `as_strided` window view (N, OH, OW, KH, KW, C)
becomes the im2col matrix (N*OH*OW, KH*KW*C/G) with one copy, and each of forward, dL/dw and
dL/dx is one BLAS GEMM per group. dL/dx's col2im is a loop over the KH*KW kernel offsets
(each a strided add). Results are channels-first views of channels-last memory (PyTorch's
`channels_last` memory format): the GEMM writes that order, and reading it back costs nothing
in the next conv or in backward.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..autograd.function import Function
from ..tensor import Tensor


@dataclass(frozen=True)
class ConvGeometry:
    """Everything but the tensors: kernel (KH, KW), stride, dilation, padding
    (top, bottom, left, right), groups, and the input's spatial size (H, W)."""

    kernel: tuple[int, int]
    stride: tuple[int, int]
    dilation: tuple[int, int]
    padding: tuple[int, int, int, int]
    groups: int
    in_hw: tuple[int, int]

    @property
    def out_hw(self) -> tuple[int, int]:
        """OH = floor((H + top + bottom - dh (KH - 1) - 1) / sh) + 1, OW alike."""
        (h, w), (kh, kw) = self.in_hw, self.kernel
        t, b, l, r = self.padding
        oh = (h + t + b - self.dilation[0] * (kh - 1) - 1) // self.stride[0] + 1
        ow = (w + l + r - self.dilation[1] * (kw - 1) - 1) // self.stride[1] + 1
        return oh, ow

    @property
    def padded_hw(self) -> tuple[int, int]:
        t, b, l, r = self.padding
        return self.in_hw[0] + t + b, self.in_hw[1] + l + r


# --- array kernels ------------------------------------------------------------------------

def _pad_channels_last(x: np.ndarray, geo: ConvGeometry) -> np.ndarray:
    """x (N, C, H, W), any memory order -> zero-padded (N, Hp, Wp, C), C-contiguous."""
    n, c, h, w = x.shape
    t, _, l, _ = geo.padding
    hp, wp = geo.padded_hw
    xp = np.empty((n, hp, wp, c), x.dtype) if hp == h and wp == w else \
        np.zeros((n, hp, wp, c), x.dtype)
    xp[:, t:t + h, l:l + w, :] = x.transpose(0, 2, 3, 1)
    return xp


def im2col(x: np.ndarray, geo: ConvGeometry) -> np.ndarray:
    """x (N, C, H, W) -> columns (G, N*OH*OW, KH*KW*C/G): row (n, i, j) holds the receptive
    field of output position (i, j) in (p, q, c) order."""
    xp = _pad_channels_last(x, geo)
    n, _, _, c = xp.shape
    g = geo.groups
    (kh, kw), (sh, sw), (dh, dw) = geo.kernel, geo.stride, geo.dilation
    oh, ow = geo.out_hw
    s0, s1, s2, s3 = xp.strides
    # (N, OH, OW, KH, KW, G, C/G): a zero-copy window view
    view = as_strided(xp, (n, oh, ow, kh, kw, g, c // g),
                      (s0, s1 * sh, s2 * sw, s1 * dh, s2 * dw, s3 * (c // g), s3), writeable=False)
    if g == 1:
        return view.reshape(1, n * oh * ow, kh * kw * c)  # the one copy
    return np.ascontiguousarray(view.transpose(5, 0, 1, 2, 3, 4, 6)).reshape(
        g, n * oh * ow, kh * kw * (c // g))


def _weight_matrix(w: np.ndarray, g: int) -> np.ndarray:
    """w (O, C/G, KH, KW) -> (G, O/G, KH*KW*C/G) in the columns' (p, q, c) order."""
    o, cg, kh, kw = w.shape
    return w.reshape(g, o // g, cg, kh, kw).transpose(0, 1, 3, 4, 2).reshape(g, o // g, -1)


def _grad_matrix(gy: np.ndarray, g: int) -> np.ndarray:
    """dL/dy (N, O, OH, OW) -> (G, N*OH*OW, O/G); free when gy is channels-last memory."""
    n, o, oh, ow = gy.shape
    return gy.reshape(n, g, o // g, oh, ow).transpose(1, 0, 3, 4, 2).reshape(g, n * oh * ow, -1)


def _as_output(out: np.ndarray, n: int, oh: int, ow: int) -> np.ndarray:
    """(G, N*OH*OW, O/G) -> (N, O, OH, OW): a view of channels-last memory when G = 1."""
    g, _, og = out.shape
    return out.reshape(g, n, oh, ow, og).transpose(1, 0, 4, 2, 3).reshape(n, g * og, oh, ow)


def conv2d_array(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, geo: ConvGeometry,
                 cols: np.ndarray | None = None) -> np.ndarray:
    """y = conv(x, w) + b on arrays: one GEMM per group on the im2col matrix."""
    if cols is None:
        cols = im2col(x, geo)
    wm = _weight_matrix(w, geo.groups)  # (G, O/G, K)
    if geo.groups == 1:
        out = (cols[0] @ wm[0].T)[None]  # (1, N*OH*OW, O)
    else:
        out = np.matmul(cols, wm.transpose(0, 2, 1))
    if b is not None:
        out += b.reshape(geo.groups, 1, -1)
    return _as_output(out, x.shape[0], *geo.out_hw)


def conv2d_grad_input_array(gy: np.ndarray, w: np.ndarray, geo: ConvGeometry) -> np.ndarray:
    """dL/dx = col2im(dL/dy @ W): one GEMM per group (nine thin per-offset GEMMs measured 5x
    slower in OpenBLAS), then a loop over the KH*KW kernel offsets, each a strided add."""
    n, oh, ow = gy.shape[0], gy.shape[2], gy.shape[3]
    g, cg = geo.groups, w.shape[1]
    (kh, kw), (sh, sw), (dh, dw) = geo.kernel, geo.stride, geo.dilation
    gm = _grad_matrix(gy, g)  # (G, N*OH*OW, O/G)
    wm = _weight_matrix(w, g)  # (G, O/G, KH*KW*C/G)
    dcols = (gm[0] @ wm[0])[None] if g == 1 else np.matmul(gm, wm)  # one GEMM per group
    # offsets first, so that each add below reads whole channels-last rows
    parts = np.ascontiguousarray(
        dcols.reshape(g, n, oh, ow, kh, kw, cg).transpose(4, 5, 0, 1, 2, 3, 6))
    hp, wp = geo.padded_hw
    dxp = np.zeros((n, hp, wp, g, cg), gy.dtype)
    dv = dxp.transpose(3, 0, 1, 2, 4)  # (G, N, Hp, Wp, C/G)
    for p in range(kh):
        for q in range(kw):
            dv[:, :, p * dh:p * dh + sh * (oh - 1) + 1:sh,
               q * dw:q * dw + sw * (ow - 1) + 1:sw] += parts[p, q]
    t, _, l, _ = geo.padding
    h, wd = geo.in_hw
    return dxp[:, t:t + h, l:l + wd].reshape(n, h, wd, g * cg).transpose(0, 3, 1, 2)


def conv2d_grad_weight_array(x: np.ndarray, gy: np.ndarray, geo: ConvGeometry,
                             w_shape: tuple, cols: np.ndarray | None = None) -> np.ndarray:
    """dL/dw = (dL/dy)^T @ columns: one GEMM per group, contracting over N*OH*OW."""
    if cols is None:
        cols = im2col(x, geo)
    g = geo.groups
    gm = _grad_matrix(gy, g)
    dwm = (gm[0].T @ cols[0])[None] if g == 1 else np.matmul(gm.transpose(0, 2, 1), cols)
    o, cg, kh, kw = w_shape
    dw = dwm.reshape(g, o // g, kh, kw, cg).transpose(0, 1, 4, 2, 3).reshape(o, cg, kh, kw)
    return np.ascontiguousarray(dw)


# --- primitives ---------------------------------------------------------------------------

class Conv2d(Function):
    """y = conv2d(x, w) + b  (module docstring);  dL/dx = Dx(g, w),  dL/dw = Dw(x, g),
    dL/db = sum of g over (N, OH, OW)"""

    def forward(self, x, w, b=None, *, geo):
        self.geo = geo
        # the columns are kept for dL/dw (a KH*KW-times copy of x; PyTorch recomputes them)
        self.cols = im2col(x, geo)
        return conv2d_array(x, w, b, geo, self.cols)

    def backward(self, g):
        x, w = self.inputs[0], self.inputs[1]
        need = self.needs_input_grad
        a = g._data
        if not g.requires_grad and self.geo.groups == 1 and a.shape[1] > 1 \
                and a.strides[1] != a.itemsize:
            # one channels-last copy of g serves both GEMMs below (no graph through it)
            g = Tensor._wrap(np.ascontiguousarray(a.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2))
        dx = Conv2dGradInput.apply(g, w, geo=self.geo) if need[0] else None
        dw = Conv2dGradWeight.apply(x, g, geo=self.geo, w_shape=w._data.shape,
                                    cols=self.cols) if need[1] else None
        if len(need) == 2:
            return dx, dw
        return dx, dw, (g.sum((0, 2, 3)) if need[2] else None)


class Conv2dGradInput(Function):
    """dx = Dx(g, w), the transposed convolution;  with gg = dL/d(dx):
    dL/dg = conv2d(gg, w),  dL/dw = Dw(gg, g)"""

    def forward(self, gy, w, *, geo):
        self.geo = geo
        return conv2d_grad_input_array(gy, w, geo)

    def backward(self, gg):
        gy, w = self.inputs
        need = self.needs_input_grad
        d_gy = Conv2d.apply(gg, w, geo=self.geo) if need[0] else None
        d_w = Conv2dGradWeight.apply(gg, gy, geo=self.geo, w_shape=w._data.shape) \
            if need[1] else None
        return d_gy, d_w


class Conv2dGradWeight(Function):
    """dw = Dw(x, g);  with gg = dL/d(dw):  dL/dx = Dx(g, gg),  dL/dg = conv2d(x, gg)"""

    def forward(self, x, gy, *, geo, w_shape, cols=None):
        self.geo = geo
        return conv2d_grad_weight_array(x, gy, geo, w_shape, cols)

    def backward(self, gg):
        x, gy = self.inputs
        need = self.needs_input_grad
        d_x = Conv2dGradInput.apply(gy, gg, geo=self.geo) if need[0] else None
        d_gy = Conv2d.apply(x, gg, geo=self.geo) if need[1] else None
        return d_x, d_gy


# --- unfold / fold (PyTorch's F.unfold / F.fold: im2col / col2im in (C, KH, KW) order) ---

def _window_slices(geo: ConvGeometry):
    """(p, q, slice into the padded plane) for each kernel offset."""
    (kh, kw), (sh, sw), (dh, dw) = geo.kernel, geo.stride, geo.dilation
    oh, ow = geo.out_hw
    for p in range(kh):
        for q in range(kw):
            yield p, q, (Ellipsis, slice(p * dh, p * dh + sh * (oh - 1) + 1, sh),
                         slice(q * dw, q * dw + sw * (ow - 1) + 1, sw))


class Unfold(Function):
    """cols[n, (c, p, q), (i, j)] = xp[n, c, i sh + p dh, j sw + q dw];  dL/dx = Fold(g)"""

    uses_input_values = False

    def forward(self, x, *, geo):
        self.geo = geo
        n, c, h, w = x.shape
        t, _, l, _ = geo.padding
        xp = np.zeros((n, c) + geo.padded_hw, x.dtype)
        xp[:, :, t:t + h, l:l + w] = x
        (kh, kw), (sh, sw), (dh, dw) = geo.kernel, geo.stride, geo.dilation
        oh, ow = geo.out_hw
        s0, s1, s2, s3 = xp.strides
        view = as_strided(xp, (n, c, kh, kw, oh, ow),
                          (s0, s1, s2 * dh, s3 * dw, s2 * sh, s3 * sw), writeable=False)
        return view.reshape(n, c * kh * kw, oh * ow)

    def backward(self, g):
        return Fold.apply(g, geo=self.geo)


class Fold(Function):
    """x[n, c, i sh + p dh, j sw + q dw] += cols[n, (c, p, q), (i, j)] (cropped to the
    output size);  dL/dcols = Unfold(g)"""

    uses_input_values = False

    def forward(self, cols, *, geo):
        self.geo = geo
        n = cols.shape[0]
        (kh, kw), (oh, ow) = geo.kernel, geo.out_hw
        c = cols.shape[1] // (kh * kw)
        blocks = cols.reshape(n, c, kh, kw, oh, ow)
        xp = np.zeros((n, c) + geo.padded_hw, cols.dtype)
        for p, q, sl in _window_slices(geo):
            xp[sl] += blocks[:, :, p, q]
        t, _, l, _ = geo.padding
        h, w = geo.in_hw
        return xp[:, :, t:t + h, l:l + w]

    def backward(self, g):
        return Unfold.apply(g, geo=self.geo)
