"""More merging layers on a list of inputs, with Keras 3's names, shapes and masks:

    Subtract  y = x_1 - x_2                          (exactly two inputs)
    Average   y = (x_1 + x_2 + ... + x_n) / n
    Maximum   y = max(x_1, x_2, ..., x_n)            elementwise
    Minimum   y = min(x_1, x_2, ..., x_n)            elementwise
    Dot       y[b, i, j] = sum_k x_1[b, i, k] * x_2[b, k, j]   (`axes` name the k axes)

Shapes (Keras's Merge): the non-batch dims broadcast as NumPy's (trailing dims aligned, a
size-1 dim stretches); a lower-rank input gets size-1 axes right after the batch axis. The
batch sizes must be equal.

Masks (Keras's Merge.compute_mask): the output keeps a step where any input keeps it (logical
or), and has no mask when some input has none. Maximum and Minimum also ignore masked-out
values: a masked-out element is replaced by the running result (or the running result by it)
before each max/min, as Keras's `_apply_merge_op_and_or_mask`. Dot's output has no mask.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...ops import elementwise as E
from ...tensor import Tensor
from .. import backend
from .merging import _bool, _Merge, _shape_text


class _Elementwise(_Merge):
    """A merge whose output broadcasts the inputs (Keras's Merge): shape and mask rules."""

    def call(self, inputs: Any, mask: Any = None) -> Tensor:
        return self._merge(*self._aligned(inputs, mask))

    def _merge(self, items: list, masks: list) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must define _merge(items, masks)")


class Subtract(_Elementwise):
    """Elementwise difference of exactly two tensors.

    Formula:
        y = x_1 - x_2;  dL/dx_1 = g,  dL/dx_2 = -g

    Shape:
        [(batch, ...), (batch, ...)] -> (batch, ...), broadcast (module docstring).

    Example:
        >>> import numpy as np
        >>> y = Subtract()([np.ones((2, 3), "float32"), np.full((2, 1), 3.0, "float32")])
        >>> y.numpy().tolist()
        [[-2.0, -2.0, -2.0], [-2.0, -2.0, -2.0]]
    """

    def _check(self, inputs: Any) -> list:
        items = super()._check(inputs)
        if len(items) != 2:
            shapes = [tuple(getattr(x, "shape", x)) for x in items]
            raise ValueError(f"Subtract {self.name}: a Subtract layer should be called on "
                             f"exactly 2 inputs, received {len(items)} inputs of shapes "
                             f"{_shape_text(shapes)}")
        return items

    def _merge(self, items: list, masks: list) -> Tensor:
        return items[0] - items[1]


class Average(_Elementwise):
    """Elementwise mean of a list of tensors.

    Formula:
        y = (x_1 + ... + x_n) / n;  dL/dx_i = g / n

    Shape:
        [(batch, ...), ...] -> (batch, ...), broadcast (module docstring).

    Example:
        >>> import numpy as np
        >>> Average()([np.zeros((1, 2), "float32"), np.ones((1, 2), "float32")]).numpy()
        array([[0.5, 0.5]], dtype=float32)
    """

    def _merge(self, items: list, masks: list) -> Tensor:
        out = items[0]
        for item in items[1:]:
            out = out + item
        return out / len(items)


class _Extreme(_Elementwise):
    """Maximum / Minimum: a running max/min that skips masked-out elements (Keras's rule)."""

    _op = staticmethod(E.maximum)

    def _merge(self, items: list, masks: list) -> Tensor:
        out, out_mask = None, None
        for x, m in zip(items, masks):
            if m is not None:  # (batch, steps) -> (batch, steps, features)
                m = _bool(m)
                m = np.broadcast_to(m[..., None] if m.ndim < x.ndim else m, tuple(x.shape))
            if out is None:
                out, out_mask = x, m
                continue
            if m is not None:
                x = E.where(m, x, out)
            if out_mask is not None:
                out = E.where(out_mask, out, x)
            out_mask = out_mask | m if m is not None and out_mask is not None else None
            out = self._op(out, x)
        return out


class Maximum(_Extreme):
    """Elementwise maximum of a list of tensors.

    Formula:
        y = max(x_1, ..., x_n);  dL/dx_i = g where x_i is the largest (a tie splits g equally
        between the two tied operands of each pairwise max, as PyTorch's)

    Shape:
        [(batch, ...), ...] -> (batch, ...), broadcast (module docstring).

    Example:
        >>> import numpy as np
        >>> Maximum()([np.array([[1.0, 5.0]]), np.array([[3.0, 2.0]])]).numpy().tolist()
        [[3.0, 5.0]]
    """


class Minimum(_Extreme):
    """Elementwise minimum of a list of tensors.

    Formula:
        y = min(x_1, ..., x_n);  dL/dx_i = g where x_i is the smallest (ties split g)

    Shape:
        [(batch, ...), ...] -> (batch, ...), broadcast (module docstring).

    Example:
        >>> import numpy as np
        >>> Minimum()([np.array([[1.0, 5.0]]), np.array([[3.0, 2.0]])]).numpy().tolist()
        [[1.0, 2.0]]
    """

    _op = staticmethod(E.minimum)


def l2_normalize(x: Tensor, axis: int) -> Tensor:
    """x / ||x|| along `axis`, as Keras's ops.normalize: x * min(rsqrt(sum(x**2)), 1 / eps)
    with eps = 1e-7, so an all-zero vector stays zero.
    NOTE: as in Keras (torch backend), the gradient at an all-zero vector is NaN: the clamp
    passes 0 to rsqrt's branch, whose derivative there is infinite (0 * inf)."""
    with np.errstate(divide="ignore"):  # rsqrt(0) = inf, then clamped to 1 / eps
        inverse_norm = (x * x).sum(axis, keepdim=True).rsqrt()
    return x * E.minimum(inverse_norm, 1.0 / backend.epsilon())


class Dot(_Merge):
    """Batchwise dot product of two tensors along one axis of each (Keras's batch_dot).

    Formula:
        y[b, i..., j...] = sum_k x_1[b, i..., k] * x_2[b, k, j...]
        where x_1's axis axes[0] and x_2's axis axes[1] are moved to the k position;
        dL/dx_1 = g @ x_2^T,  dL/dx_2 = x_1^T @ g  (per sample, through matmul).
        normalize=True first divides each input by its L2 norm along its axis (the output is
        then the cosine similarity): x <- x * min(rsqrt(sum_k x**2), 1 / 1e-7).

    Args:
        axes: an int (the same axis of both inputs) or a pair (axis of x_1, axis of x_2);
            negative values count from the end; never the batch axis 0.
        normalize: L2-normalize both inputs along their axes first (default False).

    Shape:
        [(batch, *a, k, *b), (batch, *c, k, *d)] -> (batch, *a, *b, *c, *d), or (batch, 1)
        when nothing else is left.

    Example:
        >>> import numpy as np
        >>> x = np.arange(10, dtype="float32").reshape(1, 5, 2)
        >>> y = np.arange(10, 20, dtype="float32").reshape(1, 2, 5)
        >>> Dot(axes=(1, 2))([x, y]).numpy().tolist()
        [[[260.0, 360.0], [320.0, 445.0]]]
    """

    def __init__(self, axes: int | tuple | list, normalize: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(axes, int) and not isinstance(axes, list | tuple):
            raise TypeError(f"Dot: invalid type for argument `axes`: it should be a list or an "
                            f"int, received axes={axes!r}")
        if isinstance(axes, bool) or isinstance(axes, list | tuple) and (
                len(axes) != 2 or not all(isinstance(a, int) and not isinstance(a, bool)
                                          for a in axes)):
            raise ValueError(f"Dot: invalid format for argument `axes`: it should be an int or "
                             f"two integers, received axes={axes!r}")
        self.axes = axes
        self.normalize = bool(normalize)

    def _check(self, inputs: Any) -> list:
        items = super()._check(inputs)
        if len(items) != 2:
            raise ValueError(f"Dot {self.name}: a Dot layer should be called on a list of 2 "
                             f"inputs, received {len(items)} inputs")
        return items

    def _resolve(self, shape1: tuple, shape2: tuple) -> tuple[int, int]:
        """The two contracted axes, non-negative, after checking ranks, axes and sizes."""
        shapes = f"received shapes {tuple(shape1)} and {tuple(shape2)}"
        if len(shape1) < 2 or len(shape2) < 2:
            raise ValueError(f"Dot {self.name}: inputs must have rank >= 2, {shapes}")
        pair = (self.axes, self.axes) if isinstance(self.axes, int) else tuple(self.axes)
        axes = []
        for axis, rank in zip(pair, (len(shape1), len(shape2))):
            if not -rank <= axis < rank:
                raise ValueError(f"Dot {self.name}: axes={self.axes} is out of range for inputs "
                                 f"of rank {len(shape1)} and {len(shape2)}, {shapes}")
            axes.append(axis % rank)
        if 0 in axes:
            raise ValueError(f"Dot {self.name}: cannot take the dot product over the batch "
                             f"axis 0 (axes={self.axes}), {shapes}")
        d1, d2 = shape1[axes[0]], shape2[axes[1]]
        if d1 is not None and d2 is not None and d1 != d2:
            raise ValueError(f"Dot {self.name}: incompatible input shapes: axis values {d1} "
                             f"(at axis {axes[0]}) != {d2} (at axis {axes[1]}), {shapes}")
        b1, b2 = shape1[0], shape2[0]
        if b1 is not None and b2 is not None and b1 != b2:
            raise ValueError(f"Dot {self.name}: inputs must have the same batch size, {shapes}")
        return axes[0], axes[1]

    def call(self, inputs: Any) -> Tensor:
        x, y = self._check(inputs)
        a0, a1 = self._resolve(tuple(x.shape), tuple(y.shape))
        if self.normalize:
            x, y = l2_normalize(x, a0), l2_normalize(y, a1)
        x = x.movedim(a0, -1)  # (batch, *rest_1, k)
        y = y.movedim(a1, 1)  # (batch, k, *rest_2)
        batch, k = x.shape[0], x.shape[-1]
        rest_1, rest_2 = tuple(x.shape[1:-1]), tuple(y.shape[2:])
        out = x.reshape(batch, int(np.prod(rest_1)), k).matmul(
            y.reshape(batch, k, int(np.prod(rest_2))))  # (batch, prod(rest_1), prod(rest_2))
        return out.reshape((batch,) + (rest_1 + rest_2 or (1,)))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape1, shape2 = (list(s) for s in self._check(input_shape))
        a0, a1 = self._resolve(tuple(shape1), tuple(shape2))
        shape1.pop(a0)
        shape2.pop(a1)
        out = shape1 + shape2[1:]
        return tuple(out + [1] if len(out) == 1 else out)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return None

    def get_config(self) -> dict:
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def subtract(inputs: list, **kwargs: Any) -> Any:
    return Subtract(**kwargs)(inputs)


def average(inputs: list, **kwargs: Any) -> Any:
    return Average(**kwargs)(inputs)


def maximum(inputs: list, **kwargs: Any) -> Any:
    return Maximum(**kwargs)(inputs)


def minimum(inputs: list, **kwargs: Any) -> Any:
    return Minimum(**kwargs)(inputs)


def dot(inputs: list, axes: int | tuple = -1, **kwargs: Any) -> Any:
    return Dot(axes=axes, **kwargs)(inputs)
