"""Activation layers with Keras 3's names, arguments and numbers (x the input):

    ReLU       y = min(x, max_value) for x > threshold, 0 at threshold when threshold > 0,
               negative_slope (x - threshold) below it
    LeakyReLU  y = x if x > 0 else negative_slope x             (negative_slope 0.3)
    PReLU      y = relu(x) - alpha relu(-x), alpha learned       (shape of x without batch)
    ELU        y = x if x > 0 else alpha (exp(x) - 1)
    Softmax    y = exp(x - max(x)) / sum(exp(x - max(x))) along axis; masked positions get
               -1e9 before and 0 after

Every one passes its input's Keras mask on to its output.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ...nn import functional as F
from ...ops import elementwise as el
from ...ops._util import float_operand
from ...tensor import Tensor
from ..activations import relu as _relu
from ..activations import softmax as _softmax
from ._weight_options import add_weight_with_options, set_weight_options, weight_options_config
from .layer import Layer


def _non_negative(owner: str, name: str, value: Any) -> float:
    if value is None or isinstance(value, bool) or not isinstance(
            value, int | float | np.number) or value < 0:
        raise ValueError(f"{owner}: {name} cannot be None or a negative value, received "
                         f"{name}={value!r}")
    return value


class _ShapePreserving(Layer):
    """A layer whose output has its input's shape and keeps its input's mask."""

    supports_masking = True

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape


class ReLU(_ShapePreserving):
    """Rectified linear unit with an optional ceiling, threshold and leak.

    Formula:
        y = max_value                        if x >= max_value
        y = x                                if threshold < x < max_value
        y = negative_slope * (x - threshold) otherwise (0 at x == threshold)

    Args:
        max_value: the ceiling (>= 0), None for none.
        negative_slope: the slope below the threshold (>= 0).
        threshold: where the unit turns on (>= 0).

    Shape:
        any -> the same.

    Example:
        >>> layer = ReLU(max_value=10, negative_slope=0.5)
        >>> layer(np.array([-10.0, -5.0, 0.0, 5.0, 10.0, 20.0], "float32")).tolist()
        [-5.0, -2.5, 0.0, 5.0, 10.0, 10.0]
    """

    def __init__(self, max_value: float | None = None, negative_slope: float = 0.0,
                 threshold: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if max_value is not None:
            _non_negative("ReLU", "max_value", max_value)
        self.max_value = max_value
        self.negative_slope = _non_negative("ReLU", "negative_slope", negative_slope)
        self.threshold = _non_negative("ReLU", "threshold", threshold)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        return _relu(inputs, self.negative_slope, self.max_value, self.threshold)

    def get_config(self) -> dict:
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


class LeakyReLU(_ShapePreserving):
    """Leaky rectified linear unit.

    Formula:
        y = x if x > 0 else negative_slope * x

    Args:
        negative_slope: the slope for x < 0 (>= 0, default 0.3). `alpha=` (Keras 2's name)
            still works, with a warning.

    Shape:
        any -> the same.

    Example:
        >>> LeakyReLU(negative_slope=0.5)(np.array([-10.0, 0.0, 5.0], "float32")).tolist()
        [-5.0, 0.0, 5.0]
    """

    def __init__(self, negative_slope: float = 0.3, **kwargs: Any) -> None:
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn("Argument `alpha` is deprecated. Use `negative_slope` instead.",
                          stacklevel=2)
        super().__init__(**kwargs)
        self.negative_slope = _non_negative("LeakyReLU", "negative_slope", negative_slope)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        return F.leaky_relu(float_operand(inputs), self.negative_slope)

    def get_config(self) -> dict:
        return {**super().get_config(), "negative_slope": self.negative_slope}


class PReLU(_ShapePreserving):
    """Parametric rectified linear unit: a learned slope for negative inputs.

    Formula:
        y = relu(x) - alpha * relu(-x)   (= x if x > 0 else alpha * x)

    Args:
        alpha_initializer: initializer of alpha (default 'Zeros').
        alpha_regularizer: penalty on alpha added to `losses`.
        alpha_constraint: callable applied to alpha after each optimizer step.
        shared_axes: axes (counting the batch as 0) along which one alpha is shared, e.g.
            [1, 2] for one slope per channel of (batch, height, width, channels) maps.

    Shape:
        any -> the same; weight `alpha` has the input's shape without the batch, with 1 on
        the shared axes.

    Example:
        >>> layer = PReLU(shared_axes=[1])
        >>> layer.build((None, 5, 3)); [tuple(w.shape) for w in layer.weights]
        [(1, 3)]
    """

    def __init__(self, alpha_initializer: Any = "Zeros", alpha_regularizer: Any = None,
                 alpha_constraint: Any = None, shared_axes: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        set_weight_options(self, alpha_initializer=alpha_initializer,
                           alpha_regularizer=alpha_regularizer, alpha_constraint=alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, list | tuple):
            self.shared_axes = [int(a) for a in shared_axes]
        else:
            self.shared_axes = [int(shared_axes)]
        self.alpha = None

    def build(self, input_shape: tuple) -> None:
        param_shape = list(input_shape[1:])
        for axis in self.shared_axes or ():
            if not 1 <= axis <= len(param_shape):
                raise ValueError(f"PReLU {self.name}: shared_axes must name axes 1..."
                                 f"{len(param_shape)} of inputs of shape {tuple(input_shape)}, "
                                 f"received shared_axes={self.shared_axes}")
            param_shape[axis - 1] = 1
        if any(d is None for d in param_shape):
            raise ValueError(f"PReLU {self.name}: every axis that is not shared must have a "
                             f"known size, received input_shape={tuple(input_shape)} and "
                             f"shared_axes={self.shared_axes}")
        self.alpha = add_weight_with_options(self, "alpha", param_shape)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        x = float_operand(inputs)
        if x.ndim != self.alpha.ndim + 1 or any(
                a != 1 and a != d for a, d in zip(self.alpha.shape, x.shape[1:])):
            raise ValueError(f"PReLU {self.name}: inputs of shape {tuple(x.shape)} do not fit "
                             f"alpha of shape {tuple(self.alpha.shape)}")
        return el.relu(x) - self.alpha * el.relu(-x)

    def get_config(self) -> dict:
        return {**super().get_config(),
                **weight_options_config(self, "alpha_initializer", "alpha_regularizer",
                                        "alpha_constraint"),
                "shared_axes": self.shared_axes}


class ELU(_ShapePreserving):
    """Exponential linear unit.

    Formula:
        y = x if x > 0 else alpha * (exp(x) - 1)

    Args:
        alpha: the scale of the negative part (default 1.0).

    Shape:
        any -> the same.

    Example:
        >>> [round(v, 4) for v in ELU()(np.array([-1.0, 0.0, 2.0], "float32")).tolist()]
        [-0.6321, 0.0, 2.0]
    """

    def __init__(self, alpha: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.alpha = alpha
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        return F.elu(float_operand(inputs), self.alpha)

    def get_config(self) -> dict:
        return {**super().get_config(), "alpha": self.alpha}


def _large_negative_number(dtype: Any) -> float:
    """What Keras puts at masked positions: -1e9, or -3e4 in float16 (which overflows -1e9)."""
    return -3e4 if np.dtype(dtype) == np.float16 else -1e9


class Softmax(_ShapePreserving):
    """Softmax along an axis (or several), optionally with masked positions left out.

    Formula:
        x' = x where mask else -1e9
        y  = exp(x' - max(x')) / sum(exp(x' - max(x')))  along axis
        y  = y where mask else 0
        several axes: y = exp(x' - logsumexp(x', axes))

    Args:
        axis: an int, or a list of ints (default -1).

    Call arguments:
        mask: booleans (or numbers, kept where > 0.5) broadcastable to the inputs; True keeps.
            By default the input's Keras mask.

    Shape:
        any -> the same.

    Example:
        >>> y = Softmax()(np.array([[1.0, 2.0, 1.0]], "float32"), mask=np.array([[1, 1, 0]]))
        >>> [round(v, 4) for v in y.tolist()[0]]
        [0.2689, 0.7311, 0.0]
    """

    def __init__(self, axis: Any = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis
        self.built = True

    def call(self, inputs: Tensor, mask: Any = None) -> Tensor:
        x = float_operand(inputs)
        keep = None
        if mask is not None:
            keep = self._check_mask(x, mask)
            x = el.where(keep, x, _large_negative_number(x._data.dtype))
        if isinstance(self.axis, list | tuple) and len(self.axis) > 1:
            y = (x - x.logsumexp(dim=tuple(self.axis), keepdim=True)).exp()
        else:
            axis = self.axis[0] if isinstance(self.axis, list | tuple) else self.axis
            y = _softmax(x, axis=axis)
        return y if keep is None else el.where(keep, y, 0.0)

    def _check_mask(self, x: Tensor, mask: Any) -> np.ndarray:
        """The mask as booleans, after Keras's checks that it broadcasts to the inputs."""
        keep = np.asarray(mask._data if isinstance(mask, Tensor) else mask)
        if keep.ndim > x.ndim or any(m != 1 and m != d for m, d in zip(
                keep.shape[::-1], x.shape[::-1])):
            raise ValueError(f"Softmax {self.name}: the `mask` must be broadcastable to "
                             f"`inputs`; each mask dimension must be 1 or match the "
                             f"corresponding input dimension. Received: inputs.shape="
                             f"{tuple(x.shape)}, mask.shape={keep.shape}")
        return keep if keep.dtype == np.bool_ else keep > 0.5

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}
