"""Fused recurrent layers: one primitive runs a whole layer (one direction) over T steps.

Gate equations (PyTorch's layout; x_t input, h_{t-1} state, sigma the logistic sigmoid):

    RNN   h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh),  act = tanh or relu
    LSTM  i = sigma(W_ii x + b_ii + W_hi h + b_hi)     f = sigma(W_if x + b_if + W_hf h + b_hf)
          g = tanh(W_ig x + b_ig + W_hg h + b_hg)      o = sigma(W_io x + b_io + W_ho h + b_ho)
          c_t = f * c_{t-1} + i * g     h_t = o * tanh(c_t)    (proj: h_t = W_hr (o * tanh(c_t)))
    GRU   r = sigma(W_ir x + b_ir + W_hr h + b_hr)     z = sigma(W_iz x + b_iz + W_hz h + b_hz)
          n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
          h_t = (1 - z) * n + z * h_{t-1}

The rows of W_ih (G*H, I), W_hh (G*H, H) and the biases hold the gates in the order written
(LSTM i, f, g, o; GRU r, z, n).

Implementation. Every per-step array is feature-major, (features, N), so each gate is a
contiguous block of rows. Forward: the input projections of all T steps are one batched GEMM
up front,
    A_x[t] = W_ih x_t^T + b     (T, G*H, N),
(the bias as a column of W_ih against a row of ones), then each step is one GEMM
W_hh h_{t-1} for all gates plus in-place ufuncs on the gates.
Backward (backpropagation through time) runs the steps in reverse with NumPy: per step the
gate gradients dA_t (G*H, N) from the saved activations, and one GEMM dh_{t-1} = W_hh^T dA_t.
The weight gradients are then one GEMM each over all steps, with dA = [dA_1 ... dA_T]
(G*H, T*N) and the inputs, a row of ones and the previous states side by side:
    [dW_ih, db, dW_hh] = dA [X, 1, H_prev],  dX_t = dA_t^T W_ih.
So a layer is O(1) graph nodes instead of O(T * ops).

Masking (packed sequences, Keras masks): `mask` (T, N) bool; where mask[t, n] is False the
step is skipped for sample n: its state is carried over unchanged and its output is 0
(`zero_masked_output=True`, PyTorch's packed sequences) or the carried state (Keras).

NOTE: the backward of `RecurrentLayer` is first order only (it runs on arrays). With
create_graph=True it raises; use the cells (`nn.LSTMCell`, ...) in a loop for higher-order
gradients.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import state

MODES = {"rnn_tanh": 1, "rnn_relu": 1, "lstm": 4, "gru": 3}

# Scratch arrays of finished layers, by (shape, dtype), reused by the next call of the same
# shape: glibc hands large freed blocks back to the OS, so a fresh (T, N, 4H) array costs a
# page fault per 4 KB at first touch (measured: ~15% of an LSTM training step).
_POOL: dict[tuple, list] = {}
_POOL_DEPTH = 2  # arrays kept per shape and dtype
_POOL_SHAPES = 16  # shapes kept at most


def _take(shape: tuple, dtype: Any) -> np.ndarray:
    """An uninitialized array, from the pool when one of this shape and dtype is there."""
    stack = _POOL.get((shape, np.dtype(dtype)))
    if stack:
        try:
            return stack.pop()
        except IndexError:  # another thread took the last one
            pass
    return np.empty(shape, dtype)


def _give(*arrays: np.ndarray | None) -> None:
    """Hand arrays nothing else refers to back to the pool."""
    if len(_POOL) > _POOL_SHAPES:  # many shapes (sequences of varying length): start over
        _POOL.clear()
    for a in arrays:
        if a is not None and a.base is None:
            stack = _POOL.setdefault((a.shape, a.dtype), [])
            if len(stack) < _POOL_DEPTH:
                stack.append(a)


def _sigmoid_(a: np.ndarray) -> np.ndarray:
    """a <- sigma(a) in place, as 0.5 tanh(0.5 a) + 0.5 (no overflow, one transcendental)."""
    a *= 0.5
    np.tanh(a, out=a)
    a *= 0.5
    a += 0.5
    return a


def _dsigmoid(ds: np.ndarray, s: np.ndarray) -> np.ndarray:
    """ds <- ds * s * (1 - s) in place."""
    ds *= s
    ds -= ds * s
    return ds


class RecurrentLayer(Function):
    """One layer, one direction of RNN/LSTM/GRU over a whole sequence (see module docstring).

    Inputs (arrays): x (T, N, I) or (N, T, I) with batch_first, h0 (N, Hout), then c0 (N, H)
    for LSTM, w_ih (G*H, I), w_hh (G*H, Hout), then b_ih, b_hh (G*H,) when has_bias, then
    w_hr (P, H) when has_proj (LSTM). Hout = P with a projection, H otherwise.
    Outputs: y (like x with I -> Hout), h_n (N, Hout), and c_n (N, H) for LSTM.

    Inside, every per-step array is feature-major, (features, N): the gates of step t are
    gates[t] (G*H, N), so each gate is a contiguous block of rows and the in-place ufuncs on a
    gate run on contiguous memory (3-4x faster than on the column slices of an (N, G*H) array),
    and the recurrent product is W_hh h_{t-1} with h_{t-1} (Hout, N).
    """

    _materialize = False  # backward gets None for an unused output instead of zeros

    def forward(self, *arrays, mode, has_bias, has_proj=False, reverse=False, batch_first=False,
                mask=None, zero_masked_output=True):
        if mode not in MODES:
            raise ValueError(f"RecurrentLayer: mode must be one of {sorted(MODES)}, got {mode!r}")
        self.mode, self.has_bias, self.has_proj = mode, has_bias, has_proj
        self.reverse, self.batch_first = reverse, batch_first
        self.zero_masked_output = zero_masked_output
        lstm = mode == "lstm"
        arrays = list(arrays)
        x, h0 = arrays.pop(0), arrays.pop(0)
        c0 = arrays.pop(0) if lstm else None
        w_ih, w_hh = arrays.pop(0), arrays.pop(0)
        b_ih, b_hh = (arrays.pop(0), arrays.pop(0)) if has_bias else (None, None)
        w_hr = arrays.pop(0) if has_proj else None
        gates_count = MODES[mode] * (w_hr.shape[1] if has_proj else w_hh.shape[1])
        if x.ndim != 3 or w_ih.shape != (gates_count, x.shape[2]) or \
                h0.shape != (x.shape[0 if batch_first else 1], w_hh.shape[1]):
            raise ValueError(
                f"RecurrentLayer ({mode}): expected x (T, N, I){' batch_first' * batch_first}, "
                f"h0 (N, H_out), w_ih ({gates_count}, I), w_hh ({gates_count}, H_out); got x "
                f"{x.shape}, h0 {h0.shape}, w_ih {w_ih.shape}, w_hh {w_hh.shape}")
        xt = x.transpose(1, 0, 2) if batch_first else x  # (T, N, I)
        steps, n, _ = xt.shape
        self.mask = None if mask is None else np.asarray(mask, bool)[:, :, None]  # (T, N, 1)
        self.step_mask = None if mask is None else self.mask.transpose(0, 2, 1)  # (T, 1, N)
        bias = None
        if has_bias:
            bias = b_ih if mode == "gru" else b_ih + b_hh
        self.perm = None
        if lstm:
            w_ih, w_hh, bias = self._lstm_layout(w_ih, w_hh, bias)
        # xh1 (I + 1 + Hout, T, N) holds [X^T; 1; H_prev^T] for all steps: the input projection
        # reads its first I + 1 rows, the weight gradients all of them (H_prev is filled there)
        dtype = np.result_type(xt, w_ih)
        self.in_size = in_size = xt.shape[2]
        rows = in_size + 1 + w_hh.shape[1]
        # rows padded with zeros to a multiple of 8: the weight-gradient GEMM's output width
        # (157 -> 160 for the 28-input, 128-hidden LSTM: 2.65 -> 2.34 ms on 2 threads)
        self.xh1 = _take((-(-rows // 8) * 8, steps, n), dtype)
        np.copyto(self.xh1[:in_size], xt.transpose(2, 0, 1))
        self.xh1[in_size] = 1
        self.xh1[rows:] = 0
        # A_x[t] = [W_ih, b] [x_t^T; 1] for all steps, (T, G*H, N); the gates computed in place
        self.gates = _take((steps, w_ih.shape[0], n), dtype)
        if bias is None:
            np.matmul(w_ih, self.xh1[:in_size].transpose(1, 0, 2), out=self.gates)
        else:
            np.matmul(np.concatenate([w_ih, bias[:, None]], 1),
                      self.xh1[:in_size + 1].transpose(1, 0, 2), out=self.gates)
        order = range(steps - 1, -1, -1) if reverse else range(steps)
        self.order = order
        # hs[k]: the state before step k; the output y is a view of it (see _release)
        hs = _take((steps + 1, w_hh.shape[1], n), h0.dtype)
        hs[0] = h0.T
        self.hs = hs
        w_hh = np.ascontiguousarray(w_hh)
        run = {"lstm": self._lstm_forward, "gru": self._gru_forward}.get(mode, self._rnn_forward)
        cs = run(order, c0, w_hh, b_hh, w_hr)
        outs = self._finish(hs, cs)
        if batch_first:
            return (outs[0].transpose(1, 0, 2),) + outs[1:]
        return outs

    def _lstm_layout(self, w_ih, w_hh, bias):
        """LSTM speed trick: gates stored as (i, f, o, g) so the three sigmoids are one block,
        and the i, f, o rows of the weights halved, so one tanh over all four gates gives
        tanh(a/2) there and sigma(a) = 0.5 tanh(a/2) + 0.5 is two in-place ops on one block.
        The backward uses the unscaled, permuted weights kept in self.w_ih_p / self.w_hh_p."""
        hidden = w_ih.shape[0] // 4
        self.perm = np.r_[0:2 * hidden, 3 * hidden:4 * hidden, 2 * hidden:3 * hidden]
        scale = np.ones((4 * hidden, 1), w_ih.dtype)
        scale[:3 * hidden] = 0.5
        self.w_ih_p, self.w_hh_p = w_ih[self.perm], w_hh[self.perm]
        bias_s = None if bias is None else bias[self.perm] * scale[:, 0]
        return self.w_ih_p * scale, self.w_hh_p * scale, bias_s

    # --- forward loops (feature-major: a state is (H, N)) ---------------------------------
    def _select(self, t: int, new: np.ndarray, prev: np.ndarray) -> np.ndarray:
        """new <- where(mask_t, new, prev) in place (the skipped samples keep their state)."""
        if self.step_mask is not None:
            np.copyto(new, prev, where=~self.step_mask[t])
        return new

    def _rnn_forward(self, order, c0, w_hh, b_hh, w_hr):
        relu = self.mode == "rnn_relu"
        hs = self.hs
        rec = np.empty(hs.shape[1:], hs.dtype)
        for k, t in enumerate(order):
            a = self.gates[t]
            np.matmul(w_hh, hs[k], out=rec)
            a += rec
            if relu:
                np.maximum(a, 0, out=a)
            else:
                np.tanh(a, out=a)
            hs[k + 1] = a
            self._select(t, hs[k + 1], hs[k])
        return None

    def _lstm_forward(self, order, c0, w_hh, b_hh, w_hr):
        steps, four_h, n = self.gates.shape
        hidden = four_h // 4
        hs, dt = self.hs, self.hs.dtype
        cs = _take((steps + 1, hidden, n), dt)
        tcs = _take((steps, hidden, n), dt)  # tanh(c_t)
        raw = np.empty((steps, hidden, n), dt) if w_hr is not None else None  # o * tanh(c)
        cs[0] = c0.T
        tmp = np.empty((hidden, n), dt)
        rec = np.empty((four_h, n), dt)
        for k, t in enumerate(order):
            a = self.gates[t]  # (4H, N): i, f, o, g (pre-activations, i f o halved)
            np.matmul(w_hh, hs[k], out=rec)
            a += rec
            np.tanh(a, out=a)
            sig = a[:3 * hidden]
            sig *= 0.5
            sig += 0.5  # sigma(a) = 0.5 tanh(a / 2) + 0.5
            i, f = a[:hidden], a[hidden:2 * hidden]
            o, g = a[2 * hidden:3 * hidden], a[3 * hidden:]
            c = cs[k + 1]
            np.multiply(f, cs[k], out=c)
            np.multiply(i, g, out=tmp)
            c += tmp  # c_t = f * c_{t-1} + i * g
            np.tanh(c, out=tcs[k])
            if w_hr is None:
                np.multiply(o, tcs[k], out=hs[k + 1])  # h_t = o * tanh(c_t)
            else:
                np.multiply(o, tcs[k], out=raw[k])
                np.matmul(w_hr, raw[k], out=hs[k + 1])  # h_t = W_hr (o * tanh(c_t))
            self._select(t, c, cs[k])
            self._select(t, hs[k + 1], hs[k])
        self.cs, self.tcs, self.raw = cs, tcs, raw
        return cs

    def _gru_forward(self, order, c0, w_hh, b_hh, w_hr):
        steps, three_h, n = self.gates.shape
        hidden = three_h // 3
        hs, dt = self.hs, self.hs.dtype
        hn = np.empty((steps, hidden, n), dt)  # W_hn h + b_hn, needed by dr
        ah = np.empty((three_h, n), dt)
        b_col = None if b_hh is None else b_hh[:, None]
        for k, t in enumerate(order):
            a = self.gates[t]  # (3H, N): r, z, n (input parts)
            np.matmul(w_hh, hs[k], out=ah)
            if b_col is not None:
                ah += b_col
            rz = a[:2 * hidden]
            rz += ah[:2 * hidden]
            _sigmoid_(rz)
            r, z, nn_ = a[:hidden], a[hidden:2 * hidden], a[2 * hidden:]
            hn[k] = ah[2 * hidden:]
            np.multiply(r, hn[k], out=ah[:hidden])
            nn_ += ah[:hidden]
            np.tanh(nn_, out=nn_)  # n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
            h = hs[k + 1]
            np.subtract(hs[k], nn_, out=h)
            h *= z
            h += nn_  # h_t = (1 - z) * n + z * h_{t-1} = n + z * (h_{t-1} - n)
            self._select(t, h, hs[k])
        self.hn = hn
        return None

    def _finish(self, hs, cs):
        """y (T, N, Hout) in time order, h_n (N, Hout) and c_n (N, H) from the (H, N) states."""
        steps = hs.shape[0] - 1
        # the state after step t is hs[k + 1] with order[k] = t; y is a view of the states
        # (no copy: a model reading only h_n never pays for y; 0.5 ms per LSTM step here)
        y = (hs[:0:-1] if self.reverse else hs[1:]).transpose(0, 2, 1)
        if self.mask is not None and self.zero_masked_output:
            y = y * self.mask
        h_n = hs[steps].T.copy()
        if cs is None:
            return y, h_n
        return y, h_n, cs[steps].T.copy()

    # --- backward -------------------------------------------------------------------------
    def backward(self, dy, dh_n, dc_n=None):
        if state.enabled:
            raise RuntimeError(
                "RecurrentLayer (the fused RNN/LSTM/GRU layer) has a first-order backward only; "
                "create_graph=True (double backward) is not supported through it. Run the "
                "matching cell (nn.RNNCell/LSTMCell/GRUCell) in a Python loop instead.")
        lstm = self.mode == "lstm"
        inputs = self.inputs
        k = 3 if lstm else 2
        w_ih, w_hh = inputs[k]._data, inputs[k + 1]._data
        w_hr = inputs[-1]._data if self.has_proj else None
        # unused outputs arrive as None (_materialize = False): no zero arrays to add
        if dy is not None:
            dy = dy._data.transpose(1, 0, 2) if self.batch_first else dy._data  # (T, N, Hout)
            if self.mask is not None and self.zero_masked_output:
                dy = dy * self.mask
        # state gradients are feature-major (Hout, N) like the states
        dh = np.zeros(self.hs.shape[1:], self.hs.dtype) if dh_n is None else \
            np.array(dh_n._data.T, order="C", copy=True)
        if lstm:
            dc = np.zeros(self.cs.shape[1:], self.cs.dtype) if dc_n is None else \
                np.array(dc_n._data.T, order="C", copy=True)
            d_gates, d_gates_h, dh, dc, d_hr = self._lstm_backward(dy, dh, dc, w_hr)
        elif self.mode == "gru":
            d_gates, d_gates_h, dh = self._gru_backward(dy, dh, w_hh)
            dc = d_hr = None
        else:
            d_gates, d_gates_h, dh = self._rnn_backward(dy, dh, w_hh)
            dc = d_hr = None
        grads = self._param_grads(d_gates, d_gates_h, dh.T, None if dc is None else dc.T,
                                  d_hr, w_ih)
        _give(d_gates, None if d_gates_h is d_gates else d_gates_h)  # the grads are new arrays
        return grads

    def _release(self) -> None:
        """After the last backward through this node: its scratch arrays go to the pool."""
        d = self.__dict__
        _give(d.get("gates"), d.get("cs"), d.get("tcs"), d.get("xh1"))
        hs = d.pop("hs", None)
        # the states go back only when no view of them (the output y, a slice of it) is alive:
        # then only `hs` and getrefcount's argument refer to the array
        if hs is not None and sys.getrefcount(hs) <= 2:
            _give(hs)
        super()._release()

    def _param_grads(self, d_gates, d_gates_h, dh0, dc0, d_hr, w_ih):
        """With dA (G*H, T, N) = (G*H, T*N) the gate gradients of all steps side by side (the
        backward loops write step t to dA[:, t]) and [X^T; 1; H_prev^T] the inputs, a row of
        ones and the previous states of all steps:
            [dW_ih, db, dW_hh] = dA [X, 1, H_prev],  dX_t = dA_t^T W_ih: one GEMM each."""
        gh, steps, n = d_gates.shape
        dx = None
        if self.needs_input_grad[0]:
            dx = np.matmul(d_gates.transpose(1, 2, 0), w_ih if self.perm is None else self.w_ih_p)
            if self.batch_first:
                dx = dx.transpose(1, 0, 2)
        xh1, in_size, hout = self.xh1, self.in_size, self.hs.shape[1]
        # H_prev in time order: the state before step t is hs[k] with order[k] = t
        h_prev = self.hs[-2::-1] if self.reverse else self.hs[:-1]
        np.copyto(xh1[in_size + 1:in_size + 1 + hout], h_prev.transpose(1, 0, 2))
        xh1 = xh1.reshape(xh1.shape[0], steps * n)
        da = d_gates.reshape(gh, steps * n)
        if d_gates_h is d_gates:  # one GEMM for all: dA [X, 1, H_prev] = [dW_ih, db, dW_hh]
            both = da @ xh1.T
            d_w_ih, d_b_ih = both[:, :in_size], both[:, in_size]
            d_w_hh = both[:, in_size + 1:in_size + 1 + hout]
            d_b_hh = d_b_ih
        else:  # GRU: the recurrent part has its own gradient dA_h
            dah = d_gates_h.reshape(gh, steps * n)
            part_i, part_h = da @ xh1[:in_size + 1].T, dah @ xh1[in_size:].T
            d_w_ih, d_b_ih = part_i[:, :in_size], part_i[:, in_size]
            d_w_hh, d_b_hh = part_h[:, 1:1 + hout], part_h[:, 0]
        if self.perm is not None:  # LSTM: rows back from (i, f, o, g) to (i, f, g, o)
            inverse = np.argsort(self.perm)
            d_w_ih, d_w_hh, d_b_ih = d_w_ih[inverse], d_w_hh[inverse], d_b_ih[inverse]
            d_b_hh = d_b_ih
        d_w_ih, d_w_hh = np.ascontiguousarray(d_w_ih), np.ascontiguousarray(d_w_hh)
        grads = [dx, np.ascontiguousarray(dh0)]
        if self.mode == "lstm":
            grads.append(np.ascontiguousarray(dc0))
        grads += [d_w_ih, d_w_hh]
        if self.has_bias:
            grads += [np.ascontiguousarray(d_b_ih), np.array(d_b_hh)]
        if self.has_proj:
            grads.append(d_hr)
        return tuple(grads)

    def _order_pairs(self):
        """(k, t) pairs from the last processed step to the first."""
        order = list(self.order)
        return [(k, order[k]) for k in range(len(order) - 1, -1, -1)]

    def _split(self, t, dh):
        """At a skipped step the gradient passes straight to the previous state."""
        if self.step_mask is None:
            return dh, None
        m = self.step_mask[t]
        return dh * m, dh * ~m

    def _rnn_backward(self, dy, dh, w_hh):
        steps, hidden, n = self.gates.shape
        d_gates = _take((hidden, steps, n), self.gates.dtype)  # dA_t is d_gates[:, t]
        da = np.empty((hidden, n), self.gates.dtype)
        w_hh_t = np.ascontiguousarray(w_hh.T)
        relu = self.mode == "rnn_relu"
        for _k, t in self._order_pairs():
            if dy is not None:
                dh += dy[t].T
            dh_in, dh_skip = self._split(t, dh)
            h = self.gates[t]  # the activated h_t (before masking), (H, N)
            if relu:
                np.multiply(dh_in, h > 0, out=da)  # dL/da = dh * [h > 0]
            else:
                np.square(h, out=da)
                np.subtract(1, da, out=da)
                da *= dh_in  # dL/da = dh * (1 - h^2)
            d_gates[:, t] = da
            dh = w_hh_t @ da
            if dh_skip is not None:
                dh += dh_skip
        return d_gates, d_gates, dh

    def _lstm_backward(self, dy, dh, dc, w_hr):
        """Per step (gates stored i, f, o, g; the rows of dA in that order):
            dc_t = dc + dh * o * (1 - tanh(c)^2)
            di = dc_t * g * i (1 - i),  df = dc_t * c_{t-1} * f (1 - f)
            do = dh * tanh(c) * o (1 - o),  dg = dc_t * i * (1 - g^2)
            dc_{t-1} = dc_t * f,  dh_{t-1} = W_hh^T dA
        The slopes are computed per step, while that step's gates are in cache."""
        steps, four_h, n = self.gates.shape
        hidden = four_h // 4
        three_h = 3 * hidden
        w_hh_t = np.ascontiguousarray(self.w_hh_p.T)  # (Hout, 4H)
        w_hr_t = None if w_hr is None else np.ascontiguousarray(w_hr.T)  # (H, P)
        d_gates = _take((four_h, steps, n), self.gates.dtype)  # dA_t is d_gates[:, t]
        # dA_t is computed in a compact (4H, N) scratch and copied: written in place into the
        # strided d_gates[:, t], the step took 15% longer
        da = np.empty((four_h, n), self.gates.dtype)
        d_hs = np.empty((steps, w_hr.shape[0], n), w_hr.dtype) if w_hr is not None else None
        dt = dc.dtype
        dct, d_sig = np.empty((hidden, n), dt), np.empty((three_h, n), dt)
        d_g, d_tc = np.empty((hidden, n), dt), np.empty((hidden, n), dt)
        for k, t in self._order_pairs():
            if dy is not None:
                dh += dy[t].T
            dh_in, dh_skip = self._split(t, dh)
            dc_in, dc_skip = self._split(t, dc)
            a = self.gates[t]
            i, f = a[:hidden], a[hidden:2 * hidden]
            o, g = a[2 * hidden:three_h], a[three_h:]
            tc = self.tcs[k]
            if w_hr is not None:
                d_hs[k] = dh_in  # the gradient reaching h_t = W_hr (o * tanh(c_t))
                dh_in = w_hr_t @ dh_in  # d(o * tanh(c)) = W_hr^T dh
            np.square(tc, out=d_tc)
            np.subtract(1, d_tc, out=d_tc)  # 1 - tanh(c)^2
            np.multiply(dh_in, o, out=dct)
            dct *= d_tc
            dct += dc_in  # dc_t = dc + dh * o * (1 - tanh(c)^2)
            np.multiply(dct, g, out=da[:hidden])
            np.multiply(dct, self.cs[k], out=da[hidden:2 * hidden])
            np.multiply(dh_in, tc, out=da[2 * hidden:three_h])
            sig = a[:three_h]
            np.subtract(1, sig, out=d_sig)
            d_sig *= sig
            da[:three_h] *= d_sig  # di, df, do: times s (1 - s)
            np.square(g, out=d_g)
            np.subtract(1, d_g, out=d_g)
            dg = da[three_h:]
            np.multiply(dct, i, out=dg)
            dg *= d_g  # dg = dc_t * i * (1 - g^2)
            dc = dct * f
            d_gates[:, t] = da
            dh = w_hh_t @ da
            if dh_skip is not None:
                dh += dh_skip
                dc += dc_skip
        d_hr = None
        if w_hr is not None:
            # dW_hr = sum_t dh_t (o * tanh(c_t))^T, with dh_t the masked state gradients
            d_hr = np.matmul(d_hs, self.raw.transpose(0, 2, 1)).sum(0)
        return d_gates, d_gates, dh, dc, d_hr

    def _gru_backward(self, dy, dh, w_hh):
        steps, three_h, n = self.gates.shape
        hidden = three_h // 3
        w_hh_t = np.ascontiguousarray(w_hh.T)
        dt = self.gates.dtype
        d_gates = _take((three_h, steps, n), dt)  # w.r.t. the input parts (r, z, n), [:, t]
        d_gates_h = _take((three_h, steps, n), dt)  # w.r.t. W_hh h + b_hh (r, z, hn)
        da, dah = np.empty((three_h, n), dt), np.empty((three_h, n), dt)
        tmp = np.empty((hidden, n), self.gates.dtype)
        for k, t in self._order_pairs():
            if dy is not None:
                dh += dy[t].T
            dh_in, dh_skip = self._split(t, dh)
            a = self.gates[t]
            r, z, nn_ = a[:hidden], a[hidden:2 * hidden], a[2 * hidden:]
            h_prev = self.hs[k]
            dr, dz, dn = da[:hidden], da[hidden:2 * hidden], da[2 * hidden:]
            np.subtract(h_prev, nn_, out=dz)
            dz *= dh_in
            _dsigmoid(dz, z)  # dz = dh (h_{t-1} - n) z (1 - z)
            np.subtract(1, z, out=dn)
            dn *= dh_in
            np.square(nn_, out=tmp)
            np.subtract(1, tmp, out=tmp)
            dn *= tmp  # dn = dh (1 - z) (1 - n^2)
            np.multiply(dn, self.hn[k], out=dr)
            _dsigmoid(dr, r)  # dr = dn (W_hn h + b_hn) r (1 - r)
            dah[:2 * hidden] = da[:2 * hidden]
            np.multiply(dn, r, out=dah[2 * hidden:])  # d(W_hn h + b_hn) = dn r
            d_gates[:, t], d_gates_h[:, t] = da, dah
            dh_next = w_hh_t @ dah
            np.multiply(dh_in, z, out=tmp)
            dh_next += tmp
            if dh_skip is not None:
                dh_next += dh_skip
            dh = dh_next
        return d_gates, d_gates_h, dh
