"""`Parameter`: a Tensor that a `Module` registers as one of its learnable weights."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor


class Parameter(Tensor):
    """A Tensor that is a module's weight: assigning one to a Module attribute registers it,
    so it appears in `parameters()` and `state_dict()`. Shares `data`'s array (no copy).

    Args:
        data: a Tensor or array-like (default: an empty float tensor).
        requires_grad: whether the parameter gets gradients (default True).

    Example:
        >>> import neuronet as nt
        >>> p = nt.nn.Parameter(nt.zeros(2))
        >>> p.requires_grad
        True
    """

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            arr = np.empty((0,), np.float32)
        elif isinstance(data, Tensor):
            arr = data._data
        else:
            Tensor.__init__(self, data)
            arr = self._data
        Tensor.__init__(self, arr)
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (_rebuild_parameter, (self._data.copy(), self.requires_grad))


class Buffer(Tensor):
    """Marks a tensor as a buffer when assigned to a Module attribute (`nn.Buffer`)."""

    def __init__(self, data: Any = None, *, persistent: bool = True) -> None:
        Tensor.__init__(self, data._data if isinstance(data, Tensor) else data)
        self.persistent = persistent


def _rebuild_parameter(arr: np.ndarray, requires_grad: bool) -> Parameter:
    return Parameter(arr, requires_grad)
