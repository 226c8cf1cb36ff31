"""Recurrent layers SimpleRNN, LSTM, GRU with Keras's weight layout and defaults.

Keras keeps kernel (input_dim, G*units) and recurrent_kernel (units, G*units), gates side by
side along the last axis:
    SimpleRNN  h_t = activation(x_t kernel + h_{t-1} recurrent_kernel + bias)
    LSTM       gates i, f, c, o:  i = sigma(x K_i + h R_i + b_i), f, o alike,
               c_t = f * c_{t-1} + i * tanh(x K_c + h R_c + b_c),  h_t = o * tanh(c_t)
    GRU        gates z, r, h (reset_after=True, bias (2, 3*units) = input and recurrent bias):
               z = sigma(x K_z + b_z + h R_z + b'_z),  r alike,
               hh = tanh(x K_h + b_h + r * (h R_h + b'_h)),  h_t = z * h_{t-1} + (1 - z) * hh
               (reset_after=False: one bias b, hh = tanh(x K_h + b_h + (r * h) R_h))
The layers run on the fused recurrent primitive (`neuronet.ops.recurrent`) with the weights
viewed in PyTorch's layout (W_ih = kernel^T, gate columns reordered for GRU), so gradients
reach the Keras weights through those views. Training with recurrent_dropout, and GRU with
reset_after=False, run step by step instead (keras/layers/_rnn_steps.py).

Masking: a `mask` (batch, timesteps) argument, or the `_keras_mask` that `Embedding(mask_zero=
True)` and `Masking` attach to their outputs, makes the layer skip masked steps (state carried
over; the output there repeats the carried state, or is 0 with zero_output_for_mask=True,
which `Bidirectional` sets when it returns sequences, as Keras does).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import creation
from ... import random as _random
from ...ops.recurrent import RecurrentLayer
from ...tensor import Tensor
from .. import activations
from ._gate_weights import GateWeights
from ._rnn_steps import run_steps
from .layer import Layer


def _mask_array(mask: Any) -> np.ndarray | None:
    if mask is None:
        return None
    arr = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    return arr.astype(bool)


class _RNN(GateWeights, Layer):
    """Shared machinery: weights, states, masking, dropout; subclasses set the gate maths."""

    _gates = 1
    _mode = "rnn_tanh"

    def __init__(self, units: int, activation: Any = "tanh", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, recurrent_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, recurrent_constraint: Any = None,
                 bias_constraint: Any = None, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, return_sequences: bool = False,
                 return_state: bool = False, go_backwards: bool = False, stateful: bool = False,
                 unroll: bool = False, zero_output_for_mask: bool = False,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._set_weight_args(units, activation, use_bias, kernel_initializer,
                              recurrent_initializer, bias_initializer, kernel_regularizer,
                              recurrent_regularizer, bias_regularizer, kernel_constraint,
                              recurrent_constraint, bias_constraint, dropout, recurrent_dropout,
                              seed)
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.stateful, self.unroll = bool(go_backwards), bool(stateful), \
            bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.states: list[np.ndarray] | None = None  # the carried states when stateful
        self._check_activations()

    def _check_activations(self) -> None:
        name = getattr(self.activation, "__name__", None)
        if name not in ("tanh", "relu"):
            raise ValueError(f"{type(self).__name__}: activation must be 'tanh' or 'relu' (the "
                             f"fused kernel's nonlinearities), received {name!r}")

    # --- weights --------------------------------------------------------------------------
    def build(self, input_shape: tuple) -> None:
        if len(input_shape) != 3 or input_shape[-1] is None:
            raise ValueError(f"{type(self).__name__} {self.name}: expected input of shape "
                             f"(batch, timesteps, features) with known features, received "
                             f"input_shape={input_shape}")
        self._build_gate_weights(input_shape[-1])

    def _torch_weights(self) -> list[Tensor]:
        """[W_ih, W_hh, b_ih, b_hh] in PyTorch's layout, as differentiable views."""
        weights = [self.kernel.mT, self.recurrent_kernel.mT]
        if self.use_bias:
            weights += [self.bias, creation.zeros(self.bias.shape[0], dtype=self.bias.dtype)]
        return weights

    # --- running --------------------------------------------------------------------------
    def call(self, inputs: Tensor, mask: Any = None, training: Any = None,
             initial_state: Any = None) -> Any:
        owner = f"{type(self).__name__} {self.name}"
        if inputs.ndim != 3:
            raise ValueError(f"{owner}: expected input of shape (batch, timesteps, features), "
                             f"received shape {tuple(inputs.shape)}")
        if inputs.dtype != self.kernel.dtype:
            inputs = inputs.to(self.kernel.dtype)
        if mask is None:
            mask = getattr(inputs, "_keras_mask", None)
        mask = _mask_array(mask)
        states = self._initial_states(inputs, initial_state)
        if (training and self.recurrent_dropout > 0) or not getattr(self, "reset_after", True):
            # per-gate masks (Keras's implementation=1), or GRU reset_after=False: step by step
            count = None if self._gates == 1 else self._gates
            in_masks = rec_masks = None
            if training and self.dropout > 0:
                in_masks = self._dropout_masks(self.dropout, tuple(inputs.shape[::2]), count)
            if training and self.recurrent_dropout > 0:
                rec_masks = self._dropout_masks(self.recurrent_dropout,
                                                (inputs.shape[0], self.units), count)
            sequence, final = run_steps(self, inputs, states, mask, in_masks, rec_masks)
        else:
            if training and self.dropout > 0:  # one mask per sequence, shared by all steps
                inputs = inputs * self._dropout_masks(
                    self.dropout, tuple(inputs.shape[::2]), None)[0].unsqueeze(1)
            mask_tm = None if mask is None else np.ascontiguousarray(mask.T)
            outs = RecurrentLayer.apply(
                inputs, *states, *self._torch_weights(), mode=self._mode,
                has_bias=self.use_bias, reverse=self.go_backwards, batch_first=True,
                mask=mask_tm, zero_masked_output=self.zero_output_for_mask)
            sequence, final = outs[0], list(outs[1:])
        if self.stateful:
            self.states = [s._data.copy() for s in final]
        if self.return_sequences:
            output = sequence.flip(1) if self.go_backwards else sequence
            if mask is not None:
                output._keras_mask = Tensor._wrap(mask[:, ::-1].copy() if self.go_backwards
                                                  else mask)
        else:
            output = final[0]
            if mask is not None and self.zero_output_for_mask:  # 0 if the last step is masked
                last = mask[:, :1] if self.go_backwards else mask[:, -1:]
                output = output * Tensor._wrap(last.astype(output._data.dtype))
        return (output, *final) if self.return_state else output

    def _dropout_masks(self, rate: float, shape: tuple, count: int | None) -> list[Tensor]:
        """Dropout masks (count of them, or one when count is None) of `shape`: 0 where a
        unit is dropped, 1 / (1 - rate) where it is kept."""
        dtype = self.kernel._data.dtype
        return [Tensor._wrap(((_random.rng().random(shape) >= rate) / (1 - rate)).astype(dtype))
                for _ in range(count or 1)]

    def _initial_states(self, inputs: Tensor, initial_state: Any) -> list[Tensor]:
        batch = inputs.shape[0]
        count = 2 if self._mode == "lstm" else 1
        if initial_state is None:
            if self.stateful and self.states is not None and self.states[0].shape[0] == batch:
                return [Tensor._wrap(s) for s in self.states]
            return [creation.zeros(batch, self.units, dtype=inputs.dtype) for _ in range(count)]
        states = list(initial_state) if isinstance(initial_state, list | tuple) else \
            [initial_state]
        if len(states) != count:
            raise ValueError(f"{type(self).__name__} {self.name}: expected {count} initial "
                             f"state(s), received {len(states)}")
        out = []
        for s in states:
            s = s if isinstance(s, Tensor) else Tensor._wrap(np.asarray(s, inputs._data.dtype))
            if tuple(s.shape) != (batch, self.units):
                raise ValueError(f"{type(self).__name__} {self.name}: an initial state must "
                                 f"have shape {(batch, self.units)}, received {tuple(s.shape)}")
            out.append(s.to(inputs.dtype))
        return out

    def reset_states(self, states: Any = None) -> None:
        """Forget the carried states of a stateful layer (or set them)."""
        self.states = None if states is None else [np.asarray(s, self.dtype) for s in states]

    reset_state = reset_states

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return mask if self.return_sequences else None

    def compute_output_shape(self, input_shape: tuple) -> Any:
        batch, steps = input_shape[0], input_shape[1]
        out = (batch, steps, self.units) if self.return_sequences else (batch, self.units)
        if not self.return_state:
            return out
        count = 2 if self._mode == "lstm" else 1
        return (out,) + ((batch, self.units),) * count

    def get_config(self) -> dict:
        return {**super().get_config(), **self._weights_config(),
                "return_sequences": self.return_sequences, "return_state": self.return_state,
                "go_backwards": self.go_backwards, "stateful": self.stateful,
                "unroll": self.unroll, "zero_output_for_mask": self.zero_output_for_mask}


