"""Keras 3's recurrent cells SimpleRNNCell, LSTMCell, GRUCell: one step of a recurrent layer.

A cell maps one step's input x_t (batch, features) and its states to (output, new_states);
`keras.layers.RNN` (keras/layers/rnn_layer.py, with StackedRNNCells) runs one over a
sequence. The weights are Keras's: kernel (features, G*units), recurrent_kernel (units,
G*units), gates side by side, and the step is the recurrent layers' own
(keras/layers/_rnn_steps.py, run for one step):

    SimpleRNNCell  h_t = act(x_t K + b + h R)
    LSTMCell       a_j = x_t K_j + b_j + h R_j,  j = i, f, c, o
                   c_t = sigma(a_f) c + sigma(a_i) tanh(a_c),  h_t = sigma(a_o) tanh(c_t)
    GRUCell        z = sigma(x_t K_z + b_z + h R_z + b'_z),  r alike,
                   hh = tanh(x_t K_h + b_h + r (h R_h + b'_h)),  h_t = z h + (1 - z) hh
                   (reset_after=False: one bias (3*units,), hh = tanh(x_t K_h + b_h + (r h) R_h))

Dropout while training, as Keras 3's cells: x_t * d and h * m, one input mask d (batch,
features) and one state mask m (batch, units), kept units scaled by 1 / (1 - rate), drawn at
the first step and shared by every gate and step until `reset_dropout_mask()` (RNN calls it
after each sequence). Tensor ops throughout, so autograd gives the gradients.
"""

from __future__ import annotations

from typing import Any

from ... import creation
from ... import random as _random
from ...tensor import Tensor
from .. import activations
from ._gate_weights import GateWeights
from ._rnn_steps import run_steps
from .layer import Layer


class _Cell(GateWeights, Layer):
    """Weights, dropout masks and config shared by the three cells; subclasses set gates."""

    _gates = 1
    _mode = "rnn"
    # run_steps reads these: a cell is a layer of one step, forwards, with no mask
    go_backwards = False
    zero_output_for_mask = False

    def __init__(self, units: int, activation: Any = "tanh", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, recurrent_regularizer: Any = None,
                 bias_regularizer: Any = None, kernel_constraint: Any = None,
                 recurrent_constraint: Any = None, bias_constraint: Any = None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, seed: int | None = None,
                 **kwargs: Any) -> None:
        kwargs.pop("implementation", None)  # Keras 2 configs; one implementation here
        super().__init__(**kwargs)
        self._set_weight_args(units, activation, use_bias, kernel_initializer,
                              recurrent_initializer, bias_initializer, kernel_regularizer,
                              recurrent_regularizer, bias_regularizer, kernel_constraint,
                              recurrent_constraint, bias_constraint, dropout, recurrent_dropout,
                              seed)
        self._dropout_mask: Tensor | None = None
        self._recurrent_dropout_mask: Tensor | None = None

    # --- Keras's cell protocol -------------------------------------------------------------
    @property
    def state_size(self) -> Any:
        return self.units

    @property
    def output_size(self) -> int:
        return self.units

    def get_initial_state(self, batch_size: int | None = None) -> list[Tensor]:
        sizes = self.state_size if isinstance(self.state_size, list) else [self.state_size]
        return [creation.zeros(batch_size, s, dtype=self.dtype) for s in sizes]

    # --- weights --------------------------------------------------------------------------
    def build(self, input_shape: tuple) -> None:
        if input_shape[-1] is None:
            raise ValueError(f"{type(self).__name__} {self.name}: the input's last dimension "
                             f"must be known, received input_shape={input_shape}")
        self._build_gate_weights(input_shape[-1])

    # --- one step -------------------------------------------------------------------------
    def call(self, inputs: Tensor, states: Any, training: Any = None) -> tuple[Tensor, Any]:
        nested = isinstance(states, list | tuple)
        states = list(states) if nested else [states]
        count = 2 if self._mode == "lstm" else 1
        if len(states) != count:
            raise ValueError(f"{type(self).__name__} {self.name}: expected {count} state(s), "
                             f"received {len(states)}")
        if inputs.dtype != self.kernel.dtype:
            inputs = inputs.to(self.kernel.dtype)
        in_masks = rec_masks = None
        if training and self.dropout > 0:
            self._dropout_mask = self._mask(self._dropout_mask, self.dropout,
                                            tuple(inputs.shape))
            in_masks = [self._dropout_mask] * self._gates
        if training and self.recurrent_dropout > 0:
            self._recurrent_dropout_mask = self._mask(
                self._recurrent_dropout_mask, self.recurrent_dropout, tuple(states[0].shape))
            rec_masks = [self._recurrent_dropout_mask] * self._gates
        _, final = run_steps(self, inputs.unsqueeze(1), [s.to(inputs.dtype) for s in states],
                             None, in_masks, rec_masks)
        if self._mode == "lstm":
            return final[0], final
        return final[0], (final if nested else final[0])

    def _mask(self, cached: Tensor | None, rate: float, shape: tuple) -> Tensor:
        """The cached dropout mask, or a fresh one of `shape`: 0 where a unit is dropped,
        1 / (1 - rate) where kept (all 0 when rate is 1)."""
        if cached is not None and tuple(cached.shape) == shape:
            return cached
        keep = _random.rng().random(shape) >= rate
        scale = 0.0 if rate >= 1 else 1.0 / (1.0 - rate)
        return Tensor._wrap((keep * scale).astype(self.kernel._data.dtype))

    def reset_dropout_mask(self) -> None:
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self) -> None:
        self._recurrent_dropout_mask = None

    def get_config(self) -> dict:
        return {**super().get_config(), **self._weights_config()}


