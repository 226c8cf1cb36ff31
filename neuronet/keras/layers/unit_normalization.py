"""`UnitNormalization`: scales each sample to unit L2 norm over the given axes (Keras 3's
`keras.layers.UnitNormalization`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...ops import elementwise as el
from ...ops._util import float_operand
from ...tensor import Tensor
from .layer import Layer

_EPSILON = 1e-12  # Keras's lower bound on the norm


class UnitNormalization(Layer):
    """Divides each input by its L2 norm over `axis`, the norm bounded below by 1e-12.

    Formula:
        y = x * min(1 / sqrt(sum(x**2 over axis)), 1 / 1e-12)   (= x / max(||x||, 1e-12))

    NOTE: computed as x * rsqrt(max(sum(x**2), 1e-24)): the same values, and for an all-zero
    vector the gradient is 1e12 (the slope of y = 1e12 x there) where Keras's
    min(rsqrt(0) = inf, 1e12) gives NaN.

    Args:
        axis: an int or a list of ints, the axes to normalize over (default -1).

    Shape:
        any -> the same.

    Example:
        >>> y = UnitNormalization()(np.array([[3.0, 4.0], [0.0, 0.0]], "float32"))
        >>> y.tolist()
        [[0.6000000238418579, 0.800000011920929], [0.0, 0.0]]
    """

    supports_masking = True

    def __init__(self, axis: Any = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(axis, list | tuple) and all(
                isinstance(a, int | np.integer) and not isinstance(a, bool) for a in axis):
            self.axis: Any = [int(a) for a in axis]
        elif isinstance(axis, int | np.integer) and not isinstance(axis, bool):
            self.axis = int(axis)
        else:
            raise TypeError(f"UnitNormalization: invalid value for `axis` argument: expected "
                            f"an int or a list/tuple of ints. Received: axis={axis!r}")
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        x = float_operand(inputs)
        if x.ndim == 0:
            x = x.reshape(1)
        axes = tuple(self.axis) if isinstance(self.axis, list) else self.axis
        square_sum = (x * x).sum(dim=axes, keepdim=True)
        return x * el.rsqrt(el.maximum(square_sum, _EPSILON ** 2))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        for axis in axes:
            if axis >= len(input_shape) or axis < -len(input_shape):
                raise ValueError(f"UnitNormalization {self.name}: axis {self.axis} is out of "
                                 f"bounds for input shape {tuple(input_shape)}.")
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}
