"""Reshaping layers (the batch dimension is never touched):

    Flatten       (batch, d1, d2, ...) -> (batch, d1 * d2 * ...)
    Reshape       (batch, ...) -> (batch, *target_shape), one -1 allowed
    Permute       (batch, d1, ..., dn) -> (batch, d_dims[0], ...), dims 1-indexed
    RepeatVector  (batch, features) -> (batch, n, features)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...ops import shape as shape_ops
from ...tensor import Tensor
from .layer import Layer


def _prod(dims: Any) -> int | None:
    return None if any(d is None for d in dims) else int(np.prod(dims, dtype=np.int64))


class Flatten(Layer):
    """Flattens every dimension but the batch one: (batch, 28, 28) -> (batch, 784)."""

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = data_format
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        return shape_ops.reshape(inputs, (inputs.shape[0], -1))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (input_shape[0], _prod(input_shape[1:]))

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}


class Reshape(Layer):
    """Reshapes to `target_shape` (without the batch dimension; one entry may be -1)."""

    def __init__(self, target_shape: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        target = tuple(int(d) for d in target_shape)
        if sum(d == -1 for d in target) > 1 or any(d < -1 or d == 0 for d in target):
            raise ValueError(f"Reshape: target_shape must hold positive integers and at most "
                             f"one -1, received target_shape={target_shape!r}")
        self.target_shape = target
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        return shape_ops.reshape(inputs, (inputs.shape[0],) + self.target_shape)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        target = list(self.target_shape)
        if -1 in target:
            known = _prod(input_shape[1:])
            rest = int(np.prod([d for d in target if d != -1]))
            target[target.index(-1)] = None if known is None else known // rest
        elif _prod(input_shape[1:]) not in (None, _prod(target)):
            raise ValueError(f"Reshape {self.name}: total size of the input {input_shape[1:]} "
                             f"does not match target_shape {self.target_shape}")
        return (input_shape[0],) + tuple(target)

    def get_config(self) -> dict:
        return {**super().get_config(), "target_shape": list(self.target_shape)}


class Permute(Layer):
    """Permutes the non-batch dimensions: `Permute((2, 1))` swaps dims 1 and 2."""

    def __init__(self, dims: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        dims = tuple(int(d) for d in dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(f"Permute: dims must be a permutation of 1..{len(dims)}, received "
                             f"dims={dims}")
        self.dims = dims
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        return shape_ops.permute(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self) -> dict:
        return {**super().get_config(), "dims": list(self.dims)}


class RepeatVector(Layer):
    """Repeats a (batch, features) input n times: -> (batch, n, features)."""

    def __init__(self, n: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(n, int) or n <= 0:
            raise ValueError(f"RepeatVector: n must be a positive integer, received n={n!r}")
        self.n = n
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        if inputs.ndim != 2:
            raise ValueError(f"RepeatVector {self.name}: expected a 2-D input (batch, features), "
                             f"received shape {tuple(inputs.shape)}")
        return shape_ops.expand(inputs.unsqueeze(1), (inputs.shape[0], self.n, inputs.shape[1]))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self) -> dict:
        return {**super().get_config(), "n": self.n}
