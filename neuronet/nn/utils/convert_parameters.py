"""Parameters <-> one flat vector (for second-order methods, evolution strategies, ...)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ...ops.shape import cat
from ...tensor import Tensor


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """Concatenate the flattened parameters into one 1-D tensor (differentiable)."""
    params = list(parameters)
    if not params:
        raise ValueError("parameters_to_vector: got no parameters")
    return cat([p.reshape(-1) for p in params])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of the 1-D vec into the parameters' arrays, in place."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected a Tensor, but got: {type(vec).__name__}")
    params = list(parameters)
    total = sum(p.numel() for p in params)
    if vec.ndim != 1 or vec.numel() != total:
        raise ValueError(f"vector_to_parameters: vec must be 1-D with {total} elements (the "
                         f"parameters' total), got shape {tuple(vec.shape)}")
    start = 0
    src = vec._data
    for p in params:
        n = p.numel()
        p._data[...] = np.reshape(src[start:start + n], p._data.shape)
        p._version += 1
        start += n
