"""Sequence-shaped (batch, steps, features) helper layers with Keras 3's names and defaults:

    ZeroPadding1D  y = x with `left` zero steps before and `right` after: padding=(left, right)
    Cropping1D     y = x[:, left : steps - right, :]:                        cropping=(left, right)
    UpSampling1D   y[:, t, :] = x[:, t // size, :]  (each step repeated `size` times)

None of them supports masking (as in Keras): a masked input warns and the mask is dropped.
"""

from __future__ import annotations

from typing import Any

from ...nn import functional as F
from ...tensor import Tensor
from . import _conv_utils as cu
from .layer import Layer


def _check_rank(owner: str, input_shape: Any) -> tuple:
    shape = tuple(input_shape)
    if len(shape) != 3:
        raise ValueError(f"{owner}: expected inputs of rank 3 (batch, steps, features), "
                         f"received input_shape={shape}")
    return shape


class ZeroPadding1D(Layer):
    """Adds zero steps at the start and end of each sequence.

    Formula:
        y[:, left + t, :] = x[:, t, :], zeros elsewhere;  dL/dx = g[:, left : left + steps, :]

    Args:
        padding: an int (the same on both sides) or a pair (left, right) of ints >= 0
            (default 1).
        data_format: 'channels_last' (default, (batch, steps, features)) or 'channels_first'
            ((batch, features, steps)).

    Shape:
        (batch, steps, features) -> (batch, left + steps + right, features).

    Example:
        >>> import numpy as np
        >>> ZeroPadding1D(padding=(1, 2))(np.ones((1, 2, 1), "float32")).numpy()[0, :, 0]
        array([0., 1., 1., 0., 0.], dtype=float32)
    """

    def __init__(self, padding: Any = 1, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**cu.named(type(self), kwargs))
        self.padding = cu.int_tuple("ZeroPadding1D", "padding", padding, 2, minimum=0)
        self.data_format = cu.data_format("ZeroPadding1D", data_format)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        cu.check_input(f"ZeroPadding1D {self.name}", inputs, 1, self.data_format)
        left, right = self.padding
        widths = (0, 0, left, right) if self.data_format == "channels_last" else (left, right)
        return F.pad(inputs, widths)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = list(_check_rank(f"ZeroPadding1D {self.name}", input_shape))
        axis = 1 if self.data_format == "channels_last" else 2
        if shape[axis] is not None:
            shape[axis] += sum(self.padding)
        return tuple(shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}


class Cropping1D(Layer):
    """Removes steps at the start and end of each sequence (axis 1).

    Formula:
        y = x[:, left : steps - right, :];  dL/dx = g placed at steps left .. steps - right,
        zeros elsewhere

    Args:
        cropping: an int (the same on both sides) or a pair (left, right) of ints >= 0
            (default (1, 1)); at least one step must remain.

    Shape:
        (batch, steps, features) -> (batch, steps - left - right, features).

    Example:
        >>> import numpy as np
        >>> x = np.arange(4, dtype="float32").reshape(1, 4, 1)
        >>> Cropping1D(cropping=(1, 2))(x).numpy()[0, :, 0]
        array([1.], dtype=float32)
    """

    def __init__(self, cropping: Any = (1, 1), **kwargs: Any) -> None:
        super().__init__(**cu.named(type(self), kwargs))
        self.cropping = cu.int_tuple("Cropping1D", "cropping", cropping, 2, minimum=0)
        self.built = True

    def _length(self, steps: int | None, shape: tuple) -> int | None:
        if steps is None:
            return None
        if steps - sum(self.cropping) <= 0:
            raise ValueError(f"Cropping1D {self.name}: cropping={self.cropping} must remove "
                             f"fewer steps than the input has, received shape {shape}")
        return steps - sum(self.cropping)

    def call(self, inputs: Tensor) -> Tensor:
        cu.check_input(f"Cropping1D {self.name}", inputs, 1, "channels_last")
        steps = self._length(inputs.shape[1], tuple(inputs.shape))
        return inputs[:, self.cropping[0]:self.cropping[0] + steps, :]

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = _check_rank(f"Cropping1D {self.name}", input_shape)
        return (shape[0], self._length(shape[1], shape), shape[2])

    def get_config(self) -> dict:
        return {**super().get_config(), "cropping": self.cropping}


class UpSampling1D(Layer):
    """Repeats each step of a sequence `size` times along the time axis.

    Formula:
        y[:, t, :] = x[:, t // size, :];  dL/dx[:, s, :] = sum of g[:, s * size + r, :] over
        r = 0 .. size - 1

    Args:
        size: the upsampling factor, a positive int (default 2).

    Shape:
        (batch, steps, features) -> (batch, steps * size, features).

    Example:
        >>> import numpy as np
        >>> x = np.array([[[1.0], [2.0]]], "float32")
        >>> UpSampling1D(size=3)(x).numpy()[0, :, 0]
        array([1., 1., 1., 2., 2., 2.], dtype=float32)
    """

    def __init__(self, size: int = 2, **kwargs: Any) -> None:
        super().__init__(**cu.named(type(self), kwargs))
        if not isinstance(size, int) or isinstance(size, bool):
            raise TypeError(f"UpSampling1D: expected an integer value for `size`, received "
                            f"size={size!r} of type {type(size).__name__}")
        if size <= 0:
            raise ValueError(f"UpSampling1D: argument `size` should be a positive integer, "
                             f"received size={size}")
        self.size = size
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        cu.check_input(f"UpSampling1D {self.name}", inputs, 1, "channels_last")
        return inputs.repeat_interleave(self.size, dim=1)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = _check_rank(f"UpSampling1D {self.name}", input_shape)
        return (shape[0], None if shape[1] is None else shape[1] * self.size, shape[2])

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size}
