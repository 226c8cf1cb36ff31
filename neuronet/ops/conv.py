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

Implementation (no loop over batch items or output positions): the batch is cut into blocks
of about WORKSPACE_BYTES of column matrix (a cache's worth). Per block, the input is written
once, zero-padded, in (n, Hp, Wp, C) order; a zero-copy `as_strided` window view
(n, OH, OW, KH, KW, C) becomes the im2col block (n*OH*OW, KH*KW*C/G) with one copy; one BLAS
GEMM per group writes the block's output rows in place (`out=`). With T BLAS threads, T
threads take blocks while BLAS runs single-threaded, so the copies run in parallel too
(`ops._blocks.run_blocks`). dL/dw rebuilds each block's columns (in cache; nothing KH*KW
times x is kept) and sums columns^T @ g over blocks. dL/dx at stride 1 is the transposed
convolution done the same way: the output gradient on a zero canvas, correlated with the
flipped kernel (one GEMM, no scatter-add); strided, it is dcols = g @ W and a loop over the
KH*KW kernel offsets (col2im). Results are channels-first views of channels-last memory
(PyTorch's `channels_last` memory format): the GEMM writes that order, and reading it back
costs nothing in the next conv or in backward.

Measured (`python -m benchmarks conv`: N=128, C=32 -> 64, 14x14, 3x3, padding 1, float32, 2
idle cores, OpenBLAS SkylakeX kernels): forward + backward 21.8 ms against PyTorch's 11.1 ms
(8x faster than a hand-written im2col). Each of the three GEMMs is 0.92 GFLOP: OpenBLAS's
sgemm runs these narrow shapes at 100-135 GFLOP/s per core (N = 32 output columns, the
transposed convolution's, is the slowest), so the GEMMs alone, on operands already in cache,
take 11.7 ms on 2 cores where PyTorch's whole step takes 10.2 (`benchmarks.bench_conv`'s
floor case); each im2col copy of x costs about 2 ms more.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..autograd.function import Function
from ..tensor import Tensor
from ._blocks import run_blocks
from ._util import column_sums, stacked_dot, sum_rows


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


# --- array kernels (channels-last inside) -------------------------------------------------

def _channels_last(a: np.ndarray) -> np.ndarray:
    """(m, C, H, W) -> (m, H, W, C) C-contiguous; free when a is channels-last memory."""
    return np.ascontiguousarray(a.transpose(0, 2, 3, 1))


def channels_last_copy(a: np.ndarray) -> np.ndarray:
    """(N, C, H, W) -> a (N, C, H, W) view of a new channels-last copy, in batch blocks."""
    out = np.empty((a.shape[0],) + a.shape[2:] + a.shape[1:2], a.dtype)

    def work(s: int, e: int) -> None:
        out[s:e] = a[s:e].transpose(0, 2, 3, 1)

    run_blocks(work, a.shape[0], a[:1].size * a.itemsize)
    return out.transpose(0, 3, 1, 2)


def _canvas(x: np.ndarray, hw: tuple[int, int], at: tuple[int, int],
            channels_last: bool = True) -> np.ndarray:
    """x (m, C, H, W), any memory order -> (m, hw[0], hw[1], C) zeros (channels_last=False:
    (m, C, hw[0], hw[1])) holding x with its top-left corner at (row, column) `at`; the parts
    of x that fall outside are cut off."""
    m, c, h, w = x.shape
    r0, c0 = max(at[0], 0), max(at[1], 0)
    r1, c1 = min(at[0] + h, hw[0]), min(at[1] + w, hw[1])
    full = (r0, c0, r1, c1) == (0, 0) + tuple(hw)
    order = (0, 2, 3, 1) if channels_last else (0, 1, 2, 3)
    if full and (h, w) == tuple(hw) and x.transpose(order).flags.c_contiguous:
        return x.transpose(order)  # already in that order, nothing to pad: no copy
    shape = (m, hw[0], hw[1], c) if channels_last else (m, c, hw[0], hw[1])
    out = (np.empty if full else np.zeros)(shape, x.dtype)
    if r0 < r1 and c0 < c1:
        part = x[:, :, r0 - at[0]:r1 - at[0], c0 - at[1]:c1 - at[1]]
        if channels_last:
            out[:, r0:r1, c0:c1] = part.transpose(0, 2, 3, 1)
        else:
            out[:, :, r0:r1, c0:c1] = part
    return out


def _columns(xp: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple, out_hw: tuple,
             groups: int) -> np.ndarray:
    """im2col of a canvas (m, Hp, Wp, C): (G, m*OH*OW, KH*KW*C/G), row (n, i, j) holding the
    window of output (i, j) in (p, q, c) order; one copy of a zero-copy window view."""
    m, _, _, c = xp.shape
    (kh, kw), (sh, sw), (dh, dw), (oh, ow), g = kernel, stride, dilation, out_hw, groups
    s0, s1, s2, s3 = xp.strides
    # (m, OH, OW, KH, KW, G, C/G)
    view = as_strided(xp, (m, oh, ow, kh, kw, g, c // g),
                      (s0, s1 * sh, s2 * sw, s1 * dh, s2 * dw, s3 * (c // g), s3), writeable=False)
    if g == 1:
        return view.reshape(1, m * oh * ow, kh * kw * c)
    return np.ascontiguousarray(view.transpose(5, 0, 1, 2, 3, 4, 6)).reshape(
        g, m * oh * ow, kh * kw * (c // g))


# Fewer input channels per group than this: columns are built offset-major (_offset_columns).
# Measured per 2 MB block, one thread: C=1 0.13 vs 0.89 ms, C=4 0.13 vs 0.27, C=8 0.19 vs
# 0.17, C=32 0.18 vs 0.09 (offset-major vs one copy of the window view).
FEW_CHANNELS = 8


def _offset_columns(src: np.ndarray, canvas_hw: tuple, at: tuple, kernel: tuple,
                    stride: tuple, dilation: tuple, out_hw: tuple, groups: int,
                    ones: bool) -> np.ndarray:
    """im2col for few channels per group: (G, KH*KW*C/G [+ 1], m*OH*OW), column (n, i, j)
    holding the window of output (i, j) in (p, q, c) order: the strided planes of the
    channels-first canvas, one per kernel offset (p, q), copied offset-major (each row a long
    contiguous write); the channels-last window view's copy runs C-long inner loops, slow for
    C < 8. With `ones`, a last row of ones carries the bias through the GEMM (no pass over
    the output to add it)."""
    m, c = src.shape[:2]
    (kh, kw), (sh, sw), (dh, dw), (oh, ow), g = kernel, stride, dilation, out_hw, groups
    cg = c // g
    xp = _canvas(src, canvas_hw, at, channels_last=False)  # (m, C, Hp, Wp)
    k = kh * kw * cg
    cols = np.empty((g, k + ones, m * oh * ow), src.dtype)
    s0, s1, s2, s3 = xp.strides
    # (G, KH, KW, C/G, m, OH, OW): every offset's strided plane, copied in one call (one
    # call per offset was 2-8x slower inside the batch-block threads, which then take turns
    # on the GIL between the short copies)
    view = as_strided(xp, (g, kh, kw, cg, m, oh, ow),
                      (s1 * cg, s2 * dh, s3 * dw, s1, s0, s2 * sh, s3 * sw), writeable=False)
    np.copyto(cols[:, :k].reshape(g, kh, kw, cg, m, oh, ow), view)
    if ones:
        cols[:, k] = 1
    return cols


def _weight_matrix(w: np.ndarray, g: int) -> np.ndarray:
    """w (O, C/G, KH, KW) -> (G, KH*KW*C/G, O/G), rows in the columns' (p, q, c) order."""
    o, cg, kh, kw = w.shape
    return np.ascontiguousarray(
        w.reshape(g, o // g, cg, kh, kw).transpose(0, 3, 4, 2, 1).reshape(g, -1, o // g))


def _flipped_weight_matrix(w: np.ndarray, g: int) -> np.ndarray:
    """w (O, C/G, KH, KW) -> (G, KH*KW*O/G, C/G): the kernel turned by 180 degrees, in and
    out channels swapped (the transposed convolution's kernel)."""
    o, cg, kh, kw = w.shape
    wf = w.reshape(g, o // g, cg, kh, kw)[:, :, :, ::-1, ::-1]
    return np.ascontiguousarray(wf.transpose(0, 3, 4, 1, 2).reshape(g, -1, cg))


def _correlate(src: np.ndarray, wm: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple,
               canvas_hw: tuple, at: tuple, out_hw: tuple,
               bias: np.ndarray | None = None) -> np.ndarray:
    """y (N, OH, OW, O) channels-last: src (N, C, H, W) placed at `at` on a zero canvas,
    im2col'd and multiplied by wm (G, KH*KW*C/G, O/G), one batch block at a time."""
    n, c = src.shape[:2]
    g, k, og = wm.shape
    oh, ow = out_hw
    y = np.empty((n, oh, ow, g * og), src.dtype)

    few = c // g < FEW_CHANNELS
    if few and bias is not None:  # the bias as the weight row of the columns' row of ones
        wm = np.concatenate([wm, bias.reshape(g, 1, og).astype(wm.dtype)], axis=1)

    def work(s: int, e: int) -> None:
        out = y[s:e].reshape(-1, g, og).transpose(1, 0, 2)  # (G, m*OH*OW, O/G)
        if few:
            cols = _offset_columns(src[s:e], canvas_hw, at, kernel, stride, dilation, out_hw,
                                   g, bias is not None)
            np.matmul(cols.transpose(0, 2, 1), wm, out=out)
            return
        cols = _columns(_canvas(src[s:e], canvas_hw, at), kernel, stride, dilation, out_hw, g)
        np.matmul(cols, wm, out=out)
        if bias is not None:
            out += bias.reshape(g, 1, og)

    run_blocks(work, n, src.itemsize * (oh * ow * g * k + canvas_hw[0] * canvas_hw[1] * c))
    return y


def conv2d_array(x: np.ndarray, w: np.ndarray, b: np.ndarray | None,
                 geo: ConvGeometry) -> np.ndarray:
    """y = conv(x, w) + b on arrays: per batch block, im2col + one GEMM per group. The result
    is a (N, O, OH, OW) view of channels-last memory."""
    t, _, l, _ = geo.padding
    y = _correlate(x, _weight_matrix(w, geo.groups), geo.kernel, geo.stride, geo.dilation,
                   geo.padded_hw, (t, l), geo.out_hw, b)
    return y.transpose(0, 3, 1, 2)


# The stride-1 input gradient as a transposed convolution computes H*W output positions of
# KH*KW*O each, col2im computes OH*OW of KH*KW*C plus KH*KW adds: col2im is used when the
# first is this many times larger (padding-0 convs; 13x13 -> 11x11, 3x3, 64 -> 32 channels,
# batch 128: 5.3 ms against 6.5; with 'same' padding the transposed convolution is 10% faster).
TRANSPOSED_WASTE = 1.25


def conv2d_grad_input_array(gy: np.ndarray, w: np.ndarray, geo: ConvGeometry,
                            in_hw: tuple | None = None) -> np.ndarray:
    """dL/dx = Dx(gy, w). Stride 1: the transposed convolution is a convolution of gy, placed
    at (dh (KH - 1) - top, dw (KW - 1) - left) on an (H + dh (KH - 1), W + dw (KW - 1)) zero
    canvas, with the flipped kernel: dx[h, w] = sum_{o,p,q} w[o, c, KH-1-p, KW-1-q]
    canvas[h + p dh, w + q dw, o], one GEMM per block, nothing scattered. Strided, or where
    that canvas is mostly padding (TRANSPOSED_WASTE): col2im. With in_hw (at least
    geo.in_hw), dx has that size, zeros past geo's input (ops.conv_pool's covered outputs)."""
    (kh, kw), (dh, dw) = geo.kernel, geo.dilation
    t, _, l, _ = geo.padding
    h, wd = geo.in_hw
    oh, ow = geo.out_hw
    if geo.stride != (1, 1) or h * wd > TRANSPOSED_WASTE * oh * ow:
        return _col2im_grad_input(gy, w, geo, in_hw)
    canvas = (h + dh * (kh - 1), wd + dw * (kw - 1))
    dx = _correlate(gy, _flipped_weight_matrix(w, geo.groups), geo.kernel, (1, 1),
                    geo.dilation, canvas, (dh * (kh - 1) - t, dw * (kw - 1) - l), geo.in_hw)
    if in_hw is not None and tuple(in_hw) != (h, wd):
        full = np.zeros((dx.shape[0],) + tuple(in_hw) + dx.shape[3:], dx.dtype)
        full[:, :h, :wd] = dx
        dx = full
    return dx.transpose(0, 3, 1, 2)


def _col2im_grad_input(gy: np.ndarray, w: np.ndarray, geo: ConvGeometry,
                       in_hw: tuple | None = None) -> np.ndarray:
    """dL/dx by col2im: dcols = gy @ W (one GEMM per group and block), then each kernel
    offset's slice of dcols added to its strided window of the padded dx (a loop over KH*KW
    only); in_hw as conv2d_grad_input_array's (the extra rows/columns zeroed with the
    rest)."""
    n, _, oh, ow = gy.shape
    g, cg = geo.groups, w.shape[1]
    og = w.shape[0] // g
    (kh, kw), (sh, sw), (dh, dw) = geo.kernel, geo.stride, geo.dilation
    t, _, l, _ = geo.padding
    h, wd = geo.in_hw if in_hw is None else in_hw
    hp, wp = geo.padded_hw
    hp, wp = max(hp, t + h), max(wp, l + wd)  # room for the extra rows/columns
    wm = _weight_matrix(w, g).transpose(0, 2, 1)  # (G, O/G, KH*KW*C/G)
    dxp = np.empty((n, hp, wp, g * cg), gy.dtype)

    def work(s: int, e: int) -> None:
        m = e - s
        gm = _channels_last(gy[s:e]).reshape(-1, g, og).transpose(1, 0, 2)  # (G, m*OH*OW, O/G)
        parts = np.matmul(gm, wm).reshape(g, m, oh, ow, kh, kw, cg)
        dv = dxp[s:e].reshape(m, hp, wp, g, cg).transpose(3, 0, 1, 2, 4)  # (G, m, Hp, Wp, C/G)
        first = (sh, sw) == (1, 1)  # offset (0, 0) then covers [:OH, :OW]: assigned, not added
        if first:
            dv[:, :, :oh, :ow] = parts[:, :, :, :, 0, 0]
            dv[:, :, oh:] = 0
            dv[:, :, :oh, ow:] = 0
        else:
            dv.fill(0)
        for p in range(kh):
            for q in range(first if p == 0 else 0, kw):
                dv[:, :, p * dh:p * dh + sh * (oh - 1) + 1:sh,
                   q * dw:q * dw + sw * (ow - 1) + 1:sw] += parts[:, :, :, :, p, q]

    run_blocks(work, n, gy.itemsize * (oh * ow * kh * kw * g * cg + hp * wp * g * cg))
    return dxp[:, t:t + h, l:l + wd].transpose(0, 3, 1, 2)


def conv2d_grad_weight_array(x: np.ndarray, gy: np.ndarray, geo: ConvGeometry,
                             w_shape: tuple, bias: bool = False) -> Any:
    """dL/dw = sum over batch blocks of dL/dy^T @ columns, one GEMM per group and block (the
    columns are rebuilt here, in cache, rather than kept from forward: KH*KW times x). With
    `bias`, (dL/dw, dL/db): db = sum of dL/dy over (N, OH, OW), taken from each block while
    it is in cache (few channels: the columns' row of ones does it inside the GEMM), instead
    of another pass over dL/dy."""
    n, c = x.shape[:2]
    o, cg, kh, kw = w_shape
    g = geo.groups
    oh, ow = gy.shape[2:]
    t, _, l, _ = geo.padding
    hp, wp = geo.padded_hw

    few = cg < FEW_CHANNELS

    k = kh * kw * cg

    def work(s: int, e: int) -> np.ndarray:
        """(G, O/G, K [+ 1]): this block's dw, and its db as a last column with `bias`."""
        gm = _channels_last(gy[s:e]).reshape(-1, g, o // g).transpose(1, 0, 2)
        if few:  # (G, K [+ 1], m*OH*OW) @ (G, m*OH*OW, O/G): the faster orientation here
            cols = _offset_columns(x[s:e], (hp, wp), (t, l), geo.kernel, geo.stride,
                                   geo.dilation, (oh, ow), g, bias)
            return stacked_dot(cols, gm).transpose(0, 2, 1)
        cols = _columns(_canvas(x[s:e], (hp, wp), (t, l)), geo.kernel, geo.stride,
                        geo.dilation, (oh, ow), g)
        part = np.empty((g, o // g, k + bias), x.dtype)
        np.matmul(gm.transpose(0, 2, 1), cols, out=part[:, :, :k])  # (G, O/G, KH*KW*C/G)
        if bias:  # as a GEMV: NumPy's sum down the long first axis is 10x slower here
            for i in range(g):
                part[i, :, k] = column_sums(gm[i])
        return part

    parts = run_blocks(work, n, x.itemsize * (oh * ow * kh * kw * c + hp * wp * c))
    dwm = parts[0] if parts else np.zeros((g, o // g, k + bias), x.dtype)  # N = 0: no parts
    for part in parts[1:]:
        dwm += part
    dw = np.ascontiguousarray(dwm[:, :, :k].reshape(o, kh, kw, cg).transpose(0, 3, 1, 2))
    return (dw, dwm[:, :, k].reshape(o)) if bias else dw


# --- primitives ---------------------------------------------------------------------------

class Conv2d(Function):
    """y = conv2d(x, w) + b  (module docstring);  dL/dx = Dx(g, w),  dL/dw = Dw(x, g),
    dL/db = sum of g over (N, OH, OW)"""

    def forward(self, x, w, b=None, *, geo):
        self.geo = geo
        return conv2d_array(x, w, b, geo)

    def backward(self, g):
        return conv2d_backward(g, self.inputs[0], self.inputs[1], self.geo,
                               self.needs_input_grad)


def conv2d_backward(g: Tensor, x: Tensor, w: Tensor, geo: ConvGeometry,
                    need: tuple) -> tuple:
    """(dL/dx, dL/dw[, dL/db]) of y = conv2d(x, w[, b]) from g = dL/dy, as differentiable
    Tensors (None where `need`, one flag per input, says no gradient is wanted)."""
    a = g._data
    if not g.requires_grad and a.shape[1] > 1 and a.strides[1] != a.itemsize:
        # one channels-last copy of g serves both products below (no graph through it)
        g = Tensor._wrap(channels_last_copy(a))
    dx = Conv2dGradInput.apply(g, w, geo=geo) if need[0] else None
    if len(need) == 3 and need[1] and need[2]:  # db from the weight gradient's blocks
        dw, db = Conv2dGradWeight.apply(x, g, geo=geo, w_shape=w._data.shape, bias=True)
        return dx, dw, db
    dw = Conv2dGradWeight.apply(x, g, geo=geo, w_shape=w._data.shape) if need[1] else None
    if len(need) == 2 or not need[2]:
        return (dx, dw) if len(need) == 2 else (dx, dw, None)
    a = g._data
    if a.shape[1] > 1 and a.strides[1] == a.itemsize:
        # channels-last: the column sums of a (N*OH*OW, O) matrix, one GEMV
        return dx, dw, sum_rows(g.permute(0, 2, 3, 1).reshape(-1, a.shape[1]))
    return dx, dw, g.sum((0, 2, 3))


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
    """dw = Dw(x, g);  with gg = dL/d(dw):  dL/dx = Dx(g, gg),  dL/dg = conv2d(x, gg).
    With bias=True also db = sum of g over (N, OH, OW) (outputs (dw, db)); with gb = dL/d(db),
    dL/dg = conv2d(x, gg) + gb (broadcast)."""

    _materialize = False  # backward gets None for an output that reached nothing

    def forward(self, x, gy, *, geo, w_shape, bias=False):
        self.geo = geo
        return conv2d_grad_weight_array(x, gy, geo, w_shape, bias)

    def backward(self, gg, gb=None):
        x, gy = self.inputs
        need = self.needs_input_grad
        d_x = Conv2dGradInput.apply(gy, gg, geo=self.geo) if need[0] and gg is not None \
            else None
        d_gy = None
        if need[1] and gg is not None:
            d_gy = Conv2d.apply(x, gg, geo=self.geo) if gb is None else \
                Conv2d.apply(x, gg, gb, geo=self.geo)
        elif need[1] and gb is not None:
            d_gy = gb.reshape(1, -1, 1, 1).expand(*gy.shape)
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
