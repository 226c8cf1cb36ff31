"""`GroupNormalization` (Wu & He, 2018, https://arxiv.org/abs/1803.08494): each sample's
channels split into groups, each group normalized by its own mean and variance (Keras 3's
`keras.layers.GroupNormalization`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...ops import elementwise as el
from ...ops._util import float_operand
from ...tensor import Tensor
from ._weight_options import add_weight_with_options, set_weight_options, weight_options_config
from .layer import Layer


class GroupNormalization(Layer):
    """Normalizes each sample over groups of channels, then scales and shifts per channel.

    Formula:
        x grouped as (batch, ..., groups, C / groups, ...) on the channel axis
        mean, var = the mean and (biased) variance of each sample's group, over every axis
                    but the batch and the group axes
        y = gamma * (x - mean) / sqrt(var + epsilon) + beta    (gamma, beta per channel)

    groups=1 is LayerNormalization over all axes but the batch (with per-channel gamma and
    beta); groups=C (or groups=-1) is instance normalization.

    NOTE: the variance is mean((x - mean)**2) (two passes); Keras takes mean(x**2) - mean**2,
    the same number up to rounding, which can go negative for near-constant groups.

    Args:
        groups: the number of groups, a positive divisor of the number of channels, or -1 for
            one group per channel (default 32).
        axis: the channel axis, an int (default -1).
        epsilon: added to the variance (default 1e-3).
        center: whether to add beta; scale: whether to multiply by gamma.
        beta_initializer, gamma_initializer: default 'zeros' and 'ones'.
        beta_regularizer, gamma_regularizer: penalties added to `losses`.
        beta_constraint, gamma_constraint: callables applied to the weight after each
            optimizer step.

    Shape:
        any (batch, ..., C, ...) -> the same; parameters 2 * C (gamma, beta).

    Example:
        >>> layer = GroupNormalization(groups=2)
        >>> y = layer(np.arange(8, dtype="float32").reshape(1, 8))
        >>> [round(v, 3) for v in y.detach().numpy()[0].tolist()]
        [-1.341, -0.447, 0.447, 1.341, -1.341, -0.447, 0.447, 1.341]
        >>> layer.count_params()
        16
    """

    supports_masking = True  # the input's mask passes to the output (Keras)

    def __init__(self, groups: int = 32, axis: int = -1, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", beta_regularizer: Any = None,
                 gamma_regularizer: Any = None, beta_constraint: Any = None,
                 gamma_constraint: Any = None, **kwargs: Any) -> None:
        if isinstance(groups, bool) or not isinstance(groups, int | np.integer) or (
                groups <= 0 and groups != -1):
            raise ValueError("Received an invalid value for argument `groups`, expected a "
                             "positive integer (or `-1` for instance normalization). "
                             f"Received: groups={groups!r}")
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, int | np.integer):
            raise TypeError(f"GroupNormalization: axis must be an int (the channel axis), "
                            f"received axis={axis!r}")
        if isinstance(epsilon, bool) or not isinstance(epsilon, int | float | np.floating) or (
                epsilon < 0):
            raise ValueError(f"GroupNormalization: epsilon must be a non-negative number, "
                             f"received epsilon={epsilon!r}")
        self.groups, self.axis, self.epsilon = int(groups), int(axis), epsilon
        self.center, self.scale = bool(center), bool(scale)
        set_weight_options(
            self, beta_initializer=beta_initializer, gamma_initializer=gamma_initializer,
            beta_regularizer=beta_regularizer, gamma_regularizer=gamma_regularizer,
            beta_constraint=beta_constraint, gamma_constraint=gamma_constraint)
        self.gamma = self.beta = None
        self._ndim = self._channel_axis = None  # set by build

    def build(self, input_shape: tuple) -> None:
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim or self.axis % ndim == 0:
            raise ValueError(f"GroupNormalization {self.name}: axis {self.axis} must name a "
                             f"non-batch axis of inputs of shape {tuple(input_shape)}")
        dim = input_shape[self.axis]
        if dim is None:
            raise ValueError(f"Axis {self.axis} of input tensor should have a defined dimension "
                             f"but the layer received an input with shape {tuple(input_shape)}.")
        if self.groups == -1:  # instance normalization (Keras stores the resolved count)
            self.groups = int(dim)
        if dim < self.groups:
            raise ValueError(f"Number of groups ({self.groups}) cannot be more than the number "
                             f"of channels ({dim}).")
        if dim % self.groups != 0:
            raise ValueError(f"Number of groups ({self.groups}) must divide the number of "
                             f"channels ({dim}): the channels must be a multiple of the groups.")
        self._ndim, self._channel_axis = ndim, self.axis % ndim
        if self.scale:
            self.gamma = add_weight_with_options(self, "gamma", (dim,))
        if self.center:
            self.beta = add_weight_with_options(self, "beta", (dim,))
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        x = float_operand(inputs)
        if str(x._data.dtype) != self.dtype:
            x = x.to(np.dtype(self.dtype))
        shape, axis = tuple(x.shape), self._channel_axis
        channels = self.gamma.shape[0] if self.scale else (
            self.beta.shape[0] if self.center else None)
        if x.ndim != self._ndim or (channels is not None and shape[axis] != channels):
            raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with the layer: '
                             f"expected ndim={self._ndim} and axis {self.axis} of size "
                             f"{channels}, received shape {shape}")
        # (batch, ..., G, C/G, ...): the group axis sits where the channel axis was
        grouped = x.reshape(shape[:axis] + (self.groups, shape[axis] // self.groups)
                            + shape[axis + 1:])
        reduce = tuple(a for a in range(1, grouped.ndim) if a != axis)
        mean = grouped.mean(reduce, keepdim=True)
        centered = grouped - mean
        var = (centered * centered).mean(reduce, keepdim=True)
        y = (centered * el.rsqrt(var + self.epsilon)).reshape(shape)
        param_shape = [1] * len(shape)
        param_shape[axis] = shape[axis]
        if self.scale:
            y = y * (self.gamma if axis == len(shape) - 1 else self.gamma.reshape(param_shape))
        if self.center:
            y = y + (self.beta if axis == len(shape) - 1 else self.beta.reshape(param_shape))
        return y

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        if self.axis >= len(input_shape) or self.axis < -len(input_shape):
            raise ValueError(f"Axis {self.axis} is out of bounds for input shape "
                             f"{tuple(input_shape)}. Received: axis={self.axis}")
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "groups": self.groups, "axis": self.axis,
                "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                **weight_options_config(self, "beta_initializer", "gamma_initializer",
                                        "beta_regularizer", "gamma_regularizer",
                                        "beta_constraint", "gamma_constraint")}