class SimpleRNNCell(_Cell):
    """One step of a fully connected RNN.

    Formula:
        h_t = activation(x_t kernel + bias + h_{t-1} recurrent_kernel);  output = h_t

    Args:
        units: the state size; activation: any Keras activation ('tanh').
        dropout, recurrent_dropout: rates on x_t and h_{t-1} while training.

    Shape:
        x_t (batch, features), state (batch, units) -> (batch, units); params
        features*units + units**2 + units.

    Example:
        >>> from neuronet.keras.layers.rnn_cells import SimpleRNNCell
        >>> cell = SimpleRNNCell(4)
        >>> cell.build((None, 3)); cell.count_params()
        32
    """

    _gates, _mode = 1, "rnn"


class LSTMCell(_Cell):
    """One step of a long short-term memory (Hochreiter & Schmidhuber 1997), gates i, f, c, o.

    Formula:
        a_j = x_t K_j + b_j + h R_j;  c_t = sigma(a_f) c + sigma(a_i) tanh(a_c);
        h_t = sigma(a_o) tanh(c_t);  output h_t, states [h_t, c_t]
        (tanh = activation, sigma = recurrent_activation)

    Args: as `SimpleRNNCell`, plus recurrent_activation ('sigmoid') and unit_forget_bias
    (True: the forget-gate bias starts at 1).

    Shape:
        x_t (batch, features), states 2 x (batch, units) -> (batch, units); params
        4 (features*units + units**2 + units).

    Example:
        >>> from neuronet.keras.layers.rnn_cells import LSTMCell
        >>> cell = LSTMCell(4)
        >>> cell.build((None, 3)); cell.count_params(), cell.state_size
        (128, [4, 4])
    """

    _gates, _mode = 4, "lstm"

    def __init__(self, units: int, activation: Any = "tanh",
                 recurrent_activation: Any = "sigmoid", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 unit_forget_bias: bool = True, **kwargs: Any) -> None:
        super().__init__(units, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)

    @property
    def state_size(self) -> list[int]:
        return [self.units, self.units]

    def get_config(self) -> dict:
        return {**super().get_config(),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias}


class GRUCell(_Cell):
    """One step of a gated recurrent unit (Cho et al. 2014), gates z, r, h.

    Formula:
        z = sigma(x_t K_z + b_z + h R_z + b'_z),  r = sigma(x_t K_r + b_r + h R_r + b'_r)
        hh = tanh(x_t K_h + b_h + r (h R_h + b'_h)),  h_t = z h + (1 - z) hh
        reset_after=False: no b', hh = tanh(x_t K_h + b_h + (r h) R_h)

    Args: as `LSTMCell` without unit_forget_bias, plus reset_after (True: bias (2, 3*units),
    input and recurrent; False: bias (3*units,)).

    Shape:
        x_t (batch, features), state (batch, units) -> (batch, units); params
        3 (features*units + units**2 + 2 units) (reset_after=True).

    Example:
        >>> from neuronet.keras.layers.rnn_cells import GRUCell
        >>> cell = GRUCell(8)
        >>> cell.build((None, 4)); cell.count_params()
        336
    """

    _gates, _mode = 3, "gru"

    def __init__(self, units: int, activation: Any = "tanh",
                 recurrent_activation: Any = "sigmoid", use_bias: bool = True,
                 reset_after: bool = True, **kwargs: Any) -> None:
        super().__init__(units, activation=activation, use_bias=use_bias, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = bool(reset_after)

    def get_config(self) -> dict:
        return {**super().get_config(),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "reset_after": self.reset_after}


def _is_nested(value: Any) -> bool:
    return isinstance(value, list | tuple)


def _output_size(cell: Any) -> int:
    size = getattr(cell, "output_size", None)
    if size is not None:
        return size
    return cell.state_size[0] if _is_nested(cell.state_size) else cell.state_size


def initial_states(cell: Any, batch_size: int, dtype: Any) -> list:
    """The cell's zero states: its get_initial_state, else zeros of each state_size."""
    make = getattr(cell, "get_initial_state", None)
    if make is not None:
        states = make(batch_size=batch_size)
        return list(states) if _is_nested(states) else [states]
    sizes = cell.state_size if _is_nested(cell.state_size) else [cell.state_size]
    return [creation.zeros(batch_size, s, dtype=dtype) for s in sizes]


__all__ = ["GRUCell", "LSTMCell", "SimpleRNNCell"]
