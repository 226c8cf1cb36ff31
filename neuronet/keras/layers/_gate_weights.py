"""The weights and weight arguments shared by Keras's recurrent layers (SimpleRNN, LSTM, GRU)
and cells (SimpleRNNCell, LSTMCell, GRUCell):

    kernel (features, G*units), recurrent_kernel (units, G*units), bias (G*units,),
    gates side by side (G = 1, 4 or 3); GRU with reset_after=True keeps two biases (2, 3*units)
    (input and recurrent); LSTM with unit_forget_bias starts the forget gate's bias at 1.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import activations
from ._weight_options import add_weight_with_options, set_weight_options, weight_options_config
from .core import _positive_int


def forget_bias_init(base: Any, units: int) -> Any:
    """LSTM's unit_forget_bias: [base(units), ones(units), base(2 units)] for gates i, f, c, o,
    as Keras builds it (the forget gate starts open)."""

    def init(shape: tuple, dtype: Any = None) -> np.ndarray:
        return np.concatenate([np.asarray(base((units,), dtype)), np.ones(units, dtype),
                               np.asarray(base((2 * units,), dtype))])

    return init


class GateWeights:
    """Mixin for a Layer: parses the weight arguments, builds the weights, gives their config."""

    _gates = 1

    def _set_weight_args(self, units: int, activation: Any, use_bias: bool,
                         kernel_initializer: Any, recurrent_initializer: Any,
                         bias_initializer: Any, kernel_regularizer: Any,
                         recurrent_regularizer: Any, bias_regularizer: Any,
                         kernel_constraint: Any, recurrent_constraint: Any,
                         bias_constraint: Any, dropout: float, recurrent_dropout: float,
                         seed: int | None) -> None:
        owner = type(self).__name__
        self.units = _positive_int(owner, "units", units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        set_weight_options(
            self, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint)
        for name, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
                raise ValueError(f"{owner}: {name} must be a number in [0, 1], received "
                                 f"{name}={rate!r}")
        self.dropout, self.recurrent_dropout = float(dropout), float(recurrent_dropout)
        self.seed = seed
        self.kernel = self.recurrent_kernel = self.bias = None

    def _build_gate_weights(self, features: int) -> None:
        width = self._gates * self.units
        self.kernel = add_weight_with_options(self, "kernel", (features, width))
        self.recurrent_kernel = add_weight_with_options(self, "recurrent_kernel",
                                                        (self.units, width), options="recurrent")
        if self.use_bias:
            self.bias = add_weight_with_options(self, "bias", self._bias_shape(),
                                                initializer=self._bias_init())
        self.built = True

    def _bias_shape(self) -> tuple:
        if self._gates == 3 and getattr(self, "reset_after", False):
            return (2, 3 * self.units)  # GRU: input and recurrent biases
        return (self._gates * self.units,)

    def _bias_init(self) -> Any:
        if getattr(self, "unit_forget_bias", False):
            return forget_bias_init(self.bias_initializer, self.units)
        return self.bias_initializer

    def _weights_config(self) -> dict:
        return {"units": self.units, "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                **weight_options_config(
                    self, "kernel_initializer", "recurrent_initializer", "bias_initializer",
                    "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
                    "kernel_constraint", "recurrent_constraint", "bias_constraint"),
                "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout,
                "seed": self.seed}