class SimpleRNN(_RNN):
    """Fully connected RNN: h_t = activation(x_t kernel + h_{t-1} recurrent_kernel + bias).

    Args:
        units: the state size; activation: 'tanh' (default) or 'relu'.
        return_sequences: output every step (batch, timesteps, units) instead of the last.
        return_state: also return the final state; go_backwards: read the input reversed.
        dropout: input dropout rate (one mask per sequence) while training.
        recurrent_dropout: state dropout rate while training (Keras's per-gate masks; the
            layer then runs step by step, see keras/layers/_rnn_steps.py).

    Shape:
        (batch, timesteps, features) -> (batch, units); params features*units + units**2 + units

    Example:
        >>> from neuronet import keras
        >>> layer = keras.layers.SimpleRNN(4)
        >>> layer.build((None, 7, 3)); layer.count_params()
        32
    """

    _gates, _mode = 1, "rnn_tanh"

    def __init__(self, units: int, activation: Any = "tanh", **kwargs: Any) -> None:
        super().__init__(units, activation=activation, **kwargs)
        self._mode = "rnn_relu" if getattr(self.activation, "__name__", "") == "relu" \
            else "rnn_tanh"


class LSTM(_RNN):
    """Long short-term memory (Hochreiter & Schmidhuber 1997), Keras gate order i, f, c, o.

    Args: as `SimpleRNN`, plus recurrent_activation ('sigmoid') and unit_forget_bias (True:
    the forget-gate bias starts at 1). activation must be 'tanh'.

    Shape:
        (batch, timesteps, features) -> (batch, units); params 4 (features*units + units**2
        + units). return_state=True adds the final h and c.

    Example:
        >>> from neuronet import keras
        >>> layer = keras.layers.LSTM(128)
        >>> layer.build((None, 28, 28)); layer.count_params()
        80384
    """

    _gates, _mode = 4, "lstm"

    def __init__(self, units: int, activation: Any = "tanh",
                 recurrent_activation: Any = "sigmoid", unit_forget_bias: bool = True,
                 **kwargs: Any) -> None:
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)
        super().__init__(units, activation=activation, **kwargs)

    def _check_activations(self) -> None:
        _check_gated(self, ("tanh",))

    def get_config(self) -> dict:
        return {**super().get_config(),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias}


