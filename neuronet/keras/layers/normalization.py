"""Normalization layers with Keras's defaults.

BatchNormalization (Ioffe & Szegedy, 2015), statistics over every axis but `axis`:
    training:  mean, var = moments(x)               (biased variance)
               y = gamma * (x - mean) / sqrt(var + epsilon) + beta
               moving_mean = moving_mean * momentum + mean * (1 - momentum)
               moving_variance = moving_variance * momentum + var * (1 - momentum)
    inference: y = gamma * (x - moving_mean) / sqrt(moving_variance + epsilon) + beta
    momentum=0.99, epsilon=1e-3 (Keras's convention: momentum weighs the *old* value, the
    opposite of PyTorch's momentum=0.1). A frozen layer (trainable=False) runs in inference mode.
LayerNormalization (Ba et al., 2016), statistics over `axis` per sample:
    y = gamma * (x - mean) / sqrt(var + epsilon) + beta, epsilon=1e-3
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...autograd import no_grad
from ...ops.normalization import batch_norm_train
from ...tensor import Tensor
from ._weight_options import add_weight_with_options, set_weight_options, weight_options_config
from .layer import Layer


def _axes(axis: Any, ndim: int, owner: str) -> tuple[int, ...]:
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    out = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"{owner}: axis {a} is out of range for inputs of rank {ndim}")
        out.append(a % ndim)
    return tuple(sorted(out))


def _param_shape(input_shape: tuple, axes: tuple, owner: str) -> tuple:
    shape = tuple(input_shape[a] for a in axes)
    if None in shape:
        raise ValueError(f"{owner}: the normalized axes {axes} of the input must be known, "
                         f"received input_shape={input_shape}")
    return shape


def _broadcast(param: Tensor, ndim: int, axes: tuple) -> Tensor:
    """(C,) parameter -> shape broadcastable against the input (C on `axes`)."""
    if axes == (ndim - 1,):
        return param
    shape = [1] * ndim
    for a, n in zip(axes, param.shape):
        shape[a] = n
    return param.reshape(shape)


_AFFINE_REGULARIZERS = ("beta_regularizer", "gamma_regularizer")


class _AffineMixin:
    """gamma (scale) and beta (center) of the normalization layers: y * gamma + beta."""

    def _add_gamma_beta(self, shape: tuple) -> None:
        if self.scale:
            self.gamma = add_weight_with_options(self, "gamma", shape)
        if self.center:
            self.beta = add_weight_with_options(self, "beta", shape)

    def _scale_shift(self, y: Tensor, ndim: int) -> Tensor:
        if self.scale:
            y = y * _broadcast(self.gamma, ndim, self._axes)
        if self.center:
            y = y + _broadcast(self.beta, ndim, self._axes)
        return y


class BatchNormalization(_AffineMixin, Layer):
    """Normalizes with batch statistics while training and moving averages at inference.

    Shape: any input; parameters 4 * C (gamma, beta trainable; moving_mean, moving_variance
    non-trainable), C = the size of `axis`.
    """

    supports_masking = True  # the input's mask passes to the output (Keras)

    def __init__(self, axis: Any = -1, momentum: float = 0.99, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", moving_mean_initializer: Any = "zeros",
                 moving_variance_initializer: Any = "ones", beta_regularizer: Any = None,
                 gamma_regularizer: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"BatchNormalization: momentum must be in [0, 1], received "
                             f"momentum={momentum}")
        if epsilon <= 0:
            raise ValueError(f"BatchNormalization: epsilon must be positive, received "
                             f"epsilon={epsilon}")
        self.axis, self.momentum, self.epsilon = axis, float(momentum), float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        set_weight_options(
            self, beta_initializer=beta_initializer, gamma_initializer=gamma_initializer,
            moving_mean_initializer=moving_mean_initializer,
            moving_variance_initializer=moving_variance_initializer,
            beta_regularizer=beta_regularizer, gamma_regularizer=gamma_regularizer)
        self.gamma = self.beta = self.moving_mean = self.moving_variance = None

    def build(self, input_shape: tuple) -> None:
        self._axes = _axes(self.axis, len(input_shape), f"BatchNormalization {self.name}")
        shape = _param_shape(input_shape, self._axes, f"BatchNormalization {self.name}")
        self._add_gamma_beta(shape)
        self.moving_mean = add_weight_with_options(self, "moving_mean", shape, trainable=False)
        self.moving_variance = add_weight_with_options(self, "moving_variance", shape,
                                                       trainable=False)
        self.built = True

    def call(self, inputs: Tensor, training: Any = None) -> Tensor:
        ndim = inputs.ndim
        reduce = tuple(a for a in range(ndim) if a not in self._axes)
        if training and self.trainable and len(self._axes) == 1:
            return self._fused_train(inputs)
        if training and self.trainable:
            mean = inputs.mean(reduce, keepdim=True)
            centered = inputs - mean
            var = (centered * centered).mean(reduce, keepdim=True)
            with no_grad():
                m = self.momentum
                self.moving_mean._data[...] = (self.moving_mean._data * m + mean._data.reshape(
                    self.moving_mean.shape) * (1.0 - m))
                self.moving_variance._data[...] = (
                    self.moving_variance._data * m
                    + var._data.reshape(self.moving_variance.shape) * (1.0 - m))
            y = centered / (var + self.epsilon).sqrt()
        else:
            mean = _broadcast(Tensor._wrap(self.moving_mean._data), ndim, self._axes)
            inv = _broadcast(Tensor._wrap(
                (1.0 / np.sqrt(self.moving_variance._data + self.epsilon)).astype(
                    self.moving_variance._data.dtype)), ndim, self._axes)
            y = (inputs - mean) * inv
        return self._scale_shift(y, ndim)

    def _fused_train(self, inputs: Tensor) -> Tensor:
        """One channel axis: the fused batch-norm primitive (ops.normalization.BatchNorm)."""
        dt = inputs._data.dtype
        shape = self.moving_mean.shape
        gamma = self.gamma if self.scale else Tensor._wrap(np.ones(shape, dt))
        beta = self.beta if self.center else Tensor._wrap(np.zeros(shape, dt))
        y, mean, var = batch_norm_train(inputs, gamma, beta, self.epsilon, self._axes[0])
        m = self.momentum
        for moving, batch in ((self.moving_mean, mean), (self.moving_variance, var)):
            moving._data *= m
            moving._data += (batch * (1.0 - m)).astype(moving._data.dtype)
        return y

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum,
                "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                **weight_options_config(self, "beta_initializer", "gamma_initializer",
                                        "moving_mean_initializer",
                                        "moving_variance_initializer", *_AFFINE_REGULARIZERS)}


class LayerNormalization(_AffineMixin, Layer):
    """Normalizes each sample over `axis` (default -1), then scales and shifts.

    Shape: any input; parameters 2 * C (gamma, beta), C = the size of the normalized axes.
    """

    supports_masking = True  # the input's mask passes to the output (Keras)

    def __init__(self, axis: Any = -1, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", beta_regularizer: Any = None,
                 gamma_regularizer: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if epsilon <= 0:
            raise ValueError(f"LayerNormalization: epsilon must be positive, received "
                             f"epsilon={epsilon}")
        self.axis, self.epsilon = axis, float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        set_weight_options(
            self, beta_initializer=beta_initializer, gamma_initializer=gamma_initializer,
            beta_regularizer=beta_regularizer, gamma_regularizer=gamma_regularizer)
        self.gamma = self.beta = None

    def build(self, input_shape: tuple) -> None:
        self._axes = _axes(self.axis, len(input_shape), f"LayerNormalization {self.name}")
        shape = _param_shape(input_shape, self._axes, f"LayerNormalization {self.name}")
        self._add_gamma_beta(shape)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        ndim = inputs.ndim
        mean = inputs.mean(self._axes, keepdim=True)
        centered = inputs - mean
        var = (centered * centered).mean(self._axes, keepdim=True)
        y = centered / (var + self.epsilon).sqrt()
        return self._scale_shift(y, ndim)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale,
                **weight_options_config(self, "beta_initializer", "gamma_initializer",
                                        *_AFFINE_REGULARIZERS)}
