"""A convolution followed by a tiling max pool (kernel == stride, the CNN's 2x2/2) as one
primitive: y = max_pool2d(conv2d(x, w) + b), for the containers that see the two layers side
by side (nn.Sequential's Conv2d -> [ReLU ->] MaxPool2d, Keras Sequential's Conv2D ->
MaxPooling2D).

The values and the gradients are those of the two ops (ops.conv, ops.pooling): with tiles
(a, b) of the pool and T[n, o, i, j, a, b] = conv[n, o, i KA + a, j KB + b],

    y[n, o, i, j] = max_{a,b} T[n, o, i, j, a, b],    dL/dconv = g at each tile's first
    maximum (PyTorch's tie rule), 0 elsewhere and on the rows/columns no tile covers,

and dL/dx, dL/dw, dL/db are the conv's (ops.conv) of that dL/dconv. What the fusion saves is
memory traffic and work, not arithmetic:
- the conv's full-size output never goes to memory: each batch block's GEMM writes a
  cache-sized scratch, which is pooled (and its first-maximum marks found) while in cache;
- the im2col rows are ordered (n, i, a, b, j): each tile offset's values are then a (n, i)
  stack of contiguous (j, o) rows, so the pool's ufuncs run long inner loops (the offset
  views of a channels-last conv output run O-long ones);
- conv outputs that no pool tile covers (the last row and column of an odd size) are not
  computed (11x11 -> 10x10: 17% of the GEMMs);
- backward builds each block's dL/dconv = marks * g in cache and feeds it straight to the
  weight and bias gradients (the columns rebuilt in the same row order), again without a
  full-size array; only the input gradient (when wanted) needs dL/dconv in the usual layout.

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
from ._util import column_sums
from .conv import (
    FEW_CHANNELS,
    ConvGeometry,
    _canvas,
    _weight_matrix,
    conv2d_array,
    conv2d_backward,
    conv2d_grad_input_array,
)
from .pooling import MaxPool2d, MaxPool2dScatter, PoolGeometry, _scan_tiles


def _tile_columns(src: np.ndarray, geo: ConvGeometry, pool: PoolGeometry) -> np.ndarray:
    """im2col of a batch block src (m, C, H, W) for the conv outputs the pool tiles cover,
    rows in tile order (n, i, a, b, j) (output row i KA + a, column j KB + b). Few channels
    per group: (G, K, rows) built offset-major (ops.conv._offset_columns); else (G, rows, K),
    one copy of the channels-last window view (ops.conv._columns); K = KH*KW*C/G in (p, q, c)
    order."""
    m, c = src.shape[:2]
    (kh, kw), (sh, sw), (dh, dw), g = geo.kernel, geo.stride, geo.dilation, geo.groups
    (ph, pw), (ka, kb) = pool.out_hw, pool.kernel
    t, _, l, _ = geo.padding
    cg = c // g
    k = kh * kw * cg
    if cg < FEW_CHANNELS:
        xp = _canvas(src, geo.padded_hw, (t, l), channels_last=False)  # (m, C, Hp, Wp)
        s0, s1, s2, s3 = xp.strides
        view = as_strided(xp, (g, kh, kw, cg, m, ph, ka, kb, pw),
                          (s1 * cg, s2 * dh, s3 * dw, s1, s0, s2 * sh * ka, s2 * sh, s3 * sw,
                           s3 * sw * kb), writeable=False)
        cols = np.empty((g, k, m * ph * ka * kb * pw), src.dtype)
        np.copyto(cols.reshape(view.shape), view)
        return cols
    xp = _canvas(src, geo.padded_hw, (t, l))  # (m, Hp, Wp, C)
    s0, s1, s2, s3 = xp.strides
    view = as_strided(xp, (m, ph, ka, kb, pw, kh, kw, g, cg),
                      (s0, s1 * sh * ka, s1 * sh, s2 * sw, s2 * sw * kb, s1 * dh, s2 * dw,
                       s3 * cg, s3), writeable=False)
    if g == 1:
        return view.reshape(1, -1, k)
    return np.ascontiguousarray(view.transpose(7, 0, 1, 2, 3, 4, 5, 6, 8)).reshape(g, -1, k)


def _offsets(a: np.ndarray, pool: PoolGeometry) -> list:
    """The (m, PH, PW, O) view of each tile offset (a, b) of a (m, PH, KA, KB, PW, O) array."""
    ka, kb = pool.kernel
    return [a[:, :, i, j] for i in range(ka) for j in range(kb)]


class Conv2dMaxPool2d(Function):
    """y = max_pool2d(conv2d(x, w) + b) for a tiling pool (module docstring);  backward:
    dL/dconv = g at each tile's first maximum, then the conv's gradients of it."""

    def forward(self, x, w, b=None, *, geo, pool, route=True):
        self.geo, self.pool = geo, pool
        n, o, g = x.shape[0], w.shape[0], geo.groups
        og = o // g
        (ph, pw), (ka, kb) = pool.out_hw, pool.kernel
        rows = ph * ka * kb * pw
        few = x.shape[1] // g < FEW_CHANNELS
        wm = _weight_matrix(w, g)
        y = np.empty((n, ph, pw, o), x.dtype)
        marks = np.empty((n, ph, ka, kb, pw, o), bool) if route else None

        def work(s: int, e: int) -> None:
            conv = np.empty((e - s, ph, ka, kb, pw, o), x.dtype)  # this block's conv output
            out = conv.reshape(-1, g, og).transpose(1, 0, 2)  # (G, rows, O/G)
            cols = _tile_columns(x[s:e], geo, pool)
            np.matmul(cols.transpose(0, 2, 1) if few else cols, wm, out=out)
            if b is not None:
                conv += b
            _scan_tiles(_offsets(conv, pool), y[s:e],
                        None if marks is None else _offsets(marks[s:e], pool))

        k = wm.shape[1]
        run_blocks(work, n, x.itemsize * (rows * (k + o) + x[:1].size))
        # NaN: the marks miss PyTorch's rule for it (the last NaN): backward recomputes
        self.marks = None if marks is None or np.isnan(y).any() else marks
        return y.transpose(0, 3, 1, 2)

    def backward(self, g):
        x, w = self.inputs[0], self.inputs[1]
        need = self.needs_input_grad
        if self.marks is None or _grad_mode.enabled or g.requires_grad or \
                not np.isfinite(g._data).all():
            return self._composed_backward(g)
        geo, pool, marks = self.geo, self.pool, self.marks
        n, c = x.shape[:2]
        o, cg, kh, kw = w._data.shape
        groups = geo.groups
        og = o // groups
        (ph, pw), (ka, kb) = pool.out_hw, pool.kernel
        oh, ow = geo.out_hw
        rows = ph * ka * kb * pw
        few = cg < FEW_CHANNELS
        need_x, need_w = need[0], need[1]
        need_b = len(need) == 3 and need[2]
        gl = np.ascontiguousarray(g._data.transpose(0, 2, 3, 1))[:, :, None, None]
        dy = None
        if need_x:  # dL/dconv in the usual (n, OH, OW, O) layout, for the input gradient
            covered = (ph * ka, pw * kb) == (oh, ow)
            dy = (np.empty if covered else np.zeros)((n, oh, ow, o), x._data.dtype)
        xa = x._data

        def work(s: int, e: int) -> tuple:
            dconv = np.multiply(marks[s:e], gl[s:e], dtype=xa.dtype)  # (m, PH, KA, KB, PW, O)
            if dy is not None:
                for a in range(ka):
                    for b in range(kb):
                        dy[s:e, a:ph * ka:ka, b:pw * kb:kb] = dconv[:, :, a, b]
            gm = dconv.reshape(-1, groups, og).transpose(1, 0, 2)  # (G, rows, O/G)
            dw = db = None
            if need_w:
                cols = _tile_columns(xa[s:e], geo, pool)
                dw = np.matmul(cols, gm).transpose(0, 2, 1) if few else \
                    np.matmul(gm.transpose(0, 2, 1), cols)  # (G, O/G, K)
            if need_b:
                db = np.stack([column_sums(gm[i]) for i in range(groups)])
            return dw, db

        parts = run_blocks(work, n, xa.itemsize * rows * (kh * kw * cg * groups + 2 * o))
        dx = dw = db = None
        if need_x:
            dx = Tensor._wrap(conv2d_grad_input_array(dy.transpose(0, 3, 1, 2), w._data, geo))
        if need_w:
            dwm = _sum(p[0] for p in parts) if parts else \
                np.zeros((groups, og, kh * kw * cg), xa.dtype)
            dw = Tensor._wrap(np.ascontiguousarray(
                dwm.reshape(o, kh, kw, cg).transpose(0, 3, 1, 2)))
        if need_b:
            dbm = _sum(p[1] for p in parts) if parts else np.zeros((groups, og), xa.dtype)
            db = Tensor._wrap(dbm.reshape(o))
        return (dx, dw, db) if len(need) == 3 else (dx, dw)

    def _composed_backward(self, g):
        """The two ops' own differentiable backward, on the recomputed conv output."""
        x, w = self.inputs[0], self.inputs[1]
        b = self.inputs[2]._data if len(self.inputs) == 3 else None
        conv = conv2d_array(x._data, w._data, b, self.geo)
        pool = MaxPool2d()
        pool.forward(conv, geo=self.pool)
        arg, mask = pool.route()
        dconv = MaxPool2dScatter.apply(g, geo=self.pool, arg=arg, mask=mask)
        return conv2d_backward(dconv, x, w, self.geo, self.needs_input_grad)


def _sum(arrays) -> np.ndarray:
    it = iter(arrays)
    total = next(it)
    for a in it:
        total += a
    return total
