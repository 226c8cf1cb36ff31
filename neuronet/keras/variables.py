"""`KerasVariable`: a layer weight. It is a neuronet `nn.Parameter` (so `tensor ops`,
`.grad` and torch-style optimizers work on it) with Keras's `name`, `path`, `trainable`,
`assign`, `value` and `numpy()`."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..nn.parameter import Parameter


class KerasVariable(Parameter):
    """A named weight array (Keras 3's `keras.Variable`).

    Args:
        initializer: an array-like of the initial value.
        trainable: whether the optimizer updates it (requires_grad follows).
        name: the variable's name within its layer ('kernel', 'bias', ...).
    """

    def __init__(self, initializer: Any, trainable: bool = True, name: str = "variable",
                 dtype: Any = None) -> None:
        arr = np.array(initializer, dtype=dtype, copy=True)
        if arr.dtype == np.float64 and dtype is None:
            from .backend import floatx

            arr = arr.astype(floatx())
        # np.array(..., copy=True) is C-contiguous; ascontiguousarray would turn 0-d into 1-d
        super().__init__(arr,
                         requires_grad=bool(trainable) and arr.dtype.kind == "f")
        self.name = name
        self.path = name
        self._trainable = bool(trainable)

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        self.requires_grad = bool(value) and self._data.dtype.kind == "f"

    @property
    def value(self) -> np.ndarray:
        return self._data

    def numpy(self, force: bool = False) -> np.ndarray:
        """The weight's array (Keras allows this on trainable variables)."""
        return self._data

    def assign(self, value: Any) -> KerasVariable:
        """Set the contents in place (shape must match)."""
        arr = np.asarray(value._data if hasattr(value, "_data") else value)
        if arr.shape != self._data.shape:
            raise ValueError(f"KerasVariable.assign: variable '{self.path}' has shape "
                             f"{self._data.shape}, received a value of shape {arr.shape}")
        self._data[...] = arr
        self._version += 1
        return self

    def assign_add(self, value: Any) -> KerasVariable:
        return self.assign(self._data + np.asarray(value))

    def assign_sub(self, value: Any) -> KerasVariable:
        return self.assign(self._data - np.asarray(value))

    def __repr__(self) -> str:
        return (f"<KerasVariable path={self.path}, shape={tuple(self._data.shape)}, "
                f"dtype={self._data.dtype}, value={self._data!r}>")

    __str__ = __repr__
