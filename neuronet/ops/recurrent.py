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

Implementation. Forward: the input projections of all T steps are one GEMM up front,
    A_x = X W_ih^T + b     (T*N, G*H),
then each step is one GEMM h_{t-1} W_hh^T for all gates plus in-place ufuncs on the gates.
Backward (backpropagation through time) runs the steps in reverse with NumPy: per step the
gate gradients dA_t (N, G*H) from the saved activations, and one GEMM dh_{t-1} = dA_t W_hh.
The weight gradients are then one GEMM each over all steps:
    dW_ih = dA^T X,  dW_hh = dA^T H_prev,  db = sum(dA),  dX = dA W_ih.
So a layer is O(1) graph nodes instead of O(T * ops).

Masking (packed sequences, Keras masks): `mask` (T, N) bool; where mask[t, n] is False the
step is skipped for sample n: its state is carried over unchanged and its output is 0
(`zero_masked_output=True`, PyTorch's packed sequences) or the carried state (Keras).

NOTE: the backward of `RecurrentLayer` is first order only (it runs on arrays). With
create_graph=True it raises; use the cells (`nn.LSTMCell`, ...) in a loop for higher-order
gradients.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import state
from ._util import column_sums

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
        gh_size = w_ih.shape[0]
        self.x2 = np.ascontiguousarray(xt).reshape(steps * n, -1)
        self.mask = None if mask is None else np.asarray(mask, bool)[:, :, None]  # (T, N, 1)
        bias = None
        if has_bias:
            bias = b_ih if mode == "gru" else b_ih + b_hh
        self.perm = None
        if lstm:
            w_ih, w_hh, bias = self._lstm_layout(w_ih, w_hh, bias)
        # A_x = X W_ih^T + b for all steps at once; the gates are computed in place in it.
        self.gates = _take((steps, n, gh_size), np.result_type(self.x2, w_ih))
        np.matmul(self.x2, w_ih.T, out=self.gates.reshape(steps * n, gh_size))
        if bias is not None:
            self.gates += bias
        order = range(steps - 1, -1, -1) if reverse else range(steps)
        run = {"lstm": self._lstm_forward, "gru": self._gru_forward}.get(mode, self._rnn_forward)
        outs = run(order, h0, c0, w_hh, b_hh, w_hr)
        if batch_first:
            return (outs[0].transpose(1, 0, 2),) + outs[1:]
        return outs

    def _lstm_layout(self, w_ih, w_hh, bias):
        """LSTM speed trick: gates stored as (i, f, o, g) so the three sigmoids are one block,
        and the i, f, o rows of the weights halved, so one tanh over all four gates gives
        tanh(a/2) there and sigma(a) = 0.5 tanh(a/2) + 0.5 is two in-place ops on one slice.
        The backward uses the unscaled, permuted weights kept in self.w_ih_p / self.w_hh_p."""
        hidden = w_ih.shape[0] // 4
        self.perm = np.r_[0:2 * hidden, 3 * hidden:4 * hidden, 2 * hidden:3 * hidden]
        scale = np.ones((4 * hidden, 1), w_ih.dtype)
        scale[:3 * hidden] = 0.5
        self.w_ih_p, self.w_hh_p = w_ih[self.perm], w_hh[self.perm]
        bias_s = None if bias is None else bias[self.perm] * scale[:, 0]
        return self.w_ih_p * scale, self.w_hh_p * scale, bias_s

    # --- forward loops --------------------------------------------------------------------
    def _select(self, t: int, new: np.ndarray, prev: np.ndarray) -> np.ndarray:
        """new <- where(mask_t, new, prev) in place (the skipped samples keep their state)."""
        if self.mask is not None:
            np.copyto(new, prev, where=~self.mask[t])
        return new

    def _rnn_forward(self, order, h0, c0, w_hh, b_hh, w_hr):
        relu = self.mode == "rnn_relu"
        steps, n, hidden = self.gates.shape
        hs = np.empty((steps + 1, n, hidden), h0.dtype)  # hs[k]: the state before step k
        hs[0] = h0
        w_hh_t = w_hh.T
        for k, t in enumerate(order):
            a = self.gates[t]
            a += hs[k] @ w_hh_t
            if relu:
                np.maximum(a, 0, out=a)
            else:
                np.tanh(a, out=a)
            hs[k + 1] = a
            self._select(t, hs[k + 1], hs[k])
        self.hs, self.order = hs, order
        return self._finish(order, hs, None)

    def _lstm_forward(self, order, h0, c0, w_hh, b_hh, w_hr):
        steps, n, four_h = self.gates.shape
        hidden = four_h // 4
        out_size = h0.shape[1]
        dt = h0.dtype
        hs = _take((steps + 1, n, out_size), dt)
        cs = _take((steps + 1, n, hidden), dt)
        tcs = _take((steps, n, hidden), dt)  # tanh(c_t)
        raw = np.empty((steps, n, hidden), dt) if w_hr is not None else None  # o * tanh(c)
        hs[0], cs[0] = h0, c0
        w_hh_t = w_hh.T
        tmp = np.empty((n, hidden), dt)
        rec = np.empty((n, 4 * hidden), dt)
        for k, t in enumerate(order):
            a = self.gates[t]  # (N, 4H): i, f, o, g (pre-activations, i f o halved)
            np.matmul(hs[k], w_hh_t, out=rec)
            a += rec
            np.tanh(a, out=a)
            sig = a[:, :3 * hidden]
            sig *= 0.5
            sig += 0.5  # sigma(a) = 0.5 tanh(a / 2) + 0.5
            i, f = a[:, :hidden], a[:, hidden:2 * hidden]
            o, g = a[:, 2 * hidden:3 * hidden], a[:, 3 * hidden:]
            c = cs[k + 1]
            np.multiply(f, cs[k], out=c)
            np.multiply(i, g, out=tmp)
            c += tmp  # c_t = f * c_{t-1} + i * g
            np.tanh(c, out=tcs[k])
            if w_hr is None:
                np.multiply(o, tcs[k], out=hs[k + 1])  # h_t = o * tanh(c_t)
            else:
                np.multiply(o, tcs[k], out=raw[k])
                np.matmul(raw[k], w_hr.T, out=hs[k + 1])  # h_t = W_hr (o * tanh(c_t))
            self._select(t, c, cs[k])
            self._select(t, hs[k + 1], hs[k])
        self.hs, self.cs, self.tcs, self.raw, self.order = hs, cs, tcs, raw, order
        return self._finish(order, hs, cs)

    def _gru_forward(self, order, h0, c0, w_hh, b_hh, w_hr):
        steps, n, three_h = self.gates.shape
        hidden = three_h // 3
        dt = h0.dtype
        hs = np.empty((steps + 1, n, hidden), dt)
        hn = np.empty((steps, n, hidden), dt)  # W_hn h + b_hn, needed by dr
        hs[0] = h0
        w_hh_t = w_hh.T
        for k, t in enumerate(order):
            a = self.gates[t]  # (N, 3H): r, z, n (input parts)
            ah = hs[k] @ w_hh_t
            if b_hh is not None:
                ah += b_hh
            a[:, :2 * hidden] += ah[:, :2 * hidden]
            _sigmoid_(a[:, :2 * hidden])
            r, z, nn_ = a[:, :hidden], a[:, hidden:2 * hidden], a[:, 2 * hidden:]
            hn[k] = ah[:, 2 * hidden:]
            nn_ += r * hn[k]
            np.tanh(nn_, out=nn_)  # n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
            h = hs[k + 1]
            np.subtract(hs[k], nn_, out=h)
            h *= z
            h += nn_  # h_t = (1 - z) * n + z * h_{t-1} = n + z * (h_{t-1} - n)
            self._select(t, h, hs[k])
        self.hs, self.hn, self.order = hs, hn, order
        return self._finish(order, hs, None)

    def _finish(self, order, hs, cs):
        steps = len(order)
        y = np.empty_like(hs[1:])
        if steps:
            idx = np.fromiter(order, np.intp, steps)
            y[idx] = hs[1:]
        if self.mask is not None and self.zero_masked_output:
            y *= self.mask
        h_n = hs[steps].copy()
        if cs is None:
            return y, h_n
        return y, h_n, cs[steps].copy()

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
        dh = np.zeros_like(self.hs[0]) if dh_n is None else np.array(dh_n._data, copy=True)
        if lstm:
            dc = np.zeros_like(self.cs[0]) if dc_n is None else dc_n._data
            d_gates, d_gates_h, dh, dc, d_hr = self._lstm_backward(dy, dh, dc, w_hh, w_hr)
        elif self.mode == "gru":
            d_gates, d_gates_h, dh = self._gru_backward(dy, dh, w_hh)
            dc = d_hr = None
        else:
            d_gates, d_gates_h, dh = self._rnn_backward(dy, dh, w_hh)
            dc = d_hr = None
        grads = self._param_grads(d_gates, d_gates_h, dh, dc, d_hr, w_ih)
        _give(d_gates, None if d_gates_h is d_gates else d_gates_h)  # the grads are new arrays
        return grads

    def _release(self) -> None:
        """After the last backward through this node: its scratch arrays go to the pool."""
        d = self.__dict__
        _give(d.get("gates"), d.get("hs"), d.get("cs"), d.get("tcs"))
        super()._release()

    def _param_grads(self, d_gates, d_gates_h, dh0, dc0, d_hr, w_ih):
        """dX = dA W_ih, dW_ih = dA^T X, dW_hh = dA_h^T H_prev, db = sum(dA): one GEMM each."""
        steps, n, gh = d_gates.shape
        need = self.needs_input_grad
        da = d_gates.reshape(steps * n, gh)
        dah = d_gates_h.reshape(steps * n, gh)
        dx = None
        if need[0]:
            dx = (da @ (w_ih if self.perm is None else self.w_ih_p)).reshape(steps, n, -1)
            if self.batch_first:
                dx = dx.transpose(1, 0, 2)
        # H_prev in time order: the state before step t is hs[k] with order[k] = t
        h_prev = self.hs[:-1]
        if self.reverse:
            h_prev = np.ascontiguousarray(h_prev[::-1])
        h_prev = h_prev.reshape(steps * n, -1)
        if dah is da:  # one GEMM for both: [X, H_prev]^T dA = [dW_ih^T; dW_hh^T]
            xh = _take((steps * n, self.x2.shape[1] + h_prev.shape[1]), da.dtype)
            np.concatenate([self.x2, h_prev], 1, out=xh)
            both = xh.T @ da
            _give(xh)
            d_w_ih, d_w_hh = both[:self.x2.shape[1]].T, both[self.x2.shape[1]:].T
        else:
            d_w_ih, d_w_hh = (self.x2.T @ da).T, (h_prev.T @ dah).T
        d_b_ih = column_sums(da) if self.has_bias else None
        d_b_hh = column_sums(dah) if self.has_bias and dah is not da else d_b_ih
        if self.perm is not None:  # LSTM: rows back from (i, f, o, g) to (i, f, g, o)
            inverse = np.argsort(self.perm)
            d_w_ih, d_w_hh = d_w_ih[inverse], d_w_hh[inverse]
            if self.has_bias:
                d_b_ih = d_b_hh = d_b_ih[inverse]
        d_w_ih, d_w_hh = np.ascontiguousarray(d_w_ih), np.ascontiguousarray(d_w_hh)
        grads = [dx, dh0] + ([dc0] if self.mode == "lstm" else []) + [d_w_ih, d_w_hh]
        if self.has_bias:
            grads += [d_b_ih, d_b_hh.copy() if d_b_hh is d_b_ih else d_b_hh]
        if self.has_proj:
            grads.append(d_hr)
        return tuple(grads)

    def _order_pairs(self):
        """(k, t) pairs from the last processed step to the first."""
        order = list(self.order)
        return [(k, order[k]) for k in range(len(order) - 1, -1, -1)]

    def _split(self, t, dh):
        """At a skipped step the gradient passes straight to the previous state."""
        if self.mask is None:
            return dh, None
        m = self.mask[t]
        return dh * m, dh * ~m

    def _rnn_backward(self, dy, dh, w_hh):
        steps, n, hidden = self.gates.shape
        d_gates = np.empty_like(self.gates)
        relu = self.mode == "rnn_relu"
        for _k, t in self._order_pairs():
            if dy is not None:
                dh += dy[t]
            dh_in, dh_skip = self._split(t, dh)
            h = self.gates[t]  # the activated h_t (before masking)
            da = d_gates[t]
            if relu:
                np.multiply(dh_in, h > 0, out=da)  # dL/da = dh * [h > 0]
            else:
                np.multiply(h, h, out=da)
                np.subtract(1, da, out=da)
                da *= dh_in  # dL/da = dh * (1 - h^2)
            dh = da @ w_hh
            if dh_skip is not None:
                dh += dh_skip
        return d_gates, d_gates, dh

    def _lstm_backward(self, dy, dh, dc, w_hh, w_hr):
        """Per step (gates stored i, f, o, g; the rows of dA in that order):
            dc_t = dc + dh * o * (1 - tanh(c)^2)
            di = dc_t * g * i (1 - i),  df = dc_t * c_{t-1} * f (1 - f)
            do = dh * tanh(c) * o (1 - o),  dg = dc_t * i * (1 - g^2)
            dc_{t-1} = dc_t * f,  dh_{t-1} = dA W_hh
        The slopes are computed per step, while that step's gates are in cache."""
        steps, n, four_h = self.gates.shape
        hidden = four_h // 4
        three_h = 3 * hidden
        w_hh = self.w_hh_p
        dc = np.array(dc, copy=True)
        d_gates = _take(self.gates.shape, self.gates.dtype)
        d_hs = np.empty((steps, n, w_hr.shape[0]), w_hr.dtype) if w_hr is not None else None
        dt = dc.dtype
        dct, d_sig = np.empty((n, hidden), dt), np.empty((n, three_h), dt)
        d_g, d_tc = np.empty((n, hidden), dt), np.empty((n, hidden), dt)
        for k, t in self._order_pairs():
            if dy is not None:
                dh += dy[t]
            dh_in, dh_skip = self._split(t, dh)
            dc_in, dc_skip = self._split(t, dc)
            a = self.gates[t]
            i, f = a[:, :hidden], a[:, hidden:2 * hidden]
            o, g = a[:, 2 * hidden:three_h], a[:, three_h:]
            tc = self.tcs[k]
            if w_hr is not None:
                d_hs[k] = dh_in  # the gradient reaching h_t = W_hr (o * tanh(c_t))
                dh_in = dh_in @ w_hr  # d(o * tanh(c)) = dh W_hr
            da = d_gates[t]
            np.multiply(tc, tc, out=d_tc)
            np.subtract(1, d_tc, out=d_tc)  # 1 - tanh(c)^2
            np.multiply(dh_in, o, out=dct)
            dct *= d_tc
            dct += dc_in  # dc_t = dc + dh * o * (1 - tanh(c)^2)
            np.multiply(dct, g, out=da[:, :hidden])
            np.multiply(dct, self.cs[k], out=da[:, hidden:2 * hidden])
            np.multiply(dh_in, tc, out=da[:, 2 * hidden:three_h])
            sig = a[:, :three_h]
            np.subtract(1, sig, out=d_sig)
            d_sig *= sig
            da[:, :three_h] *= d_sig  # di, df, do: times s (1 - s)
            np.multiply(g, g, out=d_g)
            np.subtract(1, d_g, out=d_g)
            dg = da[:, three_h:]
            np.multiply(dct, i, out=dg)
            dg *= d_g  # dg = dc_t * i * (1 - g^2)
            dc = dct * f
            dh = da @ w_hh
            if dh_skip is not None:
                dh += dh_skip
                dc += dc_skip
        d_hr = None
        if w_hr is not None:
            # dW_hr = sum_t dh_t^T (o * tanh(c_t)), with dh_t the masked state gradients
            d_hr = d_hs.reshape(steps * n, -1).T @ self.raw.reshape(steps * n, -1)
        return d_gates, d_gates, dh, dc, d_hr

    def _gru_backward(self, dy, dh, w_hh):
        steps, n, three_h = self.gates.shape
        hidden = three_h // 3
        d_gates = np.empty_like(self.gates)  # w.r.t. the input projections (r, z, n)
        d_gates_h = np.empty_like(self.gates)  # w.r.t. W_hh h + b_hh (r, z, hn)
        for k, t in self._order_pairs():
            if dy is not None:
                dh += dy[t]
            dh_in, dh_skip = self._split(t, dh)
            a = self.gates[t]
            r, z, nn_ = a[:, :hidden], a[:, hidden:2 * hidden], a[:, 2 * hidden:]
            h_prev = self.hs[k]
            da, dah = d_gates[t], d_gates_h[t]
            dr, dz, dn = da[:, :hidden], da[:, hidden:2 * hidden], da[:, 2 * hidden:]
            np.subtract(h_prev, nn_, out=dz)
            dz *= dh_in
            _dsigmoid(dz, z)  # dz = dh (h_{t-1} - n) z (1 - z)
            np.subtract(1, z, out=dn)
            dn *= dh_in
            dn *= 1 - nn_ * nn_  # dn = dh (1 - z) (1 - n^2)
            np.multiply(dn, self.hn[k], out=dr)
            _dsigmoid(dr, r)  # dr = dn (W_hn h + b_hn) r (1 - r)
            dah[:, :2 * hidden] = da[:, :2 * hidden]
            np.multiply(dn, r, out=dah[:, 2 * hidden:])  # d(W_hn h + b_hn) = dn r
            dh_next = dah @ w_hh
            dh_next += dh_in * z
            if dh_skip is not None:
                dh_next += dh_skip
            dh = dh_next
        return d_gates, d_gates_h, dh
