"""The Keras recurrent layers' step-by-step path, used while training with recurrent_dropout.

The fused recurrent primitive multiplies the whole state by W_hh in one GEMM per step, so it
cannot drop a different set of state units for each gate. Keras does (its `implementation=1`,
which recurrent_dropout selects): for each gate j one input mask d_j (batch, features) and one
state mask m_j (batch, units), drawn once per batch and shared by all steps, kept units
scaled by 1 / (1 - rate). With kernel K, recurrent_kernel R and bias b, gates side by side
(column block j):

    SimpleRNN  h_t = act((x_t * d) K + b + (h * m) R)                 (one mask each)
    LSTM       a_j = (x_t * d_j) K_j + b_j + (h * m_j) R_j,  j = i, f, c, o
               c_t = sigma(a_f) c_{t-1} + sigma(a_i) tanh(a_c),  h_t = sigma(a_o) tanh(c_t)
    GRU        z = sigma((x_t * d_z) K_z + b_z + (h * m_z) R_z + b'_z),  r alike,
               hh = tanh((x_t * d_h) K_h + b_h + r ((h * m_h) R_h + b'_h)),
               h_t = z h_{t-1} + (1 - z) hh                            (unmasked h_{t-1})
               reset_after=False: no b', and hh = tanh(... + (r * h * m_h) R_h)

It also runs GRU(reset_after=False) without dropout (masks None), which the fused kernel
does not compute.

This path runs those formulas with tensor ops, one small product per gate and step (the
input parts of all steps up front), and autograd gives the gradients; it is several times
slower than the fused kernel, as Keras's own recurrent_dropout path is slower than cuDNN's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import creation
from ...ops.elementwise import where
from ...ops.shape import stack
from ...tensor import Tensor


def run_steps(layer: Any, inputs: Tensor, states: list[Tensor], mask: np.ndarray | None,
              in_masks: list[Tensor] | None, rec_masks: list[Tensor] | None
              ) -> tuple[Tensor, list[Tensor]]:
    """The layer over the sequence inputs (batch, T, features) from `states`: the outputs in
    time order (batch, T, units) (the state after step t, or 0 at a masked step with
    zero_output_for_mask) and the final states, as the fused path returns them."""
    steps, units, gates = inputs.shape[1], layer.units, layer._gates
    mode = layer._mode
    kernel, recurrent = layer.kernel, layer.recurrent_kernel
    reset_after = getattr(layer, "reset_after", True)
    b_in = b_rec = None
    if layer.use_bias:
        b_in, b_rec = (layer.bias[0], layer.bias[1]) if mode == "gru" and reset_after else \
            (layer.bias, None)

    def block(w: Tensor, j: int) -> Tensor:
        return w[..., j * units:(j + 1) * units]

    # the input part of every gate for all steps: (x * d_j) K_j + b_j, (batch, T, units)
    parts = []
    for j in range(gates):
        x = inputs if in_masks is None else inputs * in_masks[j].unsqueeze(1)
        part = x @ block(kernel, j)
        parts.append(part if b_in is None else part + block(b_in, j))
    act = layer.activation
    gate_act = getattr(layer, "recurrent_activation", None)
    h, c = states[0], (states[1] if mode == "lstm" else None)
    outputs: list[Tensor | None] = [None] * steps
    order = range(steps - 1, -1, -1) if layer.go_backwards else range(steps)
    for t in order:
        hm = [h if rec_masks is None else h * rec_masks[j] for j in range(gates)]
        if mode == "gru" and not reset_after:  # the reset gate before the product
            rec = [hm[j] @ block(recurrent, j) for j in range(2)]
        else:
            rec = [hm[j] @ block(recurrent, j) for j in range(gates)]
        c_new = None
        if mode == "lstm":
            a = [parts[j][:, t] + rec[j] for j in range(gates)]
            c_new = gate_act(a[1]) * c + gate_act(a[0]) * act(a[2])
            h_new = gate_act(a[3]) * act(c_new)
        elif mode == "gru":
            if b_rec is not None:
                rec = [rec[j] + block(b_rec, j) for j in range(gates)]
            z = gate_act(parts[0][:, t] + rec[0])
            r = gate_act(parts[1][:, t] + rec[1])
            rec_h = r * rec[2] if reset_after else (r * hm[2]) @ block(recurrent, 2)
            h_new = z * h + (1 - z) * act(parts[2][:, t] + rec_h)
        else:
            h_new = act(parts[0][:, t] + rec[0])
        out = h_new
        if mask is not None:  # a masked step carries the state over
            keep = Tensor._wrap(mask[:, t:t + 1])
            h_new = where(keep, h_new, h)
            c_new = None if c is None else where(keep, c_new, c)
            out = h_new * keep.to(h_new.dtype) if layer.zero_output_for_mask else h_new
        outputs[t] = out
        h, c = h_new, c_new
    if steps == 0:
        sequence = creation.zeros(inputs.shape[0], 0, units, dtype=inputs.dtype)
    else:
        sequence = stack(outputs, 1)
    return sequence, [h] + ([c] if mode == "lstm" else [])
