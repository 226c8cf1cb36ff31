"""`keras.Input` and `InputLayer`: the entry points of functional and Sequential models."""

from __future__ import annotations

from typing import Any

from .. import backend
from .layer import Layer
from .symbolic import KerasTensor, Node


class InputLayer(Layer):
    """Holds the symbolic input tensor of a model (no weights, identity call).

    Args:
        shape: the shape of one sample, without the batch dimension, e.g. (28, 28).
        batch_size: an optional fixed batch size; batch_shape: the shape with the batch dim.
    """

    def __init__(self, shape: Any = None, batch_size: int | None = None, dtype: Any = None,
                 batch_shape: Any = None, name: str | None = None, **kwargs: Any) -> None:
        if kwargs.get("input_shape") is not None and shape is None:
            shape = kwargs.pop("input_shape")
        if kwargs.get("batch_input_shape") is not None and batch_shape is None:
            batch_shape = kwargs.pop("batch_input_shape")
        kwargs.pop("sparse", None), kwargs.pop("ragged", None)
        super().__init__(name=name or backend.unique_name("input_layer"), dtype=dtype, **kwargs)
        if shape is None and batch_shape is None:
            raise ValueError("InputLayer: you must pass a `shape` (or `batch_shape`) argument")
        if batch_shape is None:
            batch_shape = (batch_size,) + backend.standardize_shape(shape, "Input")
        self.batch_shape = backend.standardize_shape(batch_shape, "Input")
        self.built = True
        node = Node(self, (), {}, None)
        self.output_tensor = KerasTensor(self.batch_shape, self.dtype, name=self.name, node=node)
        node.outputs = self.output_tensor
        node.output_tensors = [self.output_tensor]
        self._inbound_nodes.append(node)

    def call(self, inputs: Any) -> Any:
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict:
        return {"name": self.name, "batch_shape": list(self.batch_shape), "dtype": self.dtype}


def Input(shape: Any = None, batch_size: int | None = None, dtype: Any = None,  # noqa: N802
          batch_shape: Any = None, name: str | None = None, **kwargs: Any) -> KerasTensor:
    """A symbolic input for the functional API: `x = keras.Input(shape=(784,))`.

    Example:
        >>> from neuronet import keras
        >>> keras.Input(shape=(28, 28)).shape
        (None, 28, 28)
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype,
                       batch_shape=batch_shape, name=name, **kwargs)
    return layer.output_tensor
