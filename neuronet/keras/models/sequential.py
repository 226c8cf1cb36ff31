"""`keras.Sequential`: a plain stack of layers, each feeding the next."""

from __future__ import annotations

from typing import Any

from ..layers.input_layer import Input, InputLayer
from ..layers.layer import Layer
from ..layers.symbolic import KerasTensor
from ._conv_pool import pool_before_relu, run_conv_pool
from .model import Model


class Sequential(Model):
    """A linear stack of layers.

    Args:
        layers: the layers, in order (or add them with `add`). The input shape comes from
            `keras.Input(shape=...)` (as first element), `input_shape=` on the first layer, or
            the first batch of data.

    Example:
        >>> from neuronet import keras
        >>> model = keras.Sequential([keras.layers.Flatten(input_shape=(28, 28)),
        ...                           keras.layers.Dense(128, activation="relu"),
        ...                           keras.layers.Dense(10, activation="softmax")])
        >>> model.count_params()
        101770
    """

    def __init__(self, layers: list | None = None, trainable: bool = True,
                 name: str | None = None) -> None:
        super().__init__(trainable=trainable, name=name)
        self._input_layer: InputLayer | None = None
        self._output_shapes: dict[int, Any] = {}
        self.built = False
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_build_graph()

    # --- structure ------------------------------------------------------------------------
    def add(self, layer: Any, rebuild: bool = True) -> None:
        """Append a layer (or a `keras.Input(...)` as the first element)."""
        if isinstance(layer, KerasTensor) and isinstance(layer.node.layer, InputLayer):
            layer = layer.node.layer
        if not isinstance(layer, Layer):
            raise ValueError(f"Sequential.add: only instances of keras.layers.Layer can be "
                             f"added, received {layer!r} of type {type(layer).__name__}")
        if isinstance(layer, InputLayer):
            if self._input_layer is not None or self._layers:
                raise ValueError("Sequential.add: an InputLayer must be the first layer")
            self._input_layer = layer
            return
        if any(layer is seen for seen in self._layers):
            raise ValueError(f"Sequential.add: layer {layer.name} is already in the model")
        if not self._layers and self._input_layer is None and layer._batch_input_shape:
            self._input_layer = InputLayer(batch_shape=layer._batch_input_shape)
        self._layers.append(layer)
        self.built = False
        if rebuild:
            self._maybe_build_graph()

    def pop(self) -> Layer:
        """Remove and return the last layer."""
        if not self._layers:
            raise TypeError("Sequential.pop: there are no layers in the model")
        layer = self._layers.pop()
        self.built = False
        self._maybe_build_graph()
        return layer

    @property
    def layers(self) -> list[Layer]:
        return list(self._layers)

    def _maybe_build_graph(self) -> None:
        if self._input_layer is not None and self._layers:
            self._build_graph(self._input_layer.output_tensor)

    def _build_graph(self, x: KerasTensor) -> None:
        """Run the layers symbolically: builds their weights and records output shapes."""
        self._functional = True
        inputs = x
        self._output_shapes = {}
        for layer in self._layers:
            x = layer(x)
            self._output_shapes[id(layer)] = x.shape
        self._inputs_struct, self._outputs_struct = inputs, x
        self.built = True

    def build(self, input_shape: Any = None) -> None:
        if input_shape is None:
            if self._input_layer is None:
                raise ValueError("Sequential.build: the input shape is unknown; pass "
                                 "input_shape or add keras.Input(shape=...) first")
            input_shape = self._input_layer.batch_shape
        if self._input_layer is None or tuple(self._input_layer.batch_shape) != tuple(
                input_shape):
            self._input_layer = Input(batch_shape=(None,) + tuple(input_shape)[1:]).node.layer
        self._build_graph(self._input_layer.output_tensor)

    def _maybe_build(self, shapes: Any) -> None:
        if not self.built:
            self.build(shapes)

    def call(self, inputs: Any, training: Any = None) -> Any:
        x, layers, i = inputs, self._layers, 0
        while i < len(layers):
            if i + 1 < len(layers) and not isinstance(x, KerasTensor) and \
                    pool_before_relu(layers[i], layers[i + 1]):
                # Conv2D(activation="relu") -> MaxPooling2D as conv, pool, relu, or one op
                # (models._conv_pool); the conv's own output is seen by no one
                x = run_conv_pool(layers[i], layers[i + 1], x, training=training)
                i += 2
                continue
            x = layers[i](x, training=training)
            i += 1
        return x

    def _final_layer(self) -> Layer | None:
        if not self._layers:
            return None
        last = self._layers[-1]
        return last._final_layer() if isinstance(last, Model) else last

    @property
    def output_names(self) -> list[str]:
        return [self._layers[-1].name] if self._layers else []

    def compute_output_shape(self, input_shape: Any) -> Any:
        if not self.built:
            self.build(input_shape)
        return (input_shape[0],) + tuple(self._outputs_struct.shape[1:])

    # --- config ---------------------------------------------------------------------------
    def get_config(self) -> dict:
        from ..saving.serialization import serialize_keras_object

        layers = [serialize_keras_object(layer) for layer in self._layers]
        if self._input_layer is not None:
            layers.insert(0, serialize_keras_object(self._input_layer))
        return {"name": self.name, "trainable": self.trainable, "layers": layers}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Sequential:
        from ..saving.serialization import deserialize_keras_object

        layers = [deserialize_keras_object(c, custom_objects) for c in config["layers"]]
        return cls(layers, name=config.get("name"), trainable=config.get("trainable", True))
