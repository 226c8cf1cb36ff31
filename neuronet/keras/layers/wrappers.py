"""Layer wrappers:

    Bidirectional    y = merge(rnn(x), reverse_time(rnn_backwards(x)))  (merge: concat, sum,
                     mul, ave, or None for the list of both)
    TimeDistributed  y[:, t] = layer(x[:, t]) for every t (one call on (batch * T, ...))
"""

from __future__ import annotations

from typing import Any

from ...ops import shape as shape_ops
from ...tensor import Tensor
from .layer import Layer

_MERGE_MODES = ("concat", "sum", "mul", "ave", None)


class Bidirectional(Layer):
    """Runs a recurrent layer forwards and a copy of it backwards over time and merges them.

    Args:
        layer: a `SimpleRNN`, `LSTM` or `GRU` (the forward layer).
        merge_mode: 'concat' (default), 'sum', 'mul', 'ave' or None (return both).
        backward_layer: optional layer for the backward direction (default: a copy of `layer`
            with go_backwards flipped).

    Shape:
        (batch, T, features) -> (batch, 2 * units) with 'concat' (or (batch, T, 2 * units)
        with return_sequences); params twice the wrapped layer's.

    Example:
        >>> from neuronet import keras
        >>> layer = keras.layers.Bidirectional(keras.layers.LSTM(4))
        >>> layer.build((None, 5, 3)); layer.count_params()
        256
    """

    def __init__(self, layer: Layer, merge_mode: str | None = "concat", weights: Any = None,
                 backward_layer: Layer | None = None, **kwargs: Any) -> None:
        if not isinstance(layer, Layer) or not hasattr(layer, "go_backwards"):
            raise ValueError(f"Bidirectional: please initialize `Bidirectional` layer with a "
                             f"recurrent layer instance, received layer={layer!r}")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Bidirectional: invalid merge_mode {merge_mode!r}; merge_mode "
                             f"should be one of {_MERGE_MODES}")
        super().__init__(**kwargs)
        config = layer.get_config()
        if backward_layer is None:
            config = {**config, "go_backwards": not layer.go_backwards,
                      "name": "backward_" + layer.name}
            config.pop("batch_input_shape", None)
            backward_layer = type(layer).from_config(config)
        for rnn in (layer, backward_layer):  # Keras: masked steps give 0 in the sequences
            rnn.zero_output_for_mask = rnn.return_sequences
        self.forward_layer = layer
        self.backward_layer = backward_layer
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self._initial_weights = weights

    def build(self, input_shape: tuple) -> None:
        self.forward_layer._maybe_build(input_shape)
        self.backward_layer._maybe_build(input_shape)
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None
        self.built = True

    def call(self, inputs: Tensor, mask: Any = None, training: Any = None,
             initial_state: Any = None) -> Any:
        fw_state = bw_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            fw_state, bw_state = initial_state[:half], initial_state[half:]
        y_f = self.forward_layer(inputs, mask=mask, training=training,
                                 initial_state=fw_state)
        y_b = self.backward_layer(inputs, mask=mask, training=training,
                                  initial_state=bw_state)
        states: list = []
        if self.return_state:
            states = list(y_f[1:]) + list(y_b[1:])
            y_f, y_b = y_f[0], y_b[0]
        if self.return_sequences:
            y_b = y_b.flip(1)  # back to the input's time order
        output = self._merge(y_f, y_b)
        if mask is not None and self.return_sequences and self.merge_mode is not None:
            output._keras_mask = mask if isinstance(mask, Tensor) else Tensor._wrap(mask)
        if self.return_state:
            return (*output, *states) if isinstance(output, list) else (output, *states)
        return output

    def _merge(self, y_f: Tensor, y_b: Tensor) -> Any:
        if self.merge_mode == "concat":
            return shape_ops.cat([y_f, y_b], -1)
        if self.merge_mode == "sum":
            return y_f + y_b
        if self.merge_mode == "mul":
            return y_f * y_b
        if self.merge_mode == "ave":
            return (y_f + y_b) * 0.5
        return [y_f, y_b]

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return mask if self.return_sequences else None

    def compute_output_shape(self, input_shape: tuple) -> Any:
        out = self.forward_layer.compute_output_shape(input_shape)
        states = []
        if self.return_state:
            out, states = out[0], list(out[1:]) * 2
        if self.merge_mode == "concat":
            out = tuple(out[:-1]) + (out[-1] * 2,)
        elif self.merge_mode is None:
            out = (out, out)
        if self.return_state:
            return (out if self.merge_mode is None else (out,)) + tuple(states)
        return out

    def get_config(self) -> dict:
        from ..saving.serialization import serialize_keras_object

        return {**super().get_config(), "layer": serialize_keras_object(self.forward_layer),
                "merge_mode": self.merge_mode,
                "backward_layer": serialize_keras_object(self.backward_layer)}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Bidirectional:
        from ..saving.serialization import deserialize_keras_object

        config = dict(config)
        config["layer"] = deserialize_keras_object(config["layer"], custom_objects)
        if config.get("backward_layer") is not None:
            config["backward_layer"] = deserialize_keras_object(config["backward_layer"],
                                                                custom_objects)
        return cls(**config)


class TimeDistributed(Layer):
    """Applies `layer` to every time step: input (batch, T, ...) is reshaped to
    (batch * T, ...), run through the layer once, and reshaped back.

    Example:
        >>> from neuronet import keras
        >>> import numpy as np
        >>> td = keras.layers.TimeDistributed(keras.layers.Dense(3))
        >>> tuple(td(np.zeros((2, 5, 4), "float32")).shape)
        (2, 5, 3)
    """

    def __init__(self, layer: Layer, **kwargs: Any) -> None:
        if not isinstance(layer, Layer):
            raise ValueError(f"TimeDistributed: please initialize `TimeDistributed` layer with "
                             f"a `keras.layers.Layer` instance, received layer={layer!r}")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape: tuple) -> None:
        if len(input_shape) < 3:
            raise ValueError(f"TimeDistributed {self.name}: the input must have at least 3 "
                             f"dimensions (batch, time, ...), received input_shape="
                             f"{input_shape}")
        self.layer._maybe_build((None,) + tuple(input_shape[2:]))
        self.built = True

    def call(self, inputs: Tensor, training: Any = None, mask: Any = None) -> Tensor:
        batch, steps = inputs.shape[0], inputs.shape[1]
        flat = shape_ops.reshape(inputs, (batch * steps,) + tuple(inputs.shape[2:]))
        out = self.layer(flat, training=training)
        return shape_ops.reshape(out, (batch, steps) + tuple(out.shape[1:]))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        inner = self.layer.compute_output_shape((None,) + tuple(input_shape[2:]))
        return (input_shape[0], input_shape[1]) + tuple(inner[1:])

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return mask

    def get_config(self) -> dict:
        from ..saving.serialization import serialize_keras_object

        return {**super().get_config(), "layer": serialize_keras_object(self.layer)}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> TimeDistributed:
        from ..saving.serialization import deserialize_keras_object

        config = dict(config)
        config["layer"] = deserialize_keras_object(config["layer"], custom_objects)
        return cls(**config)
