"""`keras.Model`: functional (`Model(inputs, outputs)`) or subclassed (define `call`).

Training, evaluation, prediction and saving come from `Trainer`; the layer machinery
(weights, sublayers, configs) from `Layer`.
"""

from __future__ import annotations

from typing import Any

from ..layers.input_layer import InputLayer
from ..layers.layer import Layer
from ..layers.symbolic import KerasTensor, flatten, map_structure
from .functional import build_graph, run_graph
from .trainer import Trainer


class Model(Trainer, Layer):
    """A trainable group of layers.

    Functional:
        >>> from neuronet import keras
        >>> x = keras.Input(shape=(4,))
        >>> model = keras.Model(x, keras.layers.Dense(2)(x))
        >>> model.count_params()
        10

    Subclassed: define layers in `__init__` and the forward pass in `call(inputs,
    training=None)`; weights are created on the first call.
    """

    def compute_mask(self, inputs: Any, mask: Any = None) -> None:
        """A model's outputs carry the masks its layers gave them; nothing to add."""
        return None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        inputs = kwargs.pop("inputs", args[0] if args else None)
        outputs = kwargs.pop("outputs", args[1] if len(args) > 1 else None)
        name = kwargs.pop("name", None)
        if name is None and (inputs is not None or outputs is not None):
            from ..backend import unique_name

            name = unique_name("functional")
        Layer.__init__(self, name=name,
                       trainable=kwargs.pop("trainable", True), dtype=kwargs.pop("dtype", None))
        if kwargs:
            raise TypeError(f"Model: unexpected keyword argument(s) {sorted(kwargs)}")
        Trainer.__init__(self)
        self._functional = inputs is not None or outputs is not None
        if self._functional:
            if inputs is None or outputs is None:
                raise ValueError("Model: a functional model needs both `inputs` and `outputs`")
            self._init_graph(inputs, outputs)

    def _init_graph(self, inputs: Any, outputs: Any) -> None:
        if isinstance(inputs, tuple):
            inputs = list(inputs)
        if isinstance(outputs, tuple):
            outputs = list(outputs)
        self._nodes, graph_layers = build_graph(inputs, outputs)
        self._inputs_struct, self._outputs_struct = inputs, outputs
        for layer in graph_layers:
            if not any(layer is seen for seen in self._layers):
                self._layers.append(layer)
        self.built = True

    # --- structure ------------------------------------------------------------------------
    @property
    def layers(self) -> list[Layer]:
        return list(self._layers)

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        if index is not None:
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. Existing layers are: "
                         f"{[layer.name for layer in self.layers]}")

    @property
    def inputs(self) -> list:
        return flatten(self._inputs_struct) if self._functional else None

    @property
    def outputs(self) -> list:
        return flatten(self._outputs_struct) if self._functional else None

    @property
    def input(self) -> Any:
        if self._functional:
            return self._inputs_struct
        return Layer.input.fget(self)

    @property
    def output(self) -> Any:
        if self._functional:
            return self._outputs_struct
        return Layer.output.fget(self)

    @property
    def output_names(self) -> list[str]:
        if not self._functional:
            return ["output"]
        if isinstance(self._outputs_struct, dict):
            return list(self._outputs_struct)
        return [t.name for t in flatten(self._outputs_struct)]

    # --- running --------------------------------------------------------------------------
    def call(self, inputs: Any, training: Any = None) -> Any:
        if not self._functional:
            raise NotImplementedError(f"Model {type(self).__name__} must define call() or be "
                                      f"built with Model(inputs, outputs)")
        return run_graph(self._nodes, self._inputs_struct, inputs, self._outputs_struct,
                         training=training)

    def build(self, input_shape: Any = None) -> None:
        if self.built or input_shape is None:
            self.built = True
            return
        from ..layers.input_layer import Input

        shapes = input_shape
        if isinstance(shapes, list | tuple) and shapes and isinstance(shapes[0], list | tuple):
            dummy = [Input(batch_shape=tuple(s)) for s in shapes]
        elif isinstance(shapes, dict):
            dummy = {k: Input(batch_shape=tuple(s)) for k, s in shapes.items()}
        else:
            dummy = Input(batch_shape=tuple(shapes))
        try:
            self.call(dummy)
        except Exception:  # call() does non-layer maths: run it on zeros instead
            import numpy as np

            from ...autograd import no_grad

            def zeros(s: Any) -> Any:
                return np.zeros([1 if d is None else d for d in s], self.dtype)

            data = map_structure(lambda t: zeros(t.shape), dummy)
            with no_grad():
                self.call(data)
            self._clear_call_losses()
        self.built = True

    def _maybe_build(self, shapes: Any) -> None:
        # A subclassed model builds its sublayers lazily inside call().
        self.built = True

    def _final_layer(self) -> Layer | None:
        """The layer producing the only output (for fusing softmax into the loss)."""
        if not self._functional or len(flatten(self._outputs_struct)) != 1:
            return None
        layer = flatten(self._outputs_struct)[0].node.layer
        if isinstance(layer, Model):
            return layer._final_layer()
        return layer if len(layer._inbound_nodes) == 1 else None

    def compute_output_shape(self, input_shape: Any) -> Any:
        if self._functional:
            return map_structure(lambda t: t.shape, self._outputs_struct)
        return Layer.compute_output_shape(self, input_shape)

    # --- summary and saving ---------------------------------------------------------------
    def summary(self, line_length: int | None = None, positions: Any = None,
                print_fn: Any = None, expand_nested: bool = False,
                show_trainable: bool = False, layer_range: Any = None) -> None:
        """Print Keras's table: Layer (type), Output Shape, Param #, and the totals."""
        from .summary import summarize

        summarize(self, line_length=line_length, print_fn=print_fn)

    def save(self, filepath: Any, overwrite: bool = True, include_optimizer: bool = True
             ) -> None:
        """Save to 'name.keras': config, weights and optimizer state in one zip."""
        from ..saving.saving_lib import save_model

        save_model(self, filepath, overwrite=overwrite, include_optimizer=include_optimizer)

    def save_weights(self, filepath: Any, overwrite: bool = True) -> None:
        """Save the weights to 'name.weights.safetensors'."""
        from ..saving.saving_lib import save_weights

        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath: Any, skip_mismatch: bool = False) -> None:
        """Load weights saved by save_weights (or from a .keras file), by position."""
        from ..saving.saving_lib import load_weights

        load_weights(self, filepath)

    def to_json(self, **kwargs: Any) -> str:
        import json

        from ..saving.serialization import serialize_keras_object

        return json.dumps(serialize_keras_object(self), **kwargs)

    # --- config ---------------------------------------------------------------------------
    def get_config(self) -> dict:
        if not self._functional:
            return {"name": self.name, "trainable": self.trainable}
        from ..saving.serialization import serialize_keras_object

        node_ids = {id(n): i for i, n in enumerate(self._nodes)}
        tensor_ref = {}
        for node in self._nodes:
            for j, t in enumerate(node.output_tensors):
                tensor_ref[id(t)] = [node_ids[id(node)], j]

        def ref(value: Any) -> Any:
            if isinstance(value, KerasTensor):
                return {"__tensor__": tensor_ref[id(value)]}
            return value

        layer_index = {id(layer): i for i, layer in enumerate(self._layers)}
        return {
            "name": self.name, "trainable": self.trainable,
            "layers": [serialize_keras_object(layer) for layer in self._layers],
            "nodes": [{"layer": layer_index[id(n.layer)], "args": map_structure(ref, n.args),
                       "kwargs": {k: ref(v) for k, v in n.kwargs.items()}}
                      for n in self._nodes],
            "input_layers": map_structure(lambda t: tensor_ref[id(t)], self._inputs_struct),
            "output_layers": map_structure(lambda t: tensor_ref[id(t)], self._outputs_struct),
        }

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Model:
        if "layers" not in config:
            return cls(**config)
        from ..saving.serialization import deserialize_keras_object

        layers = [deserialize_keras_object(c, custom_objects) for c in config["layers"]]
        produced: list[list] = []
        for entry in config["nodes"]:
            layer = layers[entry["layer"]]
            if isinstance(layer, InputLayer):
                produced.append([layer.output_tensor])
                continue

            def real(value: Any) -> Any:
                if isinstance(value, dict) and "__tensor__" in value:
                    i, j = value["__tensor__"]
                    return produced[i][j]
                return value

            args = _map_refs(real, entry["args"])
            kwargs = {k: real(v) for k, v in entry["kwargs"].items()}
            produced.append(flatten(layer(*args, **kwargs)))
        inputs = _map_leaf_lists(lambda r: produced[r[0]][r[1]], config["input_layers"])
        outputs = _map_leaf_lists(lambda r: produced[r[0]][r[1]], config["output_layers"])
        return cls(inputs=inputs, outputs=outputs, name=config.get("name"),
                   trainable=config.get("trainable", True))


def _map_refs(fn: Any, value: Any) -> Any:
    if isinstance(value, dict) and "__tensor__" in value:
        return fn(value)
    if isinstance(value, list):
        return [_map_refs(fn, v) for v in value]
    if isinstance(value, dict):
        return {k: _map_refs(fn, v) for k, v in value.items()}
    return value


def _map_leaf_lists(fn: Any, value: Any) -> Any:
    """Map over [node, index] pairs nested in lists/dicts."""
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return fn(value)
    if isinstance(value, dict):
        return {k: _map_leaf_lists(fn, v) for k, v in value.items()}
    return [_map_leaf_lists(fn, v) for v in value]
