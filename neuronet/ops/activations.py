"""Activations: y = f(x), dL/dx = dL/dy * f'(x).

    tanh    f' = 1 - y**2
    sigmoid f' = y (1 - y)         (computed as PyTorch does: see sigmoid_array)
    relu    f' = 1 if x > 0 else 0 (the mask applied by MaskMul, made from the kept output)
Large arrays are worked on in blocks of the batch axis spread over the BLAS threads.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from . import _blocks
from ._util import float_operand


class Tanh(Function):
    """y = tanh(x);  dL/dx = g * (1 - y**2)"""

    saves_output = True

    def forward(self, x):
        return np.tanh(x)

    def backward(self, g):
        y = self.output()
        return g * (1.0 - y * y)


def sigmoid_array(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)) in place on one new array, as PyTorch computes it: full relative
    precision in both tails (0.5 tanh(x / 2) + 0.5, the same function, rounds to 0 below
    x = -17 in float32 where the true value is ~4e-8); exp(-x) overflowing to inf for
    x < -88 (float32) gives the right limit 0."""
    y = np.asarray(np.negative(x))  # asarray: a 0-d input gives a NumPy scalar
    with np.errstate(over="ignore"):
        np.exp(y, out=y)
    y += 1
    np.reciprocal(y, out=y)
    return y


class Sigmoid(Function):
    """y = 1 / (1 + exp(-x));  dL/dx = g * y * (1 - y)  (see sigmoid_array)"""

    saves_output = True

    def forward(self, x):
        return sigmoid_array(x)

    def backward(self, g):
        y = self.output()
        return g * (y * (1.0 - y))


def _in_batch_blocks(work: Any, *arrays: np.ndarray) -> None:
    """work(index) with index = slices [s:e] of the first axis, spread over the BLAS threads
    when the arrays are large (ops._blocks.run_blocks); index ... for 0-d arrays."""
    a = arrays[0]
    if a.ndim == 0 or a.nbytes < _blocks.SMALL_BYTES:  # small: threads cost more than they win
        work(...)
    else:
        _blocks.run_blocks(lambda s, e: work(slice(s, e)), a.shape[0],
                   sum(b[:1].nbytes for b in arrays))


class Relu(Function):
    """y = max(x, 0);  dL/dx = g where x > 0, else 0

    The mask y > 0 (= x > 0) is made in backward, from the kept output (as PyTorch keeps it:
    changing x in place afterwards is allowed): a ReLU whose output only feeds a max-pool
    never runs backward (max_pool2d pools its input instead) and never pays for a mask."""

    saves_output = True
    uses_input_values = False

    def forward(self, x):
        y = np.empty_like(x)  # laid out like x

        def work(i: Any) -> None:
            np.maximum(x[i], 0, out=y[i])

        _in_batch_blocks(work, x, y)
        return y

    def backward(self, g):
        y = self.output()._data
        # the mask laid out like g, so that g * mask runs over matching memory (a Flatten's
        # gradient is NCHW while a conv's output is channels-last: mixed layouts made the
        # multiply 16x slower, 0.96 vs 0.06 ms on (128, 64, 5, 5); the compare absorbs it)
        mask = np.empty_like(g._data, dtype=bool)
        ym, mm = _memory_order(mask, y)[::-1]

        def work(i: Any) -> None:
            np.greater(ym[i], 0, out=mm[i])

        _in_batch_blocks(work, ym, mm)
        return MaskMul.apply(g, mask=mask)


def _memory_order(*arrays: np.ndarray) -> tuple:
    """The arrays with their axes permuted alike so that the first one's strides decrease
    (C order for a transposed contiguous array, e.g. a conv's channels-last output seen as
    (N, C, H, W)). Ufuncs that cast (float * bool) iterate their buffers in the order they are
    given: over a transposed view that was 10x slower (MaskMul on (128, 32, 13, 13)
    channels-last: 1.7 ms vs 0.15 ms)."""
    a = arrays[0]
    order = sorted(range(a.ndim), key=lambda i: -abs(a.strides[i]))
    if order == list(range(a.ndim)):
        return arrays
    return tuple(b.transpose(order) for b in arrays)


class MaskMul(Function):
    """y = g * mask for a constant boolean mask;  dL/dg = dL/dy * mask

    NOTE: 3x faster than np.where(mask, g, 0) here; adding +0.0 turns the -0.0 that
    negative g * False gives into 0.0, so printed gradients read as PyTorch's."""

    uses_input_values = False

    def forward(self, g, mask):
        self.mask = mask
        out = np.empty_like(g)  # laid out like g
        gm, mm, om = _memory_order(g, mask, out)

        def work(i: Any) -> None:
            np.multiply(gm[i], mm[i], out=om[i])
            om[i] += 0.0

        _in_batch_blocks(work, gm, om, mm)
        return out

    def backward(self, grad):
        return MaskMul.apply(grad, mask=self.mask)


def tanh(x: Any) -> Tensor:
    return Tanh.apply(float_operand(x))


def sigmoid(x: Any) -> Tensor:
    return Sigmoid.apply(float_operand(x))


def relu(x: Any) -> Tensor:
    return Relu.apply(x)
