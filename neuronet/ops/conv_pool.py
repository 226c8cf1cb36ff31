"""A convolution followed by a tiling max pool (kernel == stride, the CNN's 2x2/2) as one
primitive: y = max_pool2d(conv2d(x, w) + b), optionally ReLU'd, for the containers that see
the layers side by side (nn.Sequential's Conv2d -> [ReLU ->] MaxPool2d [-> ReLU], Keras
Sequential and functional models' Conv2D(activation="relu") -> MaxPooling2D); and, given
the computed conv output, for nn.functional's max_pool2d of a fresh conv (or relu of a conv)
output, which then pools that output and takes this op's backward.

The values and the gradients are those of the two ops (ops.conv, ops.pooling): with tiles
(a, b) of the pool and T[n, o, i, j, a, b] = conv[n, o, i KA + a, j KB + b],

    y[n, o, i, j] = max_{a,b} T[n, o, i, j, a, b],    dL/dconv = g at each tile's first
    maximum (PyTorch's tie rule), 0 elsewhere and on the rows/columns no tile covers,

and dL/dx, dL/dw, dL/db are the conv's (ops.conv) of that dL/dconv. What the fusion saves is
memory traffic and work, not arithmetic:
- the conv's full-size output never goes to memory: each batch block's GEMM writes a
  cache-sized scratch, which is pooled (and its first-maximum marks found) while in cache;
- the im2col rows are ordered (n, a, b, i, j): each tile offset's values are then one
  contiguous (i, j, o) run per image, so the pool's ufuncs run long inner loops (the offset
  views of a channels-last conv output run O-long ones, and NumPy keeps the GIL through
  ufuncs over short strided runs: the two batch-block threads then take turns);
- conv outputs that no pool tile covers (the last row and column of an odd size) are not
  computed (11x11 -> 10x10: 17% of the GEMMs);
- backward builds each block's dL/dconv = marks * g in cache and feeds it straight to the
  weight and bias gradients (the columns rebuilt in the same row order), again without a
  full-size array; only the input gradient (when wanted) needs dL/dconv in the usual layout;
- a ReLU (relu(max_pool(c)) = max_pool(relu(c)): relu is monotone) runs on each block's
  pooled output, and its mask multiplies each block's pooled gradient.

Measured (CNN step conv32-pool-conv64-pool-fc128-fc10, batch 128, 2 threads): 23.7 -> 22.1 ms
for the ReLU in the op; the step as a whole 29.9-30.5 ms with the separate ops before this
op, 21.5-22.2 ms with it (and with ops._blocks' balanced blocks and the np.dot products that
came with it; three alternating runs of 40 steps on Fashion-MNIST batches).

With grad recording on in backward (create_graph), on NaN in the output, or on non-finite g,
backward recomputes the conv output and runs the two ops' own differentiable backward, so
higher derivatives are those of the composition.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..autograd.function import Function
from ..autograd.grad_mode import state as _grad_mode
from ..tensor import Tensor
from ._blocks import run_blocks
from ._util import column_sums, stacked_dot
from .conv import (
    FEW_CHANNELS,
    ConvGeometry,
    _canvas,
    _weight_matrix,
    conv2d_array,
    conv2d_backward,
    conv2d_grad_input_array,
)
from .elementwise import MaskMul
from .pooling import MaxPool2d, MaxPool2dScatter, PoolGeometry

# Batch blocks of this much workspace (4x ops._blocks' default): the pooling steps are many
# short ufunc calls, and the two block threads then spend less time handing the GIL back and
# forth (CNN conv1 + pool forward, 128 images: 3.4 ms in 2 MB blocks, 2.8 ms in 8 MB).
WORKSPACE = 8 << 20


def _tile_columns(src: np.ndarray, geo: ConvGeometry, pool: PoolGeometry,
                  ones: bool = False) -> np.ndarray:
    """im2col of a batch block src (m, C, H, W) for the conv outputs the pool tiles cover,
    rows in tile order (n, a, b, i, j) (output row i KA + a, column j KB + b). Few channels
    per group: (G, K, rows) built offset-major (ops.conv._offset_columns); else (G, rows, K),
    one copy of the channels-last window view (ops.conv._columns); K = KH*KW*C/G in (p, q, c)
    order. With `ones` (few channels only), a last row of ones: the bias rides the GEMM."""
    m, c = src.shape[:2]
    (kh, kw), (sh, sw), (dh, dw), g = geo.kernel, geo.stride, geo.dilation, geo.groups
    (ph, pw), (ka, kb) = pool.out_hw, pool.kernel
    t, _, l, _ = geo.padding
    cg = c // g
    k = kh * kw * cg
    if cg < FEW_CHANNELS:
        xp = _canvas(src, geo.padded_hw, (t, l), channels_last=False)  # (m, C, Hp, Wp)
        s0, s1, s2, s3 = xp.strides
        view = as_strided(xp, (g, kh, kw, cg, m, ka, kb, ph, pw),
                          (s1 * cg, s2 * dh, s3 * dw, s1, s0, s2 * sh, s3 * sw, s2 * sh * ka,
                           s3 * sw * kb), writeable=False)
        cols = np.empty((g, k + ones, m * ph * ka * kb * pw), src.dtype)
        np.copyto(cols[:, :k].reshape(view.shape), view)
        if ones:
            cols[:, k] = 1
        return cols
    xp = _canvas(src, geo.padded_hw, (t, l))  # (m, Hp, Wp, C)
    s0, s1, s2, s3 = xp.strides
    view = as_strided(xp, (m, ka, kb, ph, pw, kh, kw, g, cg),
                      (s0, s1 * sh, s2 * sw, s1 * sh * ka, s2 * sw * kb, s1 * dh, s2 * dw,
                       s3 * cg, s3), writeable=False)
    if g == 1:
        return view.reshape(1, -1, k)
    return np.ascontiguousarray(view.transpose(7, 0, 1, 2, 3, 4, 5, 6, 8)).reshape(g, -1, k)


def _pool_tiles(conv: np.ndarray, y: np.ndarray, marks: np.ndarray | None) -> None:
    """y <- the max over each tile of conv (m, KA, KB, PH, PW, O), one reduction; with marks
    (bool, like conv), True at each tile's first maximum in (a, b) order (PyTorch's tie
    rule): where conv equals the max, and no earlier offset did. Valid where no tile holds
    NaN (the op checks)."""
    np.max(conv, axis=(1, 2), out=y)
    if marks is None:
        return
    m, ka, kb = conv.shape[:3]
    flat = marks.reshape((m, ka * kb) + y.shape[1:])
    np.equal(conv.reshape(flat.shape), y[:, None], out=flat)
    seen = None  # whether some earlier offset holds the maximum
    for k in range(1, ka * kb):
        earlier = flat[:, 0] if seen is None else seen
        np.greater(flat[:, k], earlier, out=flat[:, k])  # here and not before
        if k < ka * kb - 1:
            seen = np.logical_or(earlier, flat[:, k], out=seen)


def _covered(geo: ConvGeometry, pool: PoolGeometry) -> ConvGeometry:
    """The conv restricted to the outputs the pool's tiles cover ((PH KA, PW KB) of
    (OH, OW)): the same windows, on the input rows/columns they can reach (what lies past
    them gets no gradient from those outputs)."""
    (oh, ow), (ph, pw), (ka, kb) = geo.out_hw, pool.out_hw, pool.kernel
    if (ph * ka, pw * kb) == (oh, ow):
        return geo
    t, b, l, r = geo.padding
    (h, w), (sh, sw) = geo.in_hw, geo.stride
    hc = h - (oh - ph * ka) * sh + b  # the last covered window ends at most here
    wc = w - (ow - pw * kb) * sw + r
    return ConvGeometry(geo.kernel, geo.stride, geo.dilation,
                        (t, max(0, hc - h), l, max(0, wc - w)), geo.groups,
                        (min(h, hc), min(w, wc)))


class Conv2dMaxPool2d(Function):
    """y = max_pool2d(conv2d(x, w) + b) for a tiling pool (module docstring), with relu=True
    relu of it (= max_pool2d(relu(conv)): relu is monotone);  backward: g' = g where y > 0
    with relu, dL/dconv = g' at each tile's first maximum, then the conv's gradients of it.
    The ReLU runs on each block's pooled output in cache, and its mask multiplies the pooled
    gradient per block: no full passes over the output (each a memory-bound 0.3-1 ms on a
    CNN's first pooled layer)."""

    def forward(self, x, w, b=None, *, geo, pool, route=True, relu=False, conv=None):
        """With `conv` (conv2d(x, w) + b already computed, (N, O, OH, OW) in any layout),
        only the pooling runs: max_pool2d of a fresh conv output (nn.functional's
        max_pool2d) then takes this op's backward."""
        self.geo, self.pool, self.relu = geo, pool, relu
        self.saves_output = relu  # backward's ReLU mask comes from y
        if conv is not None:
            return self._pool_given(conv, route)
        n, o, g = x.shape[0], w.shape[0], geo.groups
        og = o // g
        (ph, pw), (ka, kb) = pool.out_hw, pool.kernel
        rows = ph * ka * kb * pw
        few = x.shape[1] // g < FEW_CHANNELS
        wm = _weight_matrix(w, g)
        ones = few and b is not None
        if ones:  # the bias as the weight row of the columns' row of ones
            wm = np.concatenate([wm, b.reshape(g, 1, og).astype(wm.dtype)], axis=1)
        y = np.empty((n, ph, pw, o), x.dtype)
        marks = np.empty((n, ka, kb, ph, pw, o), bool) if route else None

        def work(s: int, e: int) -> None:
            conv = np.empty((e - s, ka, kb, ph, pw, o), x.dtype)  # this block's conv output
            out = conv.reshape(-1, g, og).transpose(1, 0, 2)  # (G, rows, O/G)
            cols = _tile_columns(x[s:e], geo, pool, ones)
            np.matmul(cols.transpose(0, 2, 1) if few else cols, wm, out=out)
            if b is not None and not ones:
                conv += b
            _pool_tiles(conv, y[s:e], None if marks is None else marks[s:e])
            # NaN (min propagates it) breaks the marks: PyTorch's rule is the last NaN
            nan = marks is not None and bool(np.isnan(np.min(y[s:e])))
            if relu:
                np.maximum(y[s:e], 0, out=y[s:e])
            return nan

        item = rows * (wm.shape[1] + o) * x.itemsize + rows * o + x[:1].nbytes
        nan = any(run_blocks(work, n, item, WORKSPACE))
        self.marks = None if nan else marks  # None: backward recomputes
        return y.transpose(0, 3, 1, 2)

    def _pool_given(self, conv: np.ndarray, route: bool) -> np.ndarray:
        """The pooled (and ReLU'd) output of a computed conv output (N, O, OH, OW), and its
        marks, from the tile view (N, KA, KB, PH, PW, O) of its covered outputs."""
        (ph, pw), (ka, kb) = self.pool.out_hw, self.pool.kernel
        n, o = conv.shape[:2]
        s0, s1, s2, s3 = conv.strides
        tiles = as_strided(conv, (n, ka, kb, ph, pw, o), (s0, s2, s3, s2 * ka, s3 * kb, s1),
                           writeable=False)
        y = np.empty((n, ph, pw, o), conv.dtype)
        marks = np.empty((n, ka, kb, ph, pw, o), bool) if route else None

        def work(s: int, e: int) -> bool:
            # one copy to tile order, in cache: the pool's ufuncs then run long contiguous
            # loops (on the strided view: 4.7 vs 3.2 ms for a CNN step's two pools)
            block = np.empty((e - s, ka, kb, ph, pw, o), conv.dtype)
            np.copyto(block, tiles[s:e])
            _pool_tiles(block, y[s:e], None if marks is None else marks[s:e])
            nan = marks is not None and bool(np.isnan(np.min(y[s:e])))
            if self.relu:
                np.maximum(y[s:e], 0, out=y[s:e])
            return nan

        nan = any(run_blocks(work, n, conv.itemsize * ph * pw * o * (ka * kb + 1), WORKSPACE))
        self.marks = None if nan else marks
        return y.transpose(0, 3, 1, 2)

    def backward(self, g):
        x, w = self.inputs[0], self.inputs[1]
        need = self.needs_input_grad
        if self.marks is None or _grad_mode.enabled or g.requires_grad or \
                not np.isfinite(g._data).all():
            return self._composed_backward(g)
        geo, pool, marks = self.geo, self.pool, self.marks
        xa, wa = x._data, w._data
        n = xa.shape[0]
        o, cg, kh, kw = wa.shape
        groups = geo.groups
        og = o // groups
        (ph, pw), (ka, kb) = pool.out_hw, pool.kernel
        rows = ph * ka * kb * pw
        few = cg < FEW_CHANNELS
        need_x, need_w = need[0], need[1]
        need_b = len(need) == 3 and need[2]
        gl = np.ascontiguousarray(g._data.transpose(0, 2, 3, 1))  # may be g's own memory
        yl = self.output()._data.transpose(0, 2, 3, 1) if self.relu else None
        gr = np.empty_like(gl) if self.relu else gl  # g after the ReLU's backward
        gl, gr = gl[:, None, None], gr[:, None, None]
        # dL/dconv on the covered outputs in the usual (n, i, j, o) order, for dL/dx
        dy = np.empty((n, ph * ka, pw * kb, o), xa.dtype) if need_x else None

        def work(s: int, e: int) -> tuple:
            if yl is not None:  # the ReLU's backward on this block
                np.multiply(gl[s:e, 0, 0], yl[s:e] > 0, out=gr[s:e, 0, 0])
                gr[s:e] += 0.0  # -0.0 (negative g where y = 0) reads as PyTorch's 0.0
            dconv = np.multiply(marks[s:e], gr[s:e], dtype=xa.dtype)  # (m, KA, KB, PH, PW, O)
            if dy is not None:
                dy[s:e].reshape(e - s, ph, ka, pw, kb, o)[...] = \
                    dconv.transpose(0, 3, 1, 4, 2, 5)
            gm = dconv.reshape(-1, groups, og).transpose(1, 0, 2)  # (G, rows, O/G)
            dw = db = None
            if need_w:
                cols = _tile_columns(xa[s:e], geo, pool)
                dw = stacked_dot(cols, gm).transpose(0, 2, 1) if few else \
                    np.matmul(gm.transpose(0, 2, 1), cols)  # (G, O/G, K)
            if need_b:  # each tile sends g to exactly one place: db sums g itself
                gs = gr[s:e].reshape(-1, groups, og)
                db = np.stack([column_sums(gs[:, i]) for i in range(groups)])
            return dw, db

        parts = run_blocks(work, n, xa.itemsize * rows * (kh * kw * cg * groups + 2 * o),
                           WORKSPACE)
        dx = dw = db = None
        if need_x:
            dx = self._input_grad(dy, wa)
        if need_w:
            dwm = _sum(p[0] for p in parts) if parts else \
                np.zeros((groups, og, kh * kw * cg), xa.dtype)
            dw = Tensor._wrap(np.ascontiguousarray(
                dwm.reshape(o, kh, kw, cg).transpose(0, 3, 1, 2)))
        if need_b:
            dbm = _sum(p[1] for p in parts) if parts else np.zeros((groups, og), xa.dtype)
            db = Tensor._wrap(dbm.reshape(o))
        return (dx, dw, db) if len(need) == 3 else (dx, dw)

    def _input_grad(self, dy: np.ndarray, w: np.ndarray) -> Tensor:
        """dL/dx from dL/dconv on the covered outputs (n, PH KA, PW KB, O): the conv's input
        gradient on the rows/columns those outputs reach, zeros past them."""
        geo = self.geo
        return Tensor._wrap(conv2d_grad_input_array(dy.transpose(0, 3, 1, 2), w,
                                                    _covered(geo, self.pool), geo.in_hw))

    def _composed_backward(self, g):
        """The two ops' own differentiable backward, on the recomputed conv output."""
        x, w = self.inputs[0], self.inputs[1]
        b = self.inputs[2]._data if len(self.inputs) == 3 else None
        conv = conv2d_array(x._data, w._data, b, self.geo)
        pool = MaxPool2d()
        pool.forward(conv, geo=self.pool)
        arg, mask = pool.route()
        if self.relu:  # the ReLU's mask is a constant: g * mask is linear in g
            g = MaskMul.apply(g, mask=self.output()._data > 0)
        dconv = MaxPool2dScatter.apply(g, geo=self.pool, arg=arg, mask=mask)
        return conv2d_backward(dconv, x, w, self.geo, self.needs_input_grad)


def _sum(arrays) -> np.ndarray:
    it = iter(arrays)
    total = next(it)
    for a in it:
        total += a
    return total