class GRU(_RNN):
    """Gated recurrent unit (Cho et al. 2014), Keras gate order z, r, h.

    Args: as `LSTM` without unit_forget_bias, plus reset_after: True (Keras 3's default, the
    reset gate applied after the recurrent product, bias (2, 3*units)) runs on the fused
    kernel; False (hh = tanh(x K_h + b_h + (r * h) R_h), one bias (3*units,), older Keras's
    default) runs step by step (keras/layers/_rnn_steps.py).

    Shape:
        (batch, timesteps, features) -> (batch, units); params 3 (features*units + units**2
        + 2 units).

    Example:
        >>> from neuronet import keras
        >>> layer = keras.layers.GRU(8)
        >>> layer.build((None, 5, 4)); layer.count_params()
        336
    """

    _gates, _mode = 3, "gru"

    def __init__(self, units: int, activation: Any = "tanh",
                 recurrent_activation: Any = "sigmoid", reset_after: bool = True,
                 **kwargs: Any) -> None:
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = bool(reset_after)
        super().__init__(units, activation=activation, **kwargs)

    def _check_activations(self) -> None:
        _check_gated(self, ("tanh",))

    def _torch_weights(self) -> list[Tensor]:
        u = self.units
        perm = np.r_[u:2 * u, 0:u, 2 * u:3 * u]  # Keras z, r, h -> PyTorch r, z, n
        weights = [self.kernel[:, perm].mT, self.recurrent_kernel[:, perm].mT]
        if self.use_bias:
            weights += [self.bias[0, perm], self.bias[1, perm]]
        return weights

    def get_config(self) -> dict:
        return {**super().get_config(),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "reset_after": self.reset_after}


def _check_gated(layer: _RNN, allowed: tuple) -> None:
    name = getattr(layer.activation, "__name__", None)
    rec = getattr(layer.recurrent_activation, "__name__", None)
    if name not in allowed or rec != "sigmoid":
        raise ValueError(f"{type(layer).__name__}: the fused kernel supports activation='tanh' "
                         f"and recurrent_activation='sigmoid', received activation={name!r}, "
                         f"recurrent_activation={rec!r}")


__all__ = ["GRU", "LSTM", "SimpleRNN"]
