"""The weights and weight arguments shared by Keras's recurrent layers (SimpleRNN, LSTM, GRU)
and cells (SimpleRNNCell, LSTMCell, GRUCell):

    kernel (features, G*units), recurrent_kernel (units, G*units), bias (G*units,),
    gates side by side (G = 1, 4 or 3); GRU with reset_after=True keeps two biases (2, 3*units)
    (input and recurrent); LSTM with unit_forget_bias starts the forget gate's bias at 1.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import activations, constraints, initializers, regularizers
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
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        for name, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
                raise ValueError(f"{owner}: {name} must be a number in [0, 1], received "
                                 f"{name}={rate!r}")
        self.dropout, self.recurrent_dropout = float(dropout), float(recurrent_dropout)
        self.seed = seed
        self.kernel = self.recurrent_kernel = self.bias = None

    def _build_gate_weights(self, features: int) -> None:
        width = self._gates * self.units
        self.kernel = self.add_weight(
            shape=(features, width), initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
            name="kernel")
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, width), initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer, constraint=self.recurrent_constraint,
            name="recurrent_kernel")
        if self.use_bias:
            self.bias = self.add_weight(
                shape=self._bias_shape(), initializer=self._bias_init(),
                regularizer=self.bias_regularizer, constraint=self.bias_constraint, name="bias")
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
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout,
                "seed": self.seed}
