"""Merging layers on a list of inputs:

    Add          y = x_1 + x_2 + ... (broadcasting)
    Multiply     y = x_1 * x_2 * ...
    Concatenate  y = concat(x_1, x_2, ..., axis=-1)

Masks (Keras 3): Add and Multiply keep a step where any input keeps it (logical or), and give
no mask when some input has none; Multiply counts a masked-out value as 1 and zeroes the steps
every input masks out. Concatenate concatenates the masks (all-True for an unmasked input)
along `axis` and keeps a step where any part does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...ops import shape as shape_ops
from ...ops.elementwise import where
from ...tensor import Tensor
from .layer import Layer


def _shape_text(shapes: list) -> str:
    return ", ".join(str(tuple(s)) for s in shapes)


def _bool(mask: Any) -> np.ndarray:
    return np.asarray(mask._data if isinstance(mask, Tensor) else mask, bool)


class _Merge(Layer):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.built = True

    def _check(self, inputs: Any) -> list:
        if not isinstance(inputs, list | tuple) or len(inputs) < 1:
            raise ValueError(f"{type(self).__name__} {self.name}: expected a list of input "
                             f"tensors, received {inputs!r}")
        return list(inputs)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if mask is None or any(m is None for m in mask):
            return None
        return Tensor._wrap(np.logical_or.reduce([_bool(m) for m in mask]))

    def _output_shape(self, shapes: list) -> tuple:
        """Keras's Merge.compute_output_shape, raising with the layer's name and the shapes."""
        batch = {s[0] for s in shapes if len(s)} - {None}
        if len(batch) > 1:
            raise ValueError(f"{type(self).__name__} {self.name}: cannot merge tensors with "
                             f"different batch sizes, received shapes {_shape_text(shapes)}")
        out: tuple = tuple(shapes[0][1:])
        for shape in shapes[1:]:
            dims = tuple(shape[1:])
            longer, shorter = (out, dims) if len(out) >= len(dims) else (dims, out)
            merged = list(longer[:len(longer) - len(shorter)])
            for i, j in zip(longer[len(longer) - len(shorter):], shorter):
                if i is None or j is None:
                    merged.append(None)
                elif 1 in (i, j) or i == j:
                    merged.append(j if i == 1 else i)
                else:
                    raise ValueError(f"{type(self).__name__} {self.name}: inputs have "
                                     f"incompatible shapes, received shapes "
                                     f"{_shape_text(shapes)}")
            out = tuple(merged)
        return (batch.pop() if batch else None,) + out

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return self._output_shape([tuple(s) for s in self._check(input_shape)])

    def _aligned(self, inputs: Any, mask: Any = None) -> tuple[list, list]:
        """The inputs checked and brought to one rank as Keras's Merge does: a lower-rank input
        (batch, d...) becomes (batch, 1, ..., d...), and its mask is dropped."""
        items = self._check(inputs)
        self._output_shape([tuple(x.shape) for x in items])
        masks = list(mask) if isinstance(mask, list | tuple) else \
            [getattr(x, "_keras_mask", None) for x in items]
        rank = max(x.ndim for x in items)
        for i, x in enumerate(items):
            if x.ndim < rank:
                shape = tuple(x.shape)
                items[i] = x.reshape(shape[:1] + (1,) * (rank - x.ndim) + shape[1:])
                masks[i] = None
        return items, masks

class Add(_Merge):
    """Elementwise sum of a list of tensors."""

    def call(self, inputs: Any) -> Tensor:
        items, _ = self._aligned(inputs)
        out = items[0]
        for item in items[1:]:
            out = out + item
        return out


class Multiply(_Merge):
    """Elementwise product of a list of tensors; with masks, a masked-out value counts as 1
    and a step every input masks out is 0 (Keras 3)."""

    def call(self, inputs: Any) -> Tensor:
        items, masks = self._aligned(inputs)
        if all(m is None for m in masks):
            out = items[0]
            for item in items[1:]:
                out = out * item
            return out
        out, kept = None, None
        for x, m in zip(items, masks):
            if m is not None:
                keep = np.broadcast_to(_bool(m)[..., None], tuple(x.shape))
                x = where(Tensor._wrap(keep), x, 1.0)
                kept = keep if kept is None else kept | keep
            out = x if out is None else out * x
        if all(m is not None for m in masks):
            out = where(Tensor._wrap(kept), out, 0.0)
        return out


class Concatenate(_Merge):
    """Concatenation of a list of tensors along `axis` (default -1)."""

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = int(axis)

    def call(self, inputs: Any) -> Tensor:
        return shape_ops.cat(self._check(inputs), dim=self.axis)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if mask is None or all(m is None for m in mask):
            return None
        parts = []
        for x, m in zip(inputs, mask):
            shape = tuple(x.shape)
            m = np.ones(shape, bool) if m is None else _bool(m)
            parts.append(np.broadcast_to(m[..., None], shape) if m.ndim < len(shape) else m)
        return Tensor._wrap(np.concatenate(parts, axis=self.axis).any(-1))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shapes = self._check(input_shape)
        rank = len(shapes[0])
        axis = self.axis % rank
        for shape in shapes:
            if len(shape) != rank or any(
                    a is not None and b is not None and a != b
                    for i, (a, b) in enumerate(zip(shape, shapes[0])) if i != axis):
                raise ValueError(f"Concatenate {self.name}: inputs must match except along "
                                 f"axis {self.axis}, received shapes {shapes}")
        sizes = [s[axis] for s in shapes]
        out = list(shapes[0])
        out[axis] = None if None in sizes else sum(sizes)
        return tuple(out)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


def add(inputs: list, **kwargs: Any) -> Any:
    return Add(**kwargs)(inputs)


def multiply(inputs: list, **kwargs: Any) -> Any:
    return Multiply(**kwargs)(inputs)


def concatenate(inputs: list, axis: int = -1, **kwargs: Any) -> Any:
    return Concatenate(axis=axis, **kwargs)(inputs)
