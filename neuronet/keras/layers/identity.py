"""`Identity`: y = x, a placeholder layer (Keras 3's `keras.layers.Identity`)."""

from __future__ import annotations

from typing import Any

import numpy as np  # noqa: F401  (for the doctest)

from .layer import Layer


class Identity(Layer):
    """Returns its inputs unchanged (their Keras mask included).

    Formula:
        y = x;  dL/dx = dL/dy

    Shape:
        any (or any structure of tensors) -> the same.

    Example:
        >>> Identity()(np.array([[1.0, -2.0]], "float32")).tolist()
        [[1.0, -2.0]]
    """

    supports_masking = True

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.built = True

    def call(self, inputs: Any) -> Any:
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape
